import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { DeployAction, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Stages } from '../service/stages';
import { noneDeployAction } from './deployActions';
import { builtInGates } from './gates';
import { PolicyResolver } from './policy';
import { TypeRegistry } from './registry';
import { repositoryPolicyFile } from './repositoryPolicyFile';

const POLICY = `# Production needs two approvals from the data platform team.
production:
  gates:
    - gate: runs-succeeded
      options: { minRuns: 3 }
    - gate: approvals
      options: { min: 2, group: group:default/data-platform }
`;

// A repository host: serves POLICY at one path, 404 elsewhere.
async function gitHost() {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url!);
    if (req.url === '/acme/orders/main/dags/orders/promotion-policy.yaml') {
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end(POLICY);
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders', namespace: 'default', annotations },
  spec: { type: 'airflow-dag', owner: 'group:default/data' },
});

describe('repositoryPolicyFile', () => {
  let host: Awaited<ReturnType<typeof gitHost>>;
  let reader: ReturnType<typeof UrlReaders.default>;
  let integrations: ScmIntegrations;
  const policies = PolicyResolver.fromConfig(
    new ConfigReader({}),
    Stages.fromConfig(new ConfigReader({})),
    {
      gates: new TypeRegistry<PromotionGate>('gate', builtInGates),
      actions: new TypeRegistry<DeployAction>('deploy action', [
        noneDeployAction,
      ]),
    },
  );

  beforeAll(async () => {
    host = await gitHost();
    // Backstage's own URL reader, allowed to read the test's host only.
    const config = new ConfigReader({
      backend: { reading: { allow: [{ host: host.host }] } },
    });
    reader = UrlReaders.default({ config, logger: mockServices.logger.mock() });
    integrations = ScmIntegrations.fromConfig(config);
  });
  afterAll(() => host.close());

  it("reads the file beside the entity's source location through the URL reader, and the resolver applies it", async () => {
    const file = repositoryPolicyFile(
      entity({
        'backstage.io/source-location': `url:${host.base}/acme/orders/main/dags/orders/`,
      }),
      { path: 'promotion-policy.yaml', reader, integrations },
    )!;
    expect(file.location).toBe(
      `${host.base}/acme/orders/main/dags/orders/promotion-policy.yaml`,
    );
    const policy = await policies.resolve({
      entityRef: 'component:default/orders',
      toStage: 'production',
      file,
    });
    expect(policy).toMatchObject({
      source: 'file',
      name: file.location,
      gates: [
        {
          type: 'runs-succeeded',
          options: expect.objectContaining({ minRuns: 3 }),
        },
        {
          type: 'approvals',
          options: { min: 2, group: 'group:default/data-platform' },
        },
      ],
    });
    // Staging is not in the file: the configuration applies.
    await expect(
      policies.resolve({
        entityRef: 'component:default/orders',
        toStage: 'staging',
        file,
      }),
    ).resolves.toMatchObject({ source: 'config' });
  });

  it('falls back to the location of the catalog-info file, and to the configuration when the repository has no policy file', async () => {
    const file = repositoryPolicyFile(
      entity({
        'backstage.io/managed-by-location': `url:${host.base}/acme/billing/main/catalog-info.yaml`,
      }),
      { path: 'promotion-policy.yaml', reader, integrations },
    )!;
    expect(file.location).toBe(
      `${host.base}/acme/billing/main/promotion-policy.yaml`,
    );
    await expect(
      policies.resolve({
        entityRef: 'component:default/billing',
        toStage: 'production',
        file,
      }),
    ).resolves.toMatchObject({ source: 'config' });
    expect(host.requests).toContain('/acme/billing/main/promotion-policy.yaml');
  });

  it('refuses to guess when the host may not be read: the request fails instead of using another policy', async () => {
    const file = repositoryPolicyFile(
      entity({
        'backstage.io/source-location': 'url:http://elsewhere.invalid/repo/',
      }),
      { path: 'promotion-policy.yaml', reader, integrations },
    )!;
    await expect(
      policies.resolve({
        entityRef: 'component:default/orders',
        toStage: 'production',
        file,
      }),
    ).rejects.toThrow(/could not be read/);
  });

  it('has no file for an entity whose source is not a URL', () => {
    const options = { path: 'promotion-policy.yaml', reader, integrations };
    expect(repositoryPolicyFile(entity({}), options)).toBeUndefined();
    expect(
      repositoryPolicyFile(
        entity({ 'backstage.io/managed-by-location': 'file:/tmp/x.yaml' }),
        options,
      ),
    ).toBeUndefined();
  });
});

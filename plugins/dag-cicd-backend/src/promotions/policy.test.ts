import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { DeployAction, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { Stages } from '../service/stages';
import { noneDeployAction, webhookDeployAction } from './deployActions';
import { builtInGates } from './gates';
import { PolicyResolver } from './policy';
import { TypeRegistry } from './registry';

const registries = {
  gates: new TypeRegistry<PromotionGate>('gate', builtInGates),
  actions: new TypeRegistry<DeployAction>('deploy action', [
    noneDeployAction,
    webhookDeployAction(),
  ]),
};
const stages = Stages.fromConfig(new ConfigReader({}));
const resolver = (promotions: object) =>
  PolicyResolver.fromConfig(
    new ConfigReader({ dagCicd: { promotions } }),
    stages,
    registries,
  );
const ORDERS = 'component:default/orders';

describe('PolicyResolver', () => {
  it('applies the built-in policy: a green run, and into production an approval', async () => {
    const policies = resolver({});
    const staging = await policies.resolve({
      entityRef: ORDERS,
      toStage: 'staging',
    });
    expect(staging).toMatchObject({
      source: 'config',
      allowSkip: false,
      deploy: { action: 'none' },
    });
    expect(staging.gates.map(g => g.type)).toEqual(['runs-succeeded']);
    const production = await policies.resolve({
      entityRef: ORDERS,
      toStage: 'production',
    });
    expect(production.gates.map(g => g.type)).toEqual([
      'runs-succeeded',
      'approvals',
    ]);
  });

  it('validates options through the gate type when the configuration is read, naming the key', () => {
    expect(() =>
      resolver({
        policies: {
          production: {
            gates: [{ gate: 'approvals', options: { min: 0 } }],
          },
        },
      }),
    ).toThrow(
      /^dagCicd\.promotions\.policies\.production\.gates\[0\]\.options: /,
    );
    expect(() =>
      resolver({ policies: { production: { gates: [{ gate: 'vibes' }] } } }),
    ).toThrow(
      'dagCicd.promotions.policies.production.gates[0].gate: unknown gate type "vibes"; the gate types are approvals, chaos-run, freeze-window, output-diff, runs-succeeded, soak-time',
    );
    expect(() =>
      resolver({
        policies: {
          production: {
            deploy: { action: 'webhook', options: { url: 'ftp://x' } },
          },
        },
      }),
    ).toThrow(
      'dagCicd.promotions.policies.production.deploy.options: url must be http or https, not ftp:',
    );
    expect(() => resolver({ policies: { qa: {} } })).toThrow(
      'dagCicd.promotions.policies.qa: unknown stage; the configured stages are ci, staging, production',
    );
    expect(() =>
      resolver({
        policies: {
          staging: { gates: [{ gate: 'soak-time' }, { gate: 'soak-time' }] },
        },
      }),
    ).toThrow(/gates\[1\]\.name: two gates are named "soak-time"/);
  });

  it('uses the named policy of the entity annotation for the stages it names', async () => {
    const policies = resolver({
      namedPolicies: {
        strict: {
          production: {
            gates: [{ gate: 'approvals', options: { min: 2 } }],
          },
        },
      },
    });
    const annotations = { 'dag-cicd.io/promotion-policy': 'strict' };
    const production = await policies.resolve({
      entityRef: ORDERS,
      annotations,
      toStage: 'production',
    });
    expect(production).toMatchObject({
      source: 'annotation',
      name: 'strict',
      gates: [{ type: 'approvals', name: 'approvals', options: { min: 2 } }],
    });
    const staging = await policies.resolve({
      entityRef: ORDERS,
      annotations,
      toStage: 'staging',
    });
    expect(staging.source).toBe('config');
    await expect(
      policies.resolve({
        entityRef: ORDERS,
        annotations: { 'dag-cicd.io/promotion-policy': 'lax' },
        toStage: 'staging',
      }),
    ).rejects.toThrow(
      'component:default/orders names the promotion policy "lax" (annotation dag-cicd.io/promotion-policy), which dagCicd.promotions.namedPolicies does not define; the policies are strict',
    );
  });

  it('prefers the DAG’s policy file (YAML or JSON), validated when it is read', async () => {
    const policies = resolver({});
    const location = 'https://git.test/orders/promotion-policy.yaml';
    const file = (read: () => Promise<string>) => ({ location, read });
    const yaml = [
      'production:',
      '  allowSkip: true',
      '  gates:',
      '    - gate: soak-time',
      '      options: { duration: PT2H }',
    ].join('\n');
    const fromFile = await policies.resolve({
      entityRef: ORDERS,
      toStage: 'production',
      file: file(async () => yaml),
    });
    expect(fromFile).toMatchObject({
      source: 'file',
      name: location,
      allowSkip: true,
    });
    expect(fromFile.gates.map(g => g.type)).toEqual(['soak-time']);
    // A stage the file leaves out, and a repository without the file, fall
    // through to the configuration.
    const staging = await policies.resolve({
      entityRef: ORDERS,
      toStage: 'staging',
      file: file(async () => yaml),
    });
    expect(staging.source).toBe('config');
    const missing = await policies.resolve({
      entityRef: ORDERS,
      toStage: 'production',
      file: file(async () => {
        throw new NotFoundError('No such file');
      }),
    });
    expect(missing.source).toBe('config');

    // A file that exists but cannot be read or used refuses the request.
    await expect(
      policies.resolve({
        entityRef: ORDERS,
        toStage: 'production',
        file: file(async () => {
          throw new Error('connect ECONNREFUSED');
        }),
      }),
    ).rejects.toThrow(
      `The promotion policy file ${location} could not be read (connect ECONNREFUSED); promotions of this DAG wait until it can be, rather than run under another policy`,
    );
    await expect(
      policies.resolve({
        entityRef: ORDERS,
        toStage: 'production',
        file: file(async () =>
          JSON.stringify({ production: { gates: [{ gate: 'nope' }] } }),
        ),
      }),
    ).rejects.toThrow(
      `${location} production.gates[0].gate: unknown gate type "nope"`,
    );
    await expect(
      policies.resolve({
        entityRef: ORDERS,
        toStage: 'production',
        file: file(async () => 'production: [unclosed'),
      }),
    ).rejects.toThrow(/is not valid YAML or JSON/);
    await expect(
      policies.resolve({
        entityRef: ORDERS,
        toStage: 'production',
        file: file(async () => 'qa: {}'),
      }),
    ).rejects.toThrow(/names unknown stages qa/);
  });
});

import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createDagCicdEnvironmentAction } from './createEnvironment';

const COMMIT = 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12';
const USER = 'user:default/jane';

function environment(overrides: Record<string, unknown> = {}) {
  return {
    id: 'env-1',
    name: 'ci_ab12cd3',
    entityRef: 'component:default/orders',
    commit: COMMIT,
    stage: 'ci',
    dataNamespace: 'file:///store/default/orders/ci_ab12cd3/',
    inputs: {},
    artifacts: {},
    connections: {},
    profile: 'sample',
    status: 'ready',
    createdBy: USER,
    createdAt: '2026-11-24T12:00:00Z',
    ...overrides,
  };
}

// The DAG CI/CD backend as a real HTTP server, answering scripted bodies.
describe('dag-cicd:environment:create', () => {
  let server: http.Server;
  let baseUrl: string;
  let answers: Array<{ status: number; body: unknown }>;
  let requests: Array<{
    method?: string;
    url?: string;
    authorization?: string;
    body?: any;
  }>;

  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += chunk;
      requests.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        body: text ? JSON.parse(text) : undefined,
      });
      const answer = answers.shift() ?? { status: 500, body: {} };
      res.statusCode = answer.status;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  beforeEach(() => {
    requests = [];
    answers = [];
  });

  const action = () =>
    createDagCicdEnvironmentAction({
      discovery: {
        getBaseUrl: async pluginId => `${baseUrl}/api/${pluginId}`,
        getExternalBaseUrl: async pluginId => `${baseUrl}/api/${pluginId}`,
      },
      auth: mockServices.auth(),
      pollIntervalMs: 1,
    });

  // The mock context ignores a getInitiatorCredentials option: set it after.
  const context = (input: Record<string, unknown>) => ({
    ...createMockActionContext({
      input: {
        entityRef: 'component:default/orders',
        commit: COMMIT,
        ...input,
      },
    }),
    getInitiatorCredentials: async () => mockCredentials.user(USER),
  });

  it('creates the environment on behalf of the user who runs the template', async () => {
    answers = [{ status: 201, body: environment() }];
    const ctx = context({ profile: 'sample', ttl: 'PT6H' });

    await action().handler(ctx);

    expect(requests).toEqual([
      {
        method: 'POST',
        url: '/api/dag-cicd/environments',
        authorization: `Bearer ${mockCredentials.service.token({
          onBehalfOf: mockCredentials.user(USER),
          targetPluginId: 'dag-cicd',
        })}`,
        body: {
          entityRef: 'component:default/orders',
          commit: COMMIT,
          profile: 'sample',
          ttl: 'PT6H',
        },
      },
    ]);
    expect(ctx.output).toHaveBeenCalledWith('id', 'env-1');
    expect(ctx.output).toHaveBeenCalledWith('name', 'ci_ab12cd3');
    expect(ctx.output).toHaveBeenCalledWith(
      'namespace',
      'file:///store/default/orders/ci_ab12cd3/',
    );
    expect(ctx.output).toHaveBeenCalledWith('status', 'ready');
  });

  it('waits until provisioning ends when asked to', async () => {
    answers = [
      { status: 201, body: environment({ status: 'provisioning' }) },
      { status: 200, body: environment({ status: 'provisioning' }) },
      { status: 200, body: environment({ status: 'ready' }) },
    ];
    const ctx = context({ wait: true });

    await action().handler(ctx);

    expect(requests.map(r => `${r.method} ${r.url}`)).toEqual([
      'POST /api/dag-cicd/environments',
      'GET /api/dag-cicd/environments/env-1',
      'GET /api/dag-cicd/environments/env-1',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('status', 'ready');
  });

  it('fails the step when the environment fails', async () => {
    answers = [
      {
        status: 201,
        body: environment({ status: 'failed', error: 'sample copy failed' }),
      },
    ];
    await expect(action().handler(context({ wait: true }))).rejects.toThrow(
      'Environment ci_ab12cd3 failed: sample copy failed',
    );
  });

  it("fails the step with the server's message", async () => {
    answers = [
      {
        status: 403,
        body: {
          error: {
            name: 'NotAllowedError',
            message:
              'Not allowed: dag-cicd.environment.create on component:default/orders in stage ci',
          },
          request: { method: 'POST', url: '/api/dag-cicd/environments' },
          response: { statusCode: 403 },
        },
      },
    ];
    const ctx = context({});
    await expect(action().handler(ctx)).rejects.toThrow(
      'Not allowed: dag-cicd.environment.create on component:default/orders in stage ci',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });
});

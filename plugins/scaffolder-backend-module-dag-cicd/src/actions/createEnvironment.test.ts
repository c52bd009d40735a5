import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import {
  environmentFixture,
  errorAnswer,
  startTestBackend,
  TestBackend,
} from '@dag-cicd/plugin-dag-cicd-common/testUtils';
import { createDagCicdEnvironmentAction } from './createEnvironment';

const COMMIT = 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12';
const USER = 'user:default/jane';

/** The fixture environment, created by the user who runs the template. */
const environment = (overrides: Partial<Environment> = {}) =>
  environmentFixture({ createdBy: USER, ...overrides });

describe('dag-cicd:environment:create', () => {
  // The DAG CI/CD backend as a real HTTP server, answering scripted bodies.
  let backend: TestBackend;

  beforeAll(async () => {
    backend = await startTestBackend();
  });

  afterAll(() => backend.close());

  beforeEach(() => backend.reset());

  const action = () =>
    createDagCicdEnvironmentAction({
      discovery: {
        getBaseUrl: async pluginId => `${backend.url}/api/${pluginId}`,
        getExternalBaseUrl: async pluginId => `${backend.url}/api/${pluginId}`,
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
    backend.answerInTurn({ status: 201, body: environment() });
    const ctx = context({ profile: 'sample', ttl: 'PT6H' });

    await action().handler(ctx);

    expect(backend.requests).toEqual([
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

  it('passes the sample bounds and chaos rates through', async () => {
    backend.answerInTurn({ status: 201, body: environment() });
    const sample = { maxObjects: 20, rowFraction: 0.1 };
    const chaos = { nulls: 0.02, drift: 0.01 };

    await action().handler(context({ profile: 'chaos', sample, chaos }));

    expect(backend.requests[0].body).toEqual({
      entityRef: 'component:default/orders',
      commit: COMMIT,
      profile: 'chaos',
      sample,
      chaos,
    });
  });

  it('waits until provisioning ends when asked to', async () => {
    backend.answerInTurn(
      { status: 201, body: environment({ status: 'provisioning' }) },
      { status: 200, body: environment({ status: 'provisioning' }) },
      { status: 200, body: environment({ status: 'ready' }) },
    );
    const ctx = context({ wait: true });

    await action().handler(ctx);

    expect(backend.requests.map(r => `${r.method} ${r.url}`)).toEqual([
      'POST /api/dag-cicd/environments',
      'GET /api/dag-cicd/environments/env-1',
      'GET /api/dag-cicd/environments/env-1',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('status', 'ready');
  });

  it('fails the step when the environment fails', async () => {
    backend.answerInTurn({
      status: 201,
      body: environment({ status: 'failed', error: 'sample copy failed' }),
    });
    await expect(action().handler(context({ wait: true }))).rejects.toThrow(
      'Environment ci_ab12cd3 failed: sample copy failed',
    );
  });

  it("fails the step with the server's message", async () => {
    backend.answerInTurn(
      errorAnswer(
        403,
        'NotAllowedError',
        'Not allowed: dag-cicd.environment.create on component:default/orders in stage ci',
      ),
    );
    const ctx = context({});
    await expect(action().handler(ctx)).rejects.toThrow(
      'Not allowed: dag-cicd.environment.create on component:default/orders in stage ci',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });
});

import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AirflowInstances } from '@dag-cicd/plugin-dag-cicd-node';
import { createAirflowClient } from '@dag-cicd/plugin-dag-cicd-node';
import {
  airflowMockServer,
  jwt,
  v2,
} from '@dag-cicd/plugin-dag-cicd-node/testUtils';
import request from 'supertest';
import {
  createEnvironmentApp,
  ordersEntity,
  ORDERS,
} from '../__testUtils__/environmentApp';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const msw = airflowMockServer();
const user = mockCredentials.user.header();
const BASE = 'http://airflow-local.test';
const DETAILS = '/api/v2/dags/{dag_id}/details';
const RUNS = '/api/v2/dags/{dag_id}/dagRuns';

async function setup(options: { deny?: boolean } = {}) {
  const airflow = msw.mock('v2', BASE).tokens(jwt(4_102_444_800));
  const client = createAirflowClient(
    {
      name: 'local',
      baseUrl: BASE,
      apiVersion: 'v2',
      auth: { type: 'simple', username: 'admin', password: 's3cret-pw' },
      uiUrl: BASE,
      timeoutMs: 200,
      retries: 1,
    } as any,
    { sleep: async () => {} },
  );
  const unconfigured = {
    ...ordersEntity,
    metadata: {
      ...ordersEntity.metadata,
      name: 'elsewhere',
      annotations: {
        ...ordersEntity.metadata.annotations,
        'airflow.apache.org/instance': 'nowhere',
      },
    },
  };
  const env = await createEnvironmentApp({
    knex: await databases.init('SQLITE_3'),
    airflow: new AirflowInstances([client]),
    entities: [unconfigured],
    ...(options.deny && {
      decide: () => ({ result: AuthorizeResult.DENY }),
    }),
  });
  const status = (entityRef: string) =>
    request(env.app)
      .get('/dags/status')
      .query({ entityRef })
      .set('Authorization', user);
  return { ...env, airflow, status };
}

describe('GET /dags/status', () => {
  it("answers the DAG's state in Airflow with its five newest runs, linked to the Airflow UI", async () => {
    const env = await setup();
    env.airflow.on('GET', DETAILS, ({ params }) => ({
      body: v2.dagDetails(params.dag_id, { is_paused: true }),
    }));
    env.airflow.on('GET', RUNS, ({ params }) => ({
      body: {
        dag_runs: [
          v2.dagRun(params.dag_id, 'scheduled__2', { state: 'running' }),
          v2.dagRun(params.dag_id, 'scheduled__1', {
            state: 'success',
            run_type: 'scheduled',
            end_date: '2026-11-24T06:10:00Z',
          }),
        ],
        total_entries: 40,
      },
    }));
    const answer = await env.status(ORDERS);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      instance: 'local',
      dagId: 'orders_daily',
      isPaused: true,
      isActive: true,
      schedule: '0 6 * * *',
      nextRunAt: null,
      owners: ['data-eng'],
      tags: ['etl'],
      uiUrl: expect.stringContaining(`${BASE}/`),
      latestRuns: [
        expect.objectContaining({
          dagRunId: 'scheduled__2',
          state: 'running',
          endDate: null,
          uiUrl: expect.stringContaining('scheduled__2'),
        }),
        expect.objectContaining({
          dagRunId: 'scheduled__1',
          state: 'success',
          runType: 'scheduled',
          endDate: '2026-11-24T06:10:00Z',
        }),
      ],
    });
    expect(answer.body.uiUrl).toContain('orders_daily');
    const [asked] = env.airflow.calls('GET', RUNS);
    expect(asked.query.get('limit')).toBe('5');
  });

  it('answers 404 naming the instance for a DAG Airflow does not know', async () => {
    const env = await setup();
    env.airflow.on('GET', DETAILS, {
      status: 404,
      body: v2.error('The DAG with dag_id: `orders_daily` was not found'),
    });
    env.airflow.on('GET', RUNS, {
      status: 404,
      body: v2.error('The DAG with dag_id: `orders_daily` was not found'),
    });
    const answer = await env.status(ORDERS);
    expect(answer.status).toBe(404);
    expect(answer.body.error.message).toMatch(
      /^Airflow "local": \w+\(orders_daily\) failed: 404 Not Found/,
    );
  });

  it.each([
    ['unreachable', { network: 'error' as const }, /cannot reach Airflow/],
    ['hanging', { hang: true as const }, /no answer within/],
    [
      'refusing the credentials',
      { status: 401, body: v2.error('no') },
      /refused the configured credentials/,
    ],
  ])(
    'answers 502 naming the instance when Airflow is %s',
    async (_case, answer, message) => {
      const env = await setup();
      env.airflow.on('GET', DETAILS, answer);
      env.airflow.on('GET', RUNS, answer);
      const refused = await env.status(ORDERS);
      expect(refused.status).toBe(502);
      expect(refused.body.error.message).toMatch(/Airflow "local"/);
      expect(refused.body.error.message).toMatch(message);
      expect(refused.body.error.message).not.toMatch(/s3cret-pw/);
    },
  );

  it('answers 400 for an instance that is not configured, 400 for an entity that is no DAG, 404 for an unknown entity', async () => {
    const env = await setup();
    const nowhere = await env.status('component:default/elsewhere');
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.error.message).toMatch(
      /Unknown Airflow instance "nowhere"; the configured instances are "local"/,
    );
    expect((await env.status('component:default/website')).status).toBe(400);
    expect((await env.status('component:default/nobody')).status).toBe(404);
    expect(env.airflow.requests).toEqual([]);
  });

  it('needs read permission on the entity', async () => {
    const env = await setup({ deny: true });
    const denied = await env.status(ORDERS);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      'Not allowed: dag-cicd.environment.read on component:default/orders',
    );
    expect(env.airflow.requests).toEqual([]);
  });
});

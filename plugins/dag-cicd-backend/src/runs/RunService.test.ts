import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { createAirflowClient } from '../airflow';
import { airflowMockServer } from '../airflow/__testUtils__/airflowMock';
import { jwt, v2 } from '../airflow/__testUtils__/fixtures';
import {
  createEnvironmentApp,
  ORDERS,
  writeFile,
} from '../__testUtils__/environmentApp';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const msw = airflowMockServer();
const SHA = 'ab12cd3'.padEnd(40, '0');
const user = mockCredentials.user.header();
const BASE = 'http://airflow-local.test';

async function setup(
  options: {
    startOnReady?: boolean;
    prepare?: (airflow: ReturnType<typeof msw.mock>) => void;
  } = {},
) {
  const airflow = msw.mock('v2', BASE).tokens(jwt(4_102_444_800));
  options.prepare?.(airflow);
  const client = createAirflowClient(
    {
      name: 'local',
      baseUrl: BASE,
      apiVersion: 'v2',
      auth: { type: 'simple', username: 'admin', password: 's3cret-pw' },
      uiUrl: BASE,
      timeoutMs: 2_000,
      retries: 1,
    } as any,
    { sleep: async () => {} },
  );
  const env = await createEnvironmentApp({
    knex: await databases.init('SQLITE_3'),
    airflow: { get: () => client },
    startOnReady: options.startOnReady,
  });
  writeFile(env.root, 'lake/raw/orders/dt=2026-11-24/part-0.csv', 'id\n1\n');
  const created = await request(env.app)
    .post('/environments')
    .set('Authorization', user)
    .send({ entityRef: ORDERS, commit: SHA, profile: 'production-readonly' });
  await env.provisioner.settled();
  return { ...env, airflow, environment: created.body };
}

describe('runs', () => {
  it('starts a DAG run whose conf carries the environment, and syncs it to its end', async () => {
    const env = await setup();
    env.airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns', req => ({
      body: v2.dagRun('orders_daily', req.body.dag_run_id, {
        state: 'queued',
        conf: req.body.conf,
        bundle_version: SHA,
      }),
    }));
    const started = await request(env.app)
      .post(`/environments/${env.environment.id}/runs`)
      .set('Authorization', user);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      instance: 'local',
      dagId: 'orders_daily',
      state: 'queued',
      bundleVersion: SHA,
      bundleMatchesCommit: true,
      startedBy: 'user:default/mock',
    });
    expect(started.body.dagRunId).toMatch(
      /^dag_cicd__ci_ab12cd3__\d{8}T\d{9}Z$/,
    );
    const [trigger] = env.airflow.calls(
      'POST',
      '/api/v2/dags/{dag_id}/dagRuns',
    );
    expect(trigger.body.logical_date).toBeNull();
    expect(trigger.body.conf.dag_cicd).toMatchObject({
      environment: 'ci_ab12cd3',
      commit: SHA,
      entity: ORDERS,
      namespace: env.environment.dataNamespace,
      inputs: { orders: { mode: 'read-only' } },
      connections: { spark_default: 'spark_ci' },
    });

    // The DAG finished, and the package wrote a manifest for its task.
    const runId = started.body.dagRunId;
    const namespace = env.environment.dataNamespace.slice('file://'.length);
    writeFile(
      '/',
      `${namespace}_manifests/${runId}/clean.json`,
      JSON.stringify({ path: 'orders/part-0.csv', rows: 1 }),
    );
    env.airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns/list', {
      body: {
        dag_runs: [
          v2.dagRun('orders_daily', runId, {
            state: 'success',
            bundle_version: SHA,
          }),
        ],
        total_entries: 1,
      },
    });
    env.airflow.on(
      'GET',
      '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances',
      {
        body: {
          task_instances: [v2.taskInstance('orders_daily', runId, 'clean')],
          total_entries: 1,
        },
      },
    );
    const listed = await request(env.app)
      .get(`/environments/${env.environment.id}/runs`)
      .query({ refresh: true })
      .set('Authorization', user);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      state: 'success',
      tasks: [{ taskId: 'clean', state: 'success' }],
      manifests: [
        { taskId: 'clean', manifest: { path: 'orders/part-0.csv', rows: 1 } },
      ],
    });
    // A second sync finds nothing left to do.
    await expect(env.runs.syncActive()).resolves.toBe(0);
  });

  it.each([
    [
      404,
      { detail: 'DAG orders_daily not found' },
      404,
      /Airflow "local".*404/,
    ],
    [409, { detail: 'DAG run already exists' }, 409, /409/],
    [
      401,
      { detail: 'Invalid token' },
      502,
      /refused the configured credentials/,
    ],
  ])(
    'answers Airflow %s with the matching status naming the instance, and records the run as error',
    async (airflowStatus, body, status, message) => {
      const env = await setup();
      env.airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns', {
        status: airflowStatus,
        body,
      });
      const started = await request(env.app)
        .post(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      expect(started.status).toBe(status);
      expect(started.body.error.message).toMatch(message);
      expect(started.body.error.message).not.toMatch(/s3cret-pw/);
      const listed = await request(env.app)
        .get(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      expect(listed.body.items).toMatchObject([{ state: 'error' }]);
    },
  );

  it('starts the first run by itself when configured to, as the creator', async () => {
    const env = await setup({
      startOnReady: true,
      prepare: airflow =>
        airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns', req => ({
          body: v2.dagRun('orders_daily', req.body.dag_run_id, {
            state: 'queued',
          }),
        })),
    });
    const runs = await request(env.app)
      .get(`/environments/${env.environment.id}/runs`)
      .set('Authorization', user);
    expect(runs.body.items).toMatchObject([
      { state: 'queued', startedBy: 'user:default/mock' },
    ]);
  });

  it('refuses to start a run in an environment that is not ready', async () => {
    const env = await setup();
    await request(env.app)
      .delete(`/environments/${env.environment.id}`)
      .set('Authorization', user);
    await env.provisioner.settled();
    const started = await request(env.app)
      .post(`/environments/${env.environment.id}/runs`)
      .set('Authorization', user);
    expect(started.status).toBe(409);
    expect(started.body.error.message).toMatch(
      /runs start only in a ready environment/,
    );
    expect(env.airflow.requests).toEqual([]);
  });
});

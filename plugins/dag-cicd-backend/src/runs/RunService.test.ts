import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import request from 'supertest';
import { createAirflowClient } from '@dag-cicd/plugin-dag-cicd-node';
import {
  AirflowMock,
  airflowMockServer,
  jwt,
  v2,
} from '@dag-cicd/plugin-dag-cicd-node/testUtils';
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
const BATCH = '/api/v2/dags/{dag_id}/dagRuns/list';
const TASK_BATCH =
  '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/list';
const GET_RUN = '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}';
const HOUR = 3_600_000;

type Json = Record<string, any>;

/**
 * An Airflow holding these runs (objects a test may change between syncs),
 * filtering the batch lists by DAG, state and end date as Airflow does.
 */
function holdRuns(airflow: AirflowMock, runs: Json[]) {
  airflow.on('POST', BATCH, ({ body }) => {
    const found = runs.filter(
      r =>
        body.dag_ids.includes(r.dag_id) &&
        (!body.states || body.states.includes(r.state)) &&
        (!body.end_date_gte ||
          (r.end_date !== null &&
            Date.parse(r.end_date) >= Date.parse(body.end_date_gte))),
    );
    return {
      body: {
        dag_runs: found.slice(
          body.page_offset,
          body.page_offset + body.page_limit,
        ),
        total_entries: found.length,
      },
    };
  });
  airflow.on('POST', TASK_BATCH, ({ body }) => {
    const found = runs
      .filter(
        r =>
          body.dag_ids.includes(r.dag_id) &&
          body.dag_run_ids.includes(r.dag_run_id),
      )
      .map(r => v2.taskInstance(r.dag_id, r.dag_run_id, 'clean'));
    return { body: { task_instances: found, total_entries: found.length } };
  });
  airflow.on('GET', GET_RUN, ({ params }) => {
    const found = runs.find(
      r => r.dag_id === params.dag_id && r.dag_run_id === params.dag_run_id,
    );
    return found
      ? { body: found }
      : { status: 404, body: v2.error('The DagRun was not found') };
  });
}

/** A run of the `orders_daily` schedule that ended `hoursAgo` hours ago. */
function scheduledRun(hoursAgo: number): Json {
  const at = new Date(Date.now() - hoursAgo * HOUR).toISOString();
  return v2.dagRun('orders_daily', `scheduled__${at}`, {
    run_type: 'scheduled',
    state: 'success',
    end_date: at,
  });
}

async function setup(
  options: {
    startOnReady?: boolean;
    prepare?: (airflow: ReturnType<typeof msw.mock>) => void;
    /** The client's time limit per request; short where Airflow hangs. */
    timeoutMs?: number;
    profile?: string;
    config?: Record<string, unknown>;
    /** The production input `orders`, as CSV. */
    orders?: string;
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
      timeoutMs: options.timeoutMs ?? 2_000,
      retries: 1,
    } as any,
    { sleep: async () => {} },
  );
  const env = await createEnvironmentApp({
    knex: await databases.init('SQLITE_3'),
    airflow: { get: () => client },
    startOnReady: options.startOnReady,
    config: options.config,
  });
  writeFile(
    env.root,
    'lake/raw/orders/dt=2026-11-24/part-0.csv',
    options.orders ?? 'id\n1\n',
  );
  const created = await request(env.app)
    .post('/environments')
    .set('Authorization', user)
    .send({
      entityRef: ORDERS,
      commit: SHA,
      profile: options.profile ?? 'production-readonly',
    });
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
    env.airflow.on('POST', BATCH, {
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
    env.airflow.on('POST', TASK_BATCH, {
      body: {
        task_instances: [v2.taskInstance('orders_daily', runId, 'clean')],
        total_entries: 1,
      },
    });
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

  // Issue 5, "Bad input and faults": whatever Airflow does, the answer is a
  // 4xx or 502 naming the instance and the cause, the run is recorded as
  // `error` with that message (never left `requested`), and starting again
  // works once Airflow answers.
  const validation = {
    detail: [
      {
        loc: ['body', 'conf'],
        msg: 'Input should be a valid dictionary',
        type: 'dict_type',
      },
    ],
  };
  it.each([
    [
      '404 (unknown DAG)',
      { status: 404, body: { detail: 'DAG orders_daily not found' } },
      404,
      /^Airflow "local": triggerDagRun\(orders_daily\) failed: 404 Not Found — DAG orders_daily not found$/,
    ],
    [
      '409 (duplicate run id)',
      { status: 409, body: { detail: 'DAG run already exists' } },
      409,
      /^Airflow "local": .*409 Conflict — DAG run already exists$/,
    ],
    [
      '401',
      { status: 401, body: { detail: 'Invalid token' } },
      502,
      /^Airflow "local" refused the configured credentials/,
    ],
    [
      '403',
      { status: 403, body: { detail: 'Forbidden' } },
      502,
      /^Airflow "local" does not allow the configured credentials/,
    ],
    [
      '422',
      { status: 422, body: validation },
      400,
      /^Airflow "local": .*422 Unprocessable Entity — body.conf: Input should be a valid dictionary$/,
    ],
    [
      'unreachable',
      { network: 'error' as const },
      502,
      /^Airflow "local": .*cannot reach Airflow/,
    ],
    [
      'hanging',
      { hang: true as const },
      502,
      /^Airflow "local": .*no answer within/,
    ],
  ])(
    'answers Airflow %s with the matching status naming the instance, records the run as error, and a retry succeeds',
    async (_case, answer, status, message) => {
      const env = await setup({ timeoutMs: 200 });
      env.airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns', answer);
      const started = await request(env.app)
        .post(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      expect(started.status).toBe(status);
      expect(started.body.error.message).toMatch(message);
      expect(started.body.error.message).not.toMatch(/s3cret-pw/);
      expect(started.body.error).not.toHaveProperty('stack');
      const failed = await request(env.app)
        .get(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      expect(failed.body.items).toEqual([
        expect.objectContaining({
          state: 'error',
          error: started.body.error.message,
        }),
      ]);

      // Airflow is back: the same request starts a run.
      env.airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns', req => ({
        body: v2.dagRun('orders_daily', req.body.dag_run_id, {
          state: 'queued',
        }),
      }));
      const retried = await request(env.app)
        .post(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      expect(retried.status).toBe(201);
      const runs = await request(env.app)
        .get(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      expect(runs.body.items.map((r: any) => r.state)).toEqual([
        'queued',
        'error',
      ]);
    },
  );

  // The batch list never answers 409 (its spec has none): only the trigger does.
  it.each([
    [
      '401',
      { status: 401, body: { detail: 'Invalid token' } },
      502,
      /^Airflow "local" refused the configured credentials/,
    ],
    [
      '403',
      { status: 403, body: { detail: 'Forbidden' } },
      502,
      /^Airflow "local" does not allow the configured credentials/,
    ],
    [
      '404',
      { status: 404, body: { detail: 'Not found' } },
      404,
      /^Airflow "local": listDagRunsBatch.* 404 Not Found/,
    ],
    [
      '422',
      { status: 422, body: validation },
      400,
      /^Airflow "local": listDagRunsBatch.* 422 Unprocessable Entity/,
    ],
    [
      'unreachable',
      { network: 'error' as const },
      502,
      /^Airflow "local": listDagRunsBatch.* cannot reach Airflow/,
    ],
    [
      'hanging',
      { hang: true as const },
      502,
      /^Airflow "local": listDagRunsBatch.* no answer within/,
    ],
  ])(
    'answers a refresh that meets Airflow %s with the matching status naming the instance, changes nothing, and a retry syncs',
    async (_case, answer, status, message) => {
      const env = await setup({
        timeoutMs: 200,
        prepare: airflow =>
          airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns', req => ({
            body: v2.dagRun('orders_daily', req.body.dag_run_id, {
              state: 'queued',
            }),
          })),
      });
      const started = await request(env.app)
        .post(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      env.airflow.on('POST', BATCH, answer);
      const refresh = () =>
        request(env.app)
          .get(`/environments/${env.environment.id}/runs`)
          .query({ refresh: true })
          .set('Authorization', user);
      const refused = await refresh();
      expect(refused.status).toBe(status);
      expect(refused.body.error.message).toMatch(message);
      expect(refused.body.error).not.toHaveProperty('stack');
      const unchanged = await request(env.app)
        .get(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      expect(unchanged.body.items).toEqual([
        expect.objectContaining({ state: 'queued' }),
      ]);
      expect(unchanged.body.items[0]).not.toHaveProperty('error');

      // Airflow is back: the run ended meanwhile, and a refresh says so.
      holdRuns(env.airflow, [
        v2.dagRun('orders_daily', started.body.dagRunId, {
          state: 'success',
          end_date: new Date().toISOString(),
        }),
      ]);
      const synced = await refresh();
      expect(synced.status).toBe(200);
      expect(synced.body.items).toEqual([
        expect.objectContaining({ state: 'success' }),
      ]);
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

  describe('sync', () => {
    async function startRun() {
      const env = await setup({
        prepare: airflow =>
          airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns', req => ({
            body: v2.dagRun('orders_daily', req.body.dag_run_id, {
              state: 'queued',
            }),
          })),
      });
      const started = await request(env.app)
        .post(`/environments/${env.environment.id}/runs`)
        .set('Authorization', user);
      const run = v2.dagRun('orders_daily', started.body.dagRunId);
      const stored = () =>
        request(env.app)
          .get(`/environments/${env.environment.id}/runs`)
          .set('Authorization', user)
          .then(r => r.body.items[0]);
      return { env, run, stored };
    }

    it('asks only about unfinished runs, and still sees one that finished between two syncs', async () => {
      const { env, run, stored } = await startRun();
      // 150 runs of the DAG's own schedule that ended before the run
      // started: more than a page, and none of the sync's business.
      const history = Array.from({ length: 150 }, (_, i) =>
        scheduledRun(2 + i),
      );
      holdRuns(env.airflow, [...history, run]);

      await expect(env.runs.syncActive()).resolves.toBe(1);
      expect(await stored()).toMatchObject({ state: 'running', tasks: [] });
      const first = env.airflow.calls('POST', BATCH).map(r => r.body);
      expect(first).toEqual([
        {
          dag_ids: ['orders_daily'],
          states: ['queued', 'running'],
          page_offset: 0,
          page_limit: 100,
        },
      ]);

      // The run ends between two syncs: no list of unfinished runs holds it
      // any more, so the sync asks for the runs that ended since it last
      // wrote it, with room for Airflow's clock to lag.
      Object.assign(run, {
        state: 'success',
        end_date: new Date().toISOString(),
      });
      const lastWritten = Date.now();
      await expect(env.runs.syncActive()).resolves.toBe(1);
      expect(await stored()).toMatchObject({
        state: 'success',
        tasks: [{ taskId: 'clean', state: 'success' }],
      });
      const second = env.airflow.calls('POST', BATCH).slice(1);
      expect(second.map(r => r.body)).toEqual([
        first[0],
        {
          dag_ids: ['orders_daily'],
          states: ['success', 'failed'],
          end_date_gte: expect.any(String),
          page_offset: 0,
          page_limit: 100,
        },
      ]);
      const since = Date.parse(second[1].body.end_date_gte);
      expect(since).toBeLessThanOrEqual(lastWritten - 5 * 60_000);
      expect(since).toBeGreaterThan(Date.now() - HOUR);
      expect(env.airflow.calls('POST', TASK_BATCH)).toHaveLength(1);
      expect(env.airflow.calls('GET', GET_RUN)).toEqual([]);

      // Nothing is left to ask about.
      await expect(env.runs.syncActive()).resolves.toBe(0);
      expect(env.airflow.calls('POST', BATCH)).toHaveLength(3);
    });

    it("asks for a run on its own when neither list holds it, as when Airflow's clock lags", async () => {
      const { env, run, stored } = await startRun();
      // By the backend's clock, the run ended before it was triggered.
      Object.assign(run, {
        state: 'failed',
        end_date: new Date(Date.now() - HOUR).toISOString(),
      });
      holdRuns(env.airflow, [run]);
      await expect(env.runs.syncActive()).resolves.toBe(1);
      expect(await stored()).toMatchObject({
        state: 'failed',
        tasks: [{ taskId: 'clean' }],
      });
      expect(env.airflow.calls('GET', GET_RUN)).toHaveLength(1);
    });

    it('records a run that Airflow no longer has as an error, and stops asking about it', async () => {
      const { env, stored } = await startRun();
      holdRuns(env.airflow, []);
      await expect(env.runs.syncActive()).resolves.toBe(1);
      expect(await stored()).toMatchObject({
        state: 'error',
        error: expect.stringMatching(
          /Airflow "local" no longer has DAG run dag_cicd__ci_ab12cd3__\S+ of orders_daily/,
        ),
      });
      const asked = env.airflow.requests.length;
      await expect(env.runs.syncActive()).resolves.toBe(0);
      expect(env.airflow.requests).toHaveLength(asked);
    });

    it('writes nothing when Airflow fails half-way, so that the next sync does it all', async () => {
      const { env, run, stored } = await startRun();
      Object.assign(run, {
        state: 'success',
        end_date: new Date().toISOString(),
      });
      holdRuns(env.airflow, [run]);
      env.airflow.on('POST', TASK_BATCH, {
        status: 403,
        body: v2.error('Forbidden'),
      });
      await expect(env.runs.syncActive()).resolves.toBe(0);
      expect(await stored()).toMatchObject({ state: 'queued' });
      holdRuns(env.airflow, [run]);
      await expect(env.runs.syncActive()).resolves.toBe(1);
      expect(await stored()).toMatchObject({ state: 'success' });
    });
  });

  describe('environment conf', () => {
    const conf = (env: { app: any; environment: { id: string } }) =>
      request(env.app)
        .get(`/environments/${env.environment.id}/conf`)
        .set('Authorization', user);

    it("is exactly what runs carry, and says whether the DAG's runs write through the package", async () => {
      const env = await setup({
        prepare: airflow =>
          airflow.on('POST', '/api/v2/dags/{dag_id}/dagRuns', req => ({
            body: v2.dagRun('orders_daily', req.body.dag_run_id, {
              state: 'queued',
            }),
          })),
      });
      const before = await conf(env);
      expect(before.status).toBe(200);
      expect(before.body).toEqual({
        conf: expect.objectContaining({ environment: 'ci_ab12cd3' }),
        isolationEnforced: null,
        faultReport: null,
      });

      const finish = async () => {
        const started = await request(env.app)
          .post(`/environments/${env.environment.id}/runs`)
          .set('Authorization', user);
        holdRuns(env.airflow, [
          v2.dagRun('orders_daily', started.body.dagRunId, {
            state: 'success',
            end_date: new Date().toISOString(),
          }),
        ]);
        return started.body.dagRunId as string;
      };
      // A DAG that does not use the package: its run succeeds, no manifest.
      await finish();
      const [trigger] = env.airflow.calls(
        'POST',
        '/api/v2/dags/{dag_id}/dagRuns',
      );
      expect(before.body.conf).toEqual(trigger.body.conf.dag_cicd);
      await env.runs.syncActive();
      expect((await conf(env)).body).toMatchObject({
        isolationEnforced: false,
      });

      // Once a run's manifest reaches the backend, the package is in use.
      const runId = await finish();
      const namespace = env.environment.dataNamespace.slice('file://'.length);
      writeFile(
        '/',
        `${namespace}_manifests/${runId}/clean.json`,
        JSON.stringify({ rows: 1 }),
      );
      await env.runs.syncActive();
      expect((await conf(env)).body).toMatchObject({
        isolationEnforced: true,
      });
    });

    it('summarises per input what the fault injector did to a chaos environment', async () => {
      const rows = Array.from({ length: 200 }, (_, i) => `${i},${i * 10}`);
      const env = await setup({
        profile: 'chaos',
        config: { environments: { chaos: { duplicates: 0.1, nulls: 0.1 } } },
        orders: `id,amount\n${rows.join('\n')}\n`,
      });
      expect(env.environment.status).toBe('provisioning');
      const answer = await conf(env);
      expect(answer.status).toBe(200);
      const namespace = env.environment.dataNamespace;
      const report = `${namespace}_chaos/report.jsonl`;
      const lines = fs
        .readFileSync(report.slice('file://'.length), 'utf8')
        .trim()
        .split('\n')
        .map(line => JSON.parse(line));
      const injected = (fault: string) =>
        lines.filter(l => l.fault === fault).length;
      expect(injected('duplicates')).toBeGreaterThan(0);
      expect(answer.body.faultReport).toEqual({
        report,
        inputs: {
          orders: {
            rowsIn: 200,
            rowsOut: 200 + injected('duplicates'),
            byFault: expect.objectContaining({
              duplicates: injected('duplicates'),
              nulls: injected('nulls'),
            }),
            files: [
              expect.objectContaining({
                file: 'inputs/orders/dt=2026-11-24/part-0.csv',
                rowsIn: 200,
              }),
            ],
          },
        },
      });
    });
  });
});

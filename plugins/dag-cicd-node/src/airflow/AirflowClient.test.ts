import { InputError } from '@backstage/errors';
import fc from 'fast-check';
import { createAirflowClient } from './AirflowInstances';
import { AirflowInstanceConfig } from './config';
import { AirflowApiVersion, AirflowClient, AirflowDagRun } from './types';
import { airflowMockServer, AirflowMock } from '../testUtils/airflowMock';
import { jwt, v1, v2 } from '../testUtils/fixtures';

/*
 * Both API versions, call by call: the same question to an Airflow 3 and an
 * Airflow 2 instance gets the same answer from the client, whatever each API
 * calls things. Every request and answer is checked against the version's
 * spec by the mock.
 */

const mocks = airflowMockServer();

const T0 = '2026-05-01T06:00:00Z';
const T1 = '2026-05-01T06:00:05Z';
const T2 = '2026-05-01T06:03:00Z';

/** What differs between the versions, for the tests below. */
const versions = {
  v2: {
    api: '/api/v2',
    fixtures: v2,
    auth: { type: 'simple', username: 'admin', password: 'hunter2' },
    prepare: (mock: AirflowMock) => mock.tokens(jwt(4102444800)),
    run: (dagId: string, runId: string, overrides = {}) =>
      v2.dagRun(dagId, runId, overrides),
    xcom: (value: unknown) =>
      v2.xcom('orders', 'r1', 'load', 'manifest', value),
    // The spec's template; `dag_id` is pinned to `~`.
    batch: '/api/v2/dags/{dag_id}/dagRuns/list',
    taskBatch: '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/list',
    assets: '/api/v2/assets',
    assetList: (items: object[]) => ({ assets: items }),
    asset: () =>
      v2.asset(7, 's3://lake/orders/', {
        name: 'orders',
        producing_tasks: [v2.reference('orders', 'load')],
        scheduled_dags: [v2.reference('revenue')],
        consuming_tasks: [v2.reference('audit', 'check')],
      }),
    ui: {
      dag: 'https://airflow.example.com/dags/orders',
      run: 'https://airflow.example.com/dags/orders/runs/manual__2026-05-01T06%3A00%3A00%2B00%3A00',
    },
  },
  v1: {
    api: '/api/v1',
    fixtures: v1,
    auth: { type: 'basic', username: 'admin', password: 'hunter2' },
    prepare: (_: AirflowMock) => {},
    run: (dagId: string, runId: string, overrides = {}) =>
      v1.dagRun(dagId, runId, overrides),
    xcom: (value: unknown) => v1.xcom('orders', 'load', 'manifest', value),
    batch: '/api/v1/dags/~/dagRuns/list',
    taskBatch: '/api/v1/dags/~/dagRuns/~/taskInstances/list',
    assets: '/api/v1/datasets',
    assetList: (items: object[]) => ({ datasets: items }),
    asset: () =>
      v1.dataset(7, 's3://lake/orders/', {
        producing_tasks: [v1.reference('orders', 'load')],
        consuming_dags: [v1.reference('revenue')],
      }),
    ui: {
      dag: 'https://airflow.example.com/dags/orders/grid',
      run: 'https://airflow.example.com/dags/orders/grid?dag_run_id=manual__2026-05-01T06%3A00%3A00%2B00%3A00',
    },
  },
};

function setup(apiVersion: AirflowApiVersion): {
  client: AirflowClient;
  mock: AirflowMock;
} {
  const mock = mocks.mock(apiVersion);
  versions[apiVersion].prepare(mock);
  const config = {
    name: 'prod',
    baseUrl: `http://airflow-${apiVersion}.test`,
    apiVersion,
    auth: versions[apiVersion].auth,
    uiUrl: 'https://airflow.example.com',
    timeoutMs: 5000,
    retries: 0,
  } as AirflowInstanceConfig;
  return { client: createAirflowClient(config), mock };
}

const orders = {
  dagId: 'orders',
  displayName: 'orders',
  description: 'The orders pipeline',
  isPaused: false,
  isStale: false,
  owners: ['data-eng'],
  tags: ['etl'],
  timetableSummary: '0 6 * * *',
  timetableDescription: 'At 06:00',
  fileloc: '/opt/airflow/dags/orders.py',
  hasImportErrors: false,
  lastParsedTime: T0,
};

/** The run the fixtures describe, as each version reports it. */
function expectedRun(apiVersion: AirflowApiVersion, overrides = {}) {
  const common = {
    dagId: 'orders',
    runId: 'r1',
    state: 'running',
    runType: 'manual',
    startDate: T1,
    endDate: undefined,
    conf: {},
    note: undefined,
  };
  return apiVersion === 'v2'
    ? {
        ...common,
        logicalDate: undefined,
        queuedAt: T0,
        bundleVersion: 'ab12cd3',
        ...overrides,
      }
    : {
        ...common,
        logicalDate: T0,
        queuedAt: undefined,
        bundleVersion: undefined,
        ...overrides,
      };
}

describe.each(['v2', 'v1'] as const)('the Airflow client (%s)', apiVersion => {
  const version = versions[apiVersion];
  const { api, fixtures } = version;

  it('tells which instance it talks to', () => {
    expect(setup(apiVersion).client.instance).toEqual({
      name: 'prod',
      apiVersion,
      baseUrl: `http://airflow-${apiVersion}.test`,
      uiUrl: 'https://airflow.example.com',
    });
  });

  it('gets a DAG', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('GET', `${api}/dags/{dag_id}`, ({ params }) => ({
      body: fixtures.dag(params.dag_id),
    }));
    await expect(client.getDag('orders')).resolves.toEqual(orders);
  });

  it('reads a stale DAG and one with no schedule', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('GET', `${api}/dags/{dag_id}`, {
      body:
        apiVersion === 'v2'
          ? v2.dag('old', {
              is_stale: true,
              timetable_summary: null,
              description: null,
            })
          : v1.dag('old', {
              is_active: false,
              schedule_interval: null,
              description: null,
            }),
    });
    await expect(client.getDag('old')).resolves.toMatchObject({
      isStale: true,
      timetableSummary: undefined,
      description: undefined,
    });
  });

  it('gets DAG details: owners, links, docs, schedule', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('GET', `${api}/dags/{dag_id}/details`, ({ params }) => ({
      body: fixtures.dagDetails(params.dag_id),
    }));
    const details = await client.getDagDetails('orders');
    expect(details).toMatchObject({
      ...orders,
      docMd: '# Orders\nDaily orders.',
      startDate: '2026-01-01T00:00:00Z',
      catchup: false,
    });
    // Owner links and bundles exist in Airflow 3 only.
    expect(details.ownerLinks).toEqual(
      apiVersion === 'v2'
        ? { 'data-eng': 'https://example.com/teams/data-eng' }
        : {},
    );
    expect(details.bundleName).toBe(
      apiVersion === 'v2' ? 'dags-folder' : undefined,
    );
  });

  it('lists DAGs with filters, as query parameters the API knows', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('GET', `${api}/dags`, {
      body: { dags: [fixtures.dag('orders')], total_entries: 31 },
    });
    await expect(
      client.listDags({
        tags: ['etl', 'finance'],
        dagIdPattern: 'ord',
        paused: false,
        includeStale: true,
        limit: 10,
        offset: 20,
      }),
    ).resolves.toEqual({ items: [orders], totalEntries: 31 });
    const query = mock.calls('GET', `${api}/dags`)[0].query;
    expect(query.getAll('tags')).toEqual(['etl', 'finance']);
    expect(query.get('dag_id_pattern')).toBe('ord');
    expect(query.get('paused')).toBe('false');
    expect(query.get('limit')).toBe('10');
    expect(query.get('offset')).toBe('20');
    expect(
      query.get(apiVersion === 'v2' ? 'exclude_stale' : 'only_active'),
    ).toBe('false');
  });

  it('pages through every DAG to total_entries, as far as each page reaches', async () => {
    const { client, mock } = setup(apiVersion);
    const all = Array.from({ length: 7 }, (_, i) => `dag_${i}`);
    mock.on('GET', `${api}/dags`, ({ query }) => {
      const offset = Number(query.get('offset'));
      // Airflow cuts pages to its maximum_page_limit, here 3.
      const limit = Math.min(Number(query.get('limit')), 3);
      return {
        body: {
          dags: all.slice(offset, offset + limit).map(id => fixtures.dag(id)),
          total_entries: all.length,
        },
      };
    });
    const pages: string[][] = [];
    for await (const page of client.iterateDags({
      tags: ['etl'],
      pageSize: 5,
    })) {
      pages.push(page.map(d => d.dagId));
    }
    expect(pages).toEqual([all.slice(0, 3), all.slice(3, 6), all.slice(6)]);
    expect(
      mock
        .calls('GET', `${api}/dags`)
        .map(r => [r.query.get('offset'), r.query.getAll('tags')]),
    ).toEqual([
      ['0', ['etl']],
      ['3', ['etl']],
      ['6', ['etl']],
    ]);
  });

  it('triggers a run with its id, conf and note', async () => {
    const { client, mock } = setup(apiVersion);
    const conf = { dag_cicd: { environment: 'ci_ab12cd3', seed: 42 } };
    mock.on('POST', `${api}/dags/{dag_id}/dagRuns`, ({ params, body }) => ({
      body: version.run(params.dag_id, body.dag_run_id, {
        conf: body.conf,
        note: body.note,
        state: 'queued',
      }),
    }));
    const run = await client.triggerDagRun('orders', {
      dagRunId: 'r1',
      conf,
      note: 'ci_ab12cd3',
    });
    expect(run).toEqual(
      expectedRun(apiVersion, { state: 'queued', conf, note: 'ci_ab12cd3' }),
    );
    const sent = mock.calls('POST', `${api}/dags/{dag_id}/dagRuns`)[0].body;
    expect(sent).toEqual(
      apiVersion === 'v2'
        ? { dag_run_id: 'r1', logical_date: null, conf, note: 'ci_ab12cd3' }
        : { dag_run_id: 'r1', conf, note: 'ci_ab12cd3' },
    );
  });

  describe('a trigger answered 500', () => {
    // Airflow on SQLite answers 500 "database is locked" under load, and
    // may have committed the run before it failed.
    const failure = (message: string) => ({
      status: 500,
      body:
        apiVersion === 'v2'
          ? v2.error(message)
          : v1.error(500, 'Internal Server Error', message),
    });
    const retrying = () => {
      const { mock } = setup(apiVersion);
      const client = createAirflowClient({
        name: 'prod',
        baseUrl: `http://airflow-${apiVersion}.test`,
        apiVersion,
        auth: versions[apiVersion].auth,
        timeoutMs: 5000,
        retries: 1,
      } as AirflowInstanceConfig);
      return { client, mock };
    };
    const conf = { dag_cicd: { environment: 'ci_ab12cd3', seed: 42 } };

    it('is sent again with the same run id, and starts one run', async () => {
      const { client, mock } = retrying();
      let calls = 0;
      mock.on('POST', `${api}/dags/{dag_id}/dagRuns`, ({ body }) =>
        ++calls === 1
          ? failure('Database error')
          : { body: version.run('orders', body.dag_run_id, { conf }) },
      );
      const run = await client.triggerDagRun('orders', {
        dagRunId: 'r1',
        conf,
      });
      expect(run.conf).toEqual(conf);
      const sent = mock.calls('POST', `${api}/dags/{dag_id}/dagRuns`);
      expect(sent.map(r => r.body.dag_run_id)).toEqual(['r1', 'r1']);
    });

    it('returns the run a failed-looking first attempt committed', async () => {
      const { client, mock } = retrying();
      let calls = 0;
      mock.on('POST', `${api}/dags/{dag_id}/dagRuns`, () =>
        ++calls === 1
          ? failure('Database error')
          : {
              status: 409,
              body:
                apiVersion === 'v2'
                  ? v2.error(
                      'The DagRun with dag_id: `orders` and run_id: `r1` already exists',
                    )
                  : v1.error(
                      409,
                      'Conflict',
                      'DAGRun with DAG ID: orders and DAGRun ID: r1 already exists',
                    ),
            },
      );
      mock.on('GET', `${api}/dags/{dag_id}/dagRuns/{dag_run_id}`, () => ({
        // Key order as the database gives it back.
        body: version.run('orders', 'r1', {
          conf: { dag_cicd: { seed: 42, environment: 'ci_ab12cd3' } },
        }),
      }));
      const run = await client.triggerDagRun('orders', {
        dagRunId: 'r1',
        conf,
      });
      expect(run.runId).toBe('r1');
    });

    it('still refuses a run id some other request used', async () => {
      const { client, mock } = retrying();
      mock.on('POST', `${api}/dags/{dag_id}/dagRuns`, {
        status: 409,
        body:
          apiVersion === 'v2'
            ? v2.error(
                'The DagRun with dag_id: `orders` and run_id: `r1` already exists',
              )
            : v1.error(
                409,
                'Conflict',
                'DAGRun with DAG ID: orders and DAGRun ID: r1 already exists',
              ),
      });
      mock.on('GET', `${api}/dags/{dag_id}/dagRuns/{dag_run_id}`, {
        body: version.run('orders', 'r1', { conf: { other: true } }),
      });
      await expect(
        client.triggerDagRun('orders', { dagRunId: 'r1', conf }),
      ).rejects.toMatchObject({ status: 409 });
    });
  });

  it('sends "logical_date": null explicitly on Airflow 3 only', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('POST', `${api}/dags/{dag_id}/dagRuns`, ({ body }) => ({
      body: version.run('orders', body.dag_run_id),
    }));
    await client.triggerDagRun('orders', { dagRunId: 'r1', conf: {} });
    const sent = mock.calls('POST', `${api}/dags/{dag_id}/dagRuns`)[0].body;
    expect(Object.keys(sent)).toEqual(
      apiVersion === 'v2'
        ? ['dag_run_id', 'logical_date', 'conf']
        : ['dag_run_id', 'conf'],
    );
  });

  it('gets a run, keeping the bundle version Airflow 3 stamps on it', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on(
      'GET',
      `${api}/dags/{dag_id}/dagRuns/{dag_run_id}`,
      ({ params }) => ({
        body: version.run(params.dag_id, params.dag_run_id, {
          state: 'success',
          end_date: T2,
        }),
      }),
    );
    const run: AirflowDagRun = await client.getDagRun('orders', 'r1');
    expect(run).toEqual(
      expectedRun(apiVersion, { state: 'success', endDate: T2 }),
    );
  });

  it('encodes run ids in paths', async () => {
    const { client, mock } = setup(apiVersion);
    const runId = 'manual__2026-05-01T06:00:00+00:00';
    mock.on(
      'GET',
      `${api}/dags/{dag_id}/dagRuns/{dag_run_id}`,
      ({ params }) => ({
        body: version.run(params.dag_id, params.dag_run_id),
      }),
    );
    await expect(client.getDagRun('orders', runId)).resolves.toMatchObject({
      runId,
    });
    expect(
      mock.calls('GET', `${api}/dags/{dag_id}/dagRuns/{dag_run_id}`)[0].path,
    ).toBe(
      `${api}/dags/orders/dagRuns/manual__2026-05-01T06%3A00%3A00%2B00%3A00`,
    );
  });

  it('addresses exactly the DAG and run asked about, whatever their ids hold', async () => {
    const { client, mock } = setup(apiVersion);
    const template = `${api}/dags/{dag_id}/dagRuns/{dag_run_id}`;
    mock.on('GET', template, ({ params }) => ({
      body: version.run(params.dag_id, params.dag_run_id),
    }));
    const id = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.constantFrom('', '.', '..', '../x', 'a/b', '%2F', '?q=1', '#f', '~'),
    );
    const refused = { error: expect.any(InputError), sent: [] };
    await fc.assert(
      fc.asyncProperty(id, id, async (dagId, runId) => {
        const before = mock.calls('GET', template).length;
        const outcome = await client.getDagRun(dagId, runId).then(
          run => ({ run: { dagId: run.dagId, runId: run.runId } }),
          error => ({ error }),
        );
        const sent = mock
          .calls('GET', template)
          .slice(before)
          .map(r => r.params);
        // A URL cannot carry '', '.' or '..' as a segment: they would
        // address another resource, so nothing is sent for them.
        const addressable = ![dagId, runId].some(
          v => v === '' || v === '.' || v === '..',
        );
        expect({ ...outcome, sent }).toEqual(
          addressable
            ? {
                run: { dagId, runId },
                sent: [{ dag_id: dagId, dag_run_id: runId }],
              }
            : refused,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('lists a DAG’s runs, newest first, by state', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('GET', `${api}/dags/{dag_id}/dagRuns`, {
      body: {
        dag_runs: [version.run('orders', 'r2'), version.run('orders', 'r1')],
        total_entries: 2,
      },
    });
    const page = await client.listDagRuns('orders', {
      states: ['queued', 'running'],
      limit: 25,
    });
    expect(page.items.map(r => r.runId)).toEqual(['r2', 'r1']);
    expect(page.totalEntries).toBe(2);
    const query = mock.calls('GET', `${api}/dags/{dag_id}/dagRuns`)[0].query;
    expect(query.getAll('state')).toEqual(['queued', 'running']);
    expect(query.getAll('order_by')).toEqual(['-id']);
    expect(query.get('limit')).toBe('25');
  });

  it('lists the runs of many DAGs through the batch endpoint, page by page', async () => {
    const { client, mock } = setup(apiVersion);
    const runs = Array.from({ length: 250 }, (_, i) =>
      version.run(`dag_${i % 40}`, `run_${i}`),
    );
    mock.on('POST', version.batch, ({ body }) => ({
      body: {
        dag_runs: runs.slice(
          body.page_offset,
          body.page_offset + body.page_limit,
        ),
        total_entries: runs.length,
      },
    }));
    const dagIds = Array.from({ length: 40 }, (_, i) => `dag_${i}`);
    const listed = await client.listDagRunsBatch({
      dagIds,
      states: ['queued', 'running'],
    });
    expect(listed.map(r => r.runId)).toEqual(runs.map(r => r.dag_run_id));
    const sent = mock.calls('POST', version.batch).map(r => r.body);
    // ceil(250 / 100) requests, whatever the number of DAGs.
    expect(sent).toEqual(
      [0, 100, 200].map(offset => ({
        dag_ids: dagIds,
        states: ['queued', 'running'],
        page_offset: offset,
        page_limit: 100,
      })),
    );
  });

  it('asks nothing for the runs of no DAG, since Airflow reads that as every DAG', async () => {
    const { client, mock } = setup(apiVersion);
    await expect(client.listDagRunsBatch({ dagIds: [] })).resolves.toEqual([]);
    expect(mock.requests).toEqual([]);
  });

  it('lists only the runs that ended since an instant, as end_date_gte', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('POST', version.batch, {
      body: {
        dag_runs: [
          version.run('orders', 'r1', { state: 'success', end_date: T2 }),
        ],
        total_entries: 1,
      },
    });
    const listed = await client.listDagRunsBatch({
      dagIds: ['orders'],
      states: ['success', 'failed'],
      endedSince: T1,
    });
    expect(listed).toEqual([
      expectedRun(apiVersion, { state: 'success', endDate: T2 }),
    ]);
    expect(mock.calls('POST', version.batch)[0].body).toEqual({
      dag_ids: ['orders'],
      states: ['success', 'failed'],
      end_date_gte: T1,
      page_offset: 0,
      page_limit: 100,
    });
  });

  it('lists the task instances of many runs through the batch endpoint, keeping only the runs asked for', async () => {
    const { client, mock } = setup(apiVersion);
    // Airflow filters DAG ids and run ids apart: `audit` has a run `r1` too.
    const tis = [
      ...Array.from({ length: 120 }, (_, i) =>
        fixtures.taskInstance('orders', i % 2 ? 'r1' : 'r2', `t${i}`),
      ),
      fixtures.taskInstance('audit', 'r1', 'check'),
    ];
    mock.on('POST', version.taskBatch, ({ body }) => {
      const offset = body.page_offset ?? 0;
      const limit = body.page_limit ?? tis.length;
      return {
        body: {
          task_instances: tis.slice(offset, offset + limit),
          total_entries: tis.length,
        },
      };
    });
    const listed = await client.listTaskInstancesBatch([
      { dagId: 'orders', runId: 'r1' },
      { dagId: 'orders', runId: 'r2' },
      { dagId: 'audit', runId: 'r3' },
    ]);
    expect(listed).toHaveLength(120);
    expect(listed[1]).toEqual({
      dagId: 'orders',
      runId: 'r1',
      taskId: 't1',
      mapIndex: -1,
      state: 'success',
      tryNumber: 1,
      startDate: T1,
      endDate: T2,
      duration: 175,
      operator: 'PythonOperator',
    });
    const sent = mock.calls('POST', version.taskBatch).map(r => r.body);
    const filter = {
      dag_ids: ['orders', 'audit'],
      dag_run_ids: ['r1', 'r2', 'r3'],
    };
    // Airflow 2's batch form has no paging: its one answer holds every match.
    expect(sent).toEqual(
      apiVersion === 'v2'
        ? [0, 100].map(offset => ({
            ...filter,
            page_offset: offset,
            page_limit: 100,
          }))
        : [filter],
    );
  });

  it('asks nothing for the task instances of no run', async () => {
    const { client, mock } = setup(apiVersion);
    await expect(client.listTaskInstancesBatch([])).resolves.toEqual([]);
    expect(mock.requests).toEqual([]);
  });

  it('lists every task instance of a run', async () => {
    const { client, mock } = setup(apiVersion);
    const template = `${api}/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances`;
    const tis = [
      fixtures.taskInstance('orders', 'r1', 'extract'),
      fixtures.taskInstance('orders', 'r1', 'load', {
        state: null,
        start_date: null,
        end_date: null,
        duration: null,
      }),
      fixtures.taskInstance('orders', 'r1', 'load', {
        map_index: 0,
        state: 'failed',
      }),
    ];
    mock.on('GET', template, ({ query }) => {
      const offset = Number(query.get('offset'));
      return {
        body: {
          task_instances: tis.slice(offset, offset + 2),
          total_entries: 3,
        },
      };
    });
    await expect(client.listTaskInstances('orders', 'r1')).resolves.toEqual([
      {
        taskId: 'extract',
        mapIndex: -1,
        state: 'success',
        tryNumber: 1,
        startDate: T1,
        endDate: T2,
        duration: 175,
        operator: 'PythonOperator',
      },
      {
        taskId: 'load',
        mapIndex: -1,
        state: undefined,
        tryNumber: 1,
        startDate: undefined,
        endDate: undefined,
        duration: undefined,
        operator: 'PythonOperator',
      },
      expect.objectContaining({ taskId: 'load', mapIndex: 0, state: 'failed' }),
    ]);
  });

  it('gets an XCom value as JSON', async () => {
    const { client, mock } = setup(apiVersion);
    const manifest = { path: 's3://lake/x/orders.csv', rows: 10 };
    const template = `${api}/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}`;
    mock.on('GET', template, { body: version.xcom(manifest) });
    await expect(
      client.getXcomEntry('orders', 'r1', 'load', 'manifest'),
    ).resolves.toEqual(manifest);
    const query = mock.calls('GET', template)[0].query;
    expect(query.get('map_index')).toBe('-1');
    // Airflow 2.10 would answer Python's repr of the value otherwise.
    expect(query.get('stringify')).toBe(apiVersion === 'v1' ? 'false' : null);
  });

  it('sets an existing Airflow Variable with PATCH', async () => {
    const { client, mock } = setup(apiVersion);
    const template = `${api}/variables/{variable_key}`;
    mock.on('PATCH', template, ({ params, body }) => ({
      body:
        apiVersion === 'v2'
          ? { key: params.variable_key, value: body.value, is_encrypted: false }
          : { key: params.variable_key, value: body.value },
    }));
    await client.setVariable('orders_commit', 'ab12cd3');
    const [sent] = mock.calls('PATCH', template);
    expect(sent.params.variable_key).toBe('orders_commit');
    expect(sent.body).toEqual({ key: 'orders_commit', value: 'ab12cd3' });
    expect(mock.calls('POST', `${api}/variables`)).toEqual([]);
  });

  it('creates an Airflow Variable Airflow does not have yet', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('PATCH', `${api}/variables/{variable_key}`, {
      status: 404,
      body:
        apiVersion === 'v2'
          ? v2.error('The Variable with key: `orders_commit` was not found')
          : v1.error(404, 'Variable not found', 'orders_commit'),
    });
    mock.on('POST', `${api}/variables`, ({ body }) => ({
      status: apiVersion === 'v2' ? 201 : 200,
      body:
        apiVersion === 'v2'
          ? { key: body.key, value: body.value, is_encrypted: false }
          : { key: body.key, value: body.value },
    }));
    await client.setVariable('orders_commit', 'ab12cd3');
    expect(mock.calls('POST', `${api}/variables`)[0].body).toEqual({
      key: 'orders_commit',
      value: 'ab12cd3',
    });
  });

  it('lists assets (Airflow 3) and datasets (Airflow 2) alike', async () => {
    const { client, mock } = setup(apiVersion);
    mock.on('GET', version.assets, {
      body: { ...version.assetList([version.asset()]), total_entries: 1 },
    });
    const { items } = await client.listAssets({ limit: 50 });
    expect(items).toEqual([
      {
        id: 7,
        uri: 's3://lake/orders/',
        name: apiVersion === 'v2' ? 'orders' : 's3://lake/orders/',
        group: apiVersion === 'v2' ? 'asset' : undefined,
        producingTasks: [{ dagId: 'orders', taskId: 'load' }],
        scheduledDagIds: ['revenue'],
        consumingTasks:
          apiVersion === 'v2' ? [{ dagId: 'audit', taskId: 'check' }] : [],
      },
    ]);
    const pages = [];
    for await (const page of client.iterateAssets()) pages.push(page);
    expect(pages).toHaveLength(1);
  });

  it('links to the DAG and the run in the Airflow UI', () => {
    const { client } = setup(apiVersion);
    expect(client.uiLinkForDag('orders')).toBe(version.ui.dag);
    expect(
      client.uiLinkForRun('orders', 'manual__2026-05-01T06:00:00+00:00'),
    ).toBe(version.ui.run);
  });
});

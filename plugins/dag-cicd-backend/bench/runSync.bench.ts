/*
 * Status sync of 1,000 active runs across 2 Airflow instances: how many
 * requests one `syncActive()` sends to each instance, against the fewest the
 * Airflow 3 spec allows, and how long it takes, against just paging through
 * the same batch endpoint with the same client.
 *
 * Two local HTTP servers (real sockets) answer like Airflow 3: `/auth/token`,
 * the batch run list `POST /api/v2/dags/~/dagRuns/list` (honouring
 * `dag_ids`, `states`, the date range filters, `page_offset` and
 * `page_limit` capped at Airflow's default maximum of 100, in id order),
 * one run, a run's task instances and the batch task-instance list. Their
 * answers are built with the unit tests' fixtures, and during the first sync
 * of each case every exchange is checked against the spec. Each instance
 * holds 500 tracked runs of 10 DAGs started over the last two hours and, as
 * a real one would, each DAG's own schedule: 30 hourly runs finished before
 * those and 2 finished among them.
 *
 * Cases: (a) nothing changed since the last sync; (b) 10% of the tracked
 * runs finished: their task instances are fetched and their manifests read
 * from the file store. The minimum per instance is ceil(tracked / 100) batch
 * pages (plus the token, once), plus for (b) ceil(task instances / 100)
 * pages of the batch task-instance list. The sync may send one more in (b):
 * the spec cannot ask for "unfinished, or ended since" in one query, so the
 * runs that ended since they were last seen going are a query of their own.
 * Wall time: median of DAG_CICD_BENCH_SYNCS syncs (default 15), each
 * followed by the baseline.
 */
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  ACTIVE_DAG_RUN_STATES,
  AirflowClient,
  createAirflowClient,
} from '@dag-cicd/plugin-dag-cicd-node';
import {
  airflowContracts,
  jwt,
  v2,
} from '@dag-cicd/plugin-dag-cicd-node/testUtils';
import { RunRecord, RunStore } from '../src/runs/RunStore';
import { createEnvironmentApp } from '../src/__testUtils__/environmentApp';
import { environmentRecord, SHA } from '../src/__testUtils__/records';
import { temporarySqlite } from './engines';
import { formatMs, median, now, report, Row, runBenchmark } from './harness';
import {
  contractViolations,
  LocalServer,
  sendJson,
  serveLocally,
} from './localServer';

type Json = Record<string, any>;

const SYNCS = Number(process.env.DAG_CICD_BENCH_SYNCS ?? 15);
const INSTANCES = ['east', 'west'];
const DAGS = 20;
const ENVIRONMENTS_PER_DAG = 5;
const RUNS = 1_000;
const TASKS = ['extract', 'transform', 'load'];
const PAGE = 100;
const HOUR = 3_600_000;

const dagId = (d: number) => `dag_${String(d).padStart(2, '0')}`;
const instanceOf = (d: number) => INSTANCES[d % INSTANCES.length];
const iso = (ms: number) => new Date(ms).toISOString();

/** Requests an instance received, by kind. */
interface Counts {
  token: number;
  batch: number;
  taskInstances: number;
  getRun: number;
  other: number;
}

const noCounts = (): Counts => ({
  token: 0,
  batch: 0,
  taskInstances: 0,
  getRun: 0,
  other: 0,
});
const total = (c: Counts) =>
  c.token + c.batch + c.taskInstances + c.getRun + c.other;

// The filters of the batch body this server applies: every date filter of
// the spec's `DAGRunsBatchBody`. Anything else the client sends is flagged,
// so that the server never silently answers more than Airflow would.
const DATE_FILTER =
  /^(start_date|end_date|run_after|logical_date)_(gte|gt|lte|lt)$/;
const PAGING = new Set(['dag_ids', 'states', 'page_offset', 'page_limit']);
const TASK_BATCH = new Set([
  'dag_ids',
  'dag_run_ids',
  'page_offset',
  'page_limit',
]);

function matches(run: Json, body: Json): boolean {
  if (body.dag_ids?.length && !body.dag_ids.includes(run.dag_id)) return false;
  if (body.states?.length && !body.states.includes(run.state)) return false;
  for (const [key, value] of Object.entries(body)) {
    const filter = DATE_FILTER.exec(key);
    if (!filter || value === null || value === undefined) continue;
    // As in SQL: a null column matches no comparison.
    if (run[filter[1]] === null) return false;
    const a = Date.parse(run[filter[1]]);
    const b = Date.parse(value as string);
    const ok = {
      gte: a >= b,
      gt: a > b,
      lte: a <= b,
      lt: a < b,
    }[filter[2]];
    if (!ok) return false;
  }
  return true;
}

/** One Airflow 3 API server on a free local port. */
class FakeAirflow {
  /** Every DAG run, in id order (Airflow's default order for the batch list). */
  readonly runs: Json[] = [];
  counts = noCounts();
  /** When true, every exchange is checked against the spec. */
  checking = false;
  readonly violations: string[] = [];
  #server?: LocalServer;

  async start(): Promise<string> {
    this.#server = await serveLocally((req, res) => this.#handle(req, res));
    return this.#server.baseUrl;
  }

  stop() {
    this.#server?.close();
  }

  #find(dag: string, run: string) {
    return this.runs.find(r => r.dag_id === dag && r.dag_run_id === run);
  }

  #answer(method: string, url: URL, body: Json): [number, Json, keyof Counts] {
    const p = url.pathname;
    if (method === 'POST' && p === '/auth/token') {
      return [201, { access_token: jwt(4_102_444_800) }, 'token'];
    }
    if (method === 'POST' && p === '/api/v2/dags/~/dagRuns/list') {
      for (const key of Object.keys(body)) {
        if (!PAGING.has(key) && !DATE_FILTER.test(key)) {
          this.violations.push(`the bench server ignores the filter ${key}`);
        }
      }
      const found = this.runs.filter(r => matches(r, body));
      const offset = body.page_offset ?? 0;
      const limit = Math.min(body.page_limit ?? PAGE, PAGE);
      return [
        200,
        {
          dag_runs: found.slice(offset, offset + limit),
          total_entries: found.length,
        },
        'batch',
      ];
    }
    if (
      method === 'POST' &&
      p === '/api/v2/dags/~/dagRuns/~/taskInstances/list'
    ) {
      for (const key of Object.keys(body)) {
        if (!TASK_BATCH.has(key)) {
          this.violations.push(`the bench server ignores the filter ${key}`);
        }
      }
      const found = this.runs
        .filter(
          r =>
            (!body.dag_ids?.length || body.dag_ids.includes(r.dag_id)) &&
            (!body.dag_run_ids?.length ||
              body.dag_run_ids.includes(r.dag_run_id)),
        )
        .flatMap(r =>
          TASKS.map(task => v2.taskInstance(r.dag_id, r.dag_run_id, task)),
        );
      const offset = body.page_offset ?? 0;
      const limit = Math.min(body.page_limit ?? PAGE, PAGE);
      return [
        200,
        {
          task_instances: found.slice(offset, offset + limit),
          total_entries: found.length,
        },
        'taskInstances',
      ];
    }
    const run =
      /^\/api\/v2\/dags\/([^/]+)\/dagRuns\/([^/]+)(\/taskInstances)?$/.exec(p);
    if (method === 'GET' && run) {
      const [dag, id] = [run[1], run[2]].map(decodeURIComponent);
      const found = this.#find(dag, id);
      if (!found) {
        return [
          404,
          v2.error(`DagRun ${id} not found`),
          run[3] ? 'taskInstances' : 'getRun',
        ];
      }
      if (!run[3]) return [200, found, 'getRun'];
      const tis = TASKS.map(task => v2.taskInstance(dag, id, task));
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? PAGE);
      return [
        200,
        {
          task_instances: tis.slice(offset, offset + limit),
          total_entries: tis.length,
        },
        'taskInstances',
      ];
    }
    return [404, v2.error(`No route ${method} ${p}`), 'other'];
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const url = new URL(req.url!, 'http://airflow');
      const [status, answer, kind] = this.#answer(req.method!, url, body ?? {});
      this.counts[kind]++;
      if (this.checking) {
        const contracts = airflowContracts();
        const contract = url.pathname.startsWith('/auth/')
          ? contracts.auth
          : contracts.v2;
        this.violations.push(
          ...contractViolations(contract, req, url, body, status, answer),
        );
      }
      sendJson(res, status, JSON.stringify(answer));
    });
  }
}

interface Tracked {
  run: RunRecord;
  d: number;
  namespace: string;
}

/** The runs Airflow holds: the tracked ones and each DAG's own schedule. */
function airflowRuns(tracked: Tracked[], since: number): Map<string, Json[]> {
  const byInstance = new Map<string, Json[]>(INSTANCES.map(i => [i, []]));
  for (const { run, d } of tracked) {
    const at = run.createdAt.getTime() + 1_000;
    byInstance.get(instanceOf(d))!.push(
      v2.dagRun(run.dagId, run.dagRunId, {
        queued_at: iso(at),
        run_after: iso(at),
        start_date: iso(at + 2_000),
        state: 'running',
        conf: run.conf,
        bundle_version: SHA,
      }),
    );
  }
  for (let d = 0; d < DAGS; d++) {
    const hours = [
      ...Array.from({ length: 30 }, (_, k) => since - (k + 1) * HOUR),
      since + 0.5 * HOUR,
      since + 1.5 * HOUR,
    ];
    for (const at of hours) {
      byInstance.get(instanceOf(d))!.push(
        v2.dagRun(dagId(d), `scheduled__${iso(at)}`, {
          run_type: 'scheduled',
          triggered_by: 'timetable',
          logical_date: iso(at - HOUR),
          data_interval_start: iso(at - HOUR),
          data_interval_end: iso(at),
          queued_at: iso(at),
          run_after: iso(at),
          start_date: iso(at + 5_000),
          end_date: iso(at + 600_000),
          state: 'success',
        }),
      );
    }
  }
  // Airflow numbers runs as they are created.
  for (const runs of byInstance.values()) {
    runs.sort((a, b) => Date.parse(a.run_after) - Date.parse(b.run_after));
  }
  return byInstance;
}

async function fill(
  knex: Knex,
  storeRoot: string,
  store: { insert(r: any, lease: any): Promise<unknown> },
  since: number,
): Promise<Tracked[]> {
  const environments = [];
  for (let d = 0; d < DAGS; d++) {
    for (let e = 0; e < ENVIRONMENTS_PER_DAG; e++) {
      const record = environmentRecord({
        entityRef: `component:default/${dagId(d)}`,
        name: `ci_${e}`,
        dataNamespace: `${storeRoot}default/${dagId(d)}/ci_${e}/`,
        plan: {
          ...environmentRecord().plan,
          dagId: dagId(d),
          instance: instanceOf(d),
        },
      });
      await store.insert(record, { owner: 'bench', until: new Date(0) });
      environments.push(record);
    }
  }
  const runs = new RunStore(knex);
  const tracked: Tracked[] = [];
  for (let i = 0; i < RUNS; i++) {
    const d = i % DAGS;
    const env =
      environments[
        d * ENVIRONMENTS_PER_DAG + (Math.floor(i / DAGS) % ENVIRONMENTS_PER_DAG)
      ];
    const createdAt = new Date(since + i * 7_000);
    const run: RunRecord = {
      id: randomUUID(),
      environmentId: env.id,
      instance: instanceOf(d),
      dagId: dagId(d),
      dagRunId: `dag_cicd__${env.name}__${i}`,
      state: 'running',
      conf: { dag_cicd: { environment: env.name, commit: SHA } },
      tasks: [],
      startedBy: 'user:default/alice',
      createdAt,
      updatedAt: createdAt,
      startDate: new Date(createdAt.getTime() + 3_000),
    };
    await runs.insert(run);
    tracked.push({ run, d, namespace: env.dataNamespace });
  }
  return tracked;
}

async function main() {
  const sqlite = temporarySqlite();
  const knex = sqlite.knex;
  const servers = new Map(INSTANCES.map(i => [i, new FakeAirflow()]));
  const clients = new Map<string, AirflowClient>();
  for (const [name, server] of servers) {
    const baseUrl = await server.start();
    clients.set(
      name,
      createAirflowClient({
        name,
        baseUrl,
        apiVersion: 'v2',
        auth: { type: 'simple', username: 'admin', password: 'admin' },
        uiUrl: baseUrl,
        timeoutMs: 30_000,
        retries: 0,
      }),
    );
  }
  const app = await createEnvironmentApp({
    knex,
    root: path.join(sqlite.dir, 'store'),
    airflow: {
      get: name => {
        const client = clients.get(name);
        if (!client) throw new Error(`No Airflow instance ${name}`);
        return client;
      },
    },
  });
  const since = Date.now() - 2 * HOUR;
  const tracked = await fill(knex, app.storeRoot, app.store, since);
  for (const [name, runs] of airflowRuns(tracked, since)) {
    servers.get(name)!.runs.push(...runs);
  }
  const trackedOf = (name: string) =>
    tracked.filter(t => instanceOf(t.d) === name);
  const dagsOf = (name: string) =>
    [...new Set(trackedOf(name).map(t => t.run.dagId))].sort();

  const reset = () => servers.forEach(s => (s.counts = noCounts()));
  const checked = async <T>(fn: () => Promise<T>): Promise<T> => {
    servers.forEach(s => (s.checking = true));
    try {
      return await fn();
    } finally {
      servers.forEach(s => (s.checking = false));
    }
  };
  // The baseline: paging through the batch endpoint for the tracked runs,
  // instance after instance as the sync goes; with `finishedRuns`, also the
  // batch task-instance list of those: the minimum requests of case (b).
  const page = async (finishedRuns: Tracked[] = []) => {
    for (const name of INSTANCES) {
      const client = clients.get(name)!;
      await client.listDagRunsBatch({
        dagIds: dagsOf(name),
        states: [...ACTIVE_DAG_RUN_STATES],
      });
      await client.listTaskInstancesBatch(
        finishedRuns
          .filter(t => t.run.instance === name)
          .map(t => ({ dagId: t.run.dagId, runId: t.run.dagRunId })),
      );
    }
  };
  const measure = async (
    prepare: () => Promise<void>,
    expectChanged: number,
    baseline: () => Promise<void>,
  ) => {
    const synced: number[] = [];
    const paged: number[] = [];
    let perSync = new Map<string, Counts>();
    for (let i = 0; i < SYNCS; i++) {
      await prepare();
      reset();
      let start = now();
      const changed = await app.runs.syncActive();
      synced.push(now() - start);
      if (changed !== expectChanged) {
        throw new Error(`sync changed ${changed} runs, not ${expectChanged}`);
      }
      perSync = new Map([...servers].map(([n, s]) => [n, s.counts]));
      reset();
      start = now();
      await baseline();
      paged.push(now() - start);
    }
    return { synced, paged, perSync };
  };
  const minimumPages = (name: string) =>
    Math.ceil(trackedOf(name).length / PAGE);
  const rows: Row[] = [];

  // (a) Nothing changed. The first sync also fetches each instance's token,
  // and is checked against the spec.
  reset();
  await checked(() => app.runs.syncActive());
  const first = [...servers.values()].reduce((n, s) => n + total(s.counts), 0);
  const firstMinimum = INSTANCES.reduce((n, i) => n + minimumPages(i) + 1, 0);
  rows.push({
    case: '(a) first sync, both instances, token included',
    measured: `${first} requests`,
    baseline: `${firstMinimum} minimum`,
    ratio: first / firstMinimum,
    target: '1.00×',
    ok: first <= firstMinimum,
  });
  const a = await measure(
    async () => {},
    0,
    () => page(),
  );
  for (const name of INSTANCES) {
    const counts = a.perSync.get(name)!;
    rows.push({
      case: `(a) nothing changed, ${name} (${trackedOf(name).length} runs)`,
      measured: `${total(counts)} requests`,
      baseline: `${minimumPages(name)} minimum`,
      ratio: total(counts) / minimumPages(name),
      target: '1.00×',
      ok: total(counts) <= minimumPages(name),
    });
  }
  rows.push({
    case: '(a) nothing changed, wall time p50',
    measured: formatMs(median(a.synced)),
    baseline: `paging ${formatMs(median(a.paged))}`,
    ratio: median(a.synced) / median(a.paged),
    target: '',
  });

  // (b) 10% of the runs finished: every tenth round of triggers, so that
  // each instance and every DAG has some, spread over the two hours.
  const finished = tracked.filter((_, i) => Math.floor(i / DAGS) % 10 === 5);
  for (const [n, t] of finished.entries()) {
    const run = servers
      .get(t.run.instance)!
      .runs.find(r => r.dag_run_id === t.run.dagRunId)!;
    run.state = n % 4 === 0 ? 'failed' : 'success';
    run.end_date = iso(t.run.createdAt.getTime() + 600_000);
    const folder = `${new URL(t.namespace).pathname}_manifests/${
      t.run.dagRunId
    }`;
    fs.mkdirSync(folder, { recursive: true });
    for (const task of ['transform', 'load']) {
      fs.writeFileSync(
        path.join(folder, `${task}.json`),
        JSON.stringify({
          path: `${t.namespace}${task}/part-0.csv`,
          rows: 1000,
          schema: [{ name: 'id', type: 'int64' }],
          bytes: 4096,
          checksum: 'sha256:0',
        }),
      );
    }
  }
  // Between syncs, the finished runs are made running again in the database
  // (as they stood before they finished), as are the times the sync wrote.
  const unfinish = async () => {
    await knex('dag_cicd_runs')
      .whereIn(
        'id',
        finished.map(t => t.run.id),
      )
      .update({
        state: 'running',
        tasks: '[]',
        end_date: null,
        updated_at: knex.ref('created_at'),
      });
  };
  await unfinish();
  reset();
  await checked(() => app.runs.syncActive());
  const b = await measure(unfinish, finished.length, () => page());
  const bMinimumWork = await measure(unfinish, finished.length, () =>
    page(finished),
  );
  for (const name of INSTANCES) {
    const counts = b.perSync.get(name)!;
    const done = finished.filter(t => t.run.instance === name).length;
    const minimum =
      minimumPages(name) + Math.ceil((done * TASKS.length) / PAGE);
    const perRunMinimum = minimumPages(name) + done;
    rows.push(
      {
        case: `(b) 10% finished, ${name} (${done} of ${
          trackedOf(name).length
        } runs)`,
        measured: `${total(counts)} requests`,
        baseline: `${minimum} minimum`,
        ratio: total(counts) / minimum,
        target: 'minimum + 1 (ended runs)',
        ok: total(counts) <= minimum + 1,
      },
      {
        case: `(b) … against one task-instance request per finished run`,
        measured: `${total(counts)} requests`,
        baseline: `${perRunMinimum} requests`,
        ratio: total(counts) / perRunMinimum,
        target: '',
      },
    );
  }
  rows.push(
    {
      case: '(b) 10% finished, wall time p50',
      measured: formatMs(median(b.synced)),
      baseline: `paging ${formatMs(median(b.paged))}`,
      ratio: median(b.synced) / median(b.paged),
      target: '',
    },
    {
      case: '(b) … against paging + batch task instances',
      measured: formatMs(median(bMinimumWork.synced)),
      baseline: formatMs(median(bMinimumWork.paged)),
      ratio: median(bMinimumWork.synced) / median(bMinimumWork.paged),
      target: '',
    },
  );

  const violations = [...servers.values()].flatMap(s => s.violations);
  servers.forEach(s => s.stop());
  await sqlite.dispose();
  report(
    `syncActive() of ${RUNS} running runs on ${INSTANCES.length} Airflow 3 instances (${DAGS} DAGs, each with its own schedule's runs), ${SYNCS} syncs each`,
    rows,
  );
  if (violations.length) {
    console.error(
      `Exchanges that are not the spec's:\n${[...new Set(violations)]
        .slice(0, 10)
        .join('\n')}`,
    );
    process.exit(1);
  }
}

runBenchmark(main);

/*
 * Ingest of one Airflow 3 instance with 10,000 DAGs and 2,000 assets: the
 * wall time of the provider's full refresh (read every page, build every
 * entity, hand them to the catalog) against paging through the same two
 * collections with the same client, alone. Target: ≤ 1.5×, for both kinds
 * of refresh: a provider's first, which drafts and builds every entity, and
 * a scheduled one after it, which keeps the drafts and entities of the DAGs
 * listed as they were. Between rounds, 1% of the DAGs change (a new
 * description), so that a scheduled refresh redrafts some, as in life.
 * Peak memory of each is sampled (rss and heap used).
 *
 * A local HTTP server (a real socket) answers `GET /api/v2/dags` and
 * `GET /api/v2/assets` as Airflow 3 does: `offset`, and `limit` capped at
 * Airflow's default maximum page size of 100, in id order, with the unit
 * tests' fixtures; the first refresh's exchanges are checked against the
 * spec. The server runs in a child process, as a real Airflow runs apart
 * from the backend: serving pages is not the provider's work, on either
 * side of the ratio. Answers are serialised once and then served from
 * memory, so that the server answers as fast as it can. Each asset is
 * produced by one DAG and scheduled on and read by two others. Wall time:
 * median of DAG_CICD_BENCH_REFRESHES rounds (default 31) of a scheduled
 * refresh, the baseline, and a new provider's first refresh.
 */
import { ChildProcess, fork } from 'node:child_process';
import http from 'node:http';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AirflowClient,
  createAirflowClient,
} from '@dag-cicd/plugin-dag-cicd-node';
import { airflowContracts, v2 } from '@dag-cicd/plugin-dag-cicd-node/testUtils';
import { AirflowEntityProvider } from '../src/providers/AirflowEntityProvider';
import { AirflowMappingReport } from '../src/providers/airflowEntities';
import { DEFAULT_SCHEDULE } from '../src/providers/config';
// The shared harness and local server live with the backend's benchmarks; a
// bench is not part of the published package, so no dependency is declared
// for them.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  formatBytes,
  formatMs,
  median,
  now,
  report,
  Row,
  runBenchmark,
} from '../../dag-cicd-backend/bench/harness';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  contractViolations,
  LocalServer,
  sendJson,
  serveLocally,
} from '../../dag-cicd-backend/bench/localServer';

type Json = Record<string, any>;

const REFRESHES = Number(process.env.DAG_CICD_BENCH_REFRESHES ?? 31);
const DAGS = 10_000;
const ASSETS = 2_000;
const PAGE = 100;
/** DAGs changed between two rounds. */
const REVISED = DAGS / 100;

const dagId = (i: number) => `team_${i % 40}.pipeline_${i}`;

function fixtures() {
  const dags = Array.from({ length: DAGS }, (_, i) =>
    v2.dag(dagId(i), {
      owners: [`team-${i % 40}`],
      tags: [
        { name: 'etl', dag_id: dagId(i), dag_display_name: dagId(i) },
        {
          name: i % 10 === 0 ? 'lifecycle:experimental' : 'Daily Batch',
          dag_id: dagId(i),
          dag_display_name: dagId(i),
        },
      ],
    }),
  );
  const assets = Array.from({ length: ASSETS }, (_, i) =>
    v2.asset(i + 1, `s3://lake/zone_${i % 20}/table_${i}/`, {
      name: `zone_${i % 20}.table_${i}`,
      producing_tasks: [v2.reference(dagId(i * 5), 'load')],
      scheduled_dags: [v2.reference(dagId(i * 5 + 1))],
      consuming_tasks: [v2.reference(dagId(i * 5 + 2), 'read')],
    }),
  );
  return { dags, assets };
}

/** An Airflow 3 API server for the two list endpoints, on a free local port. */
class FakeAirflow {
  requests = 0;
  checking = false;
  readonly violations: string[] = [];
  readonly #collections: Record<string, Json[]>;
  readonly #answers = new Map<string, string>();
  #server?: LocalServer;

  constructor(collections: Record<string, Json[]>) {
    this.#collections = collections;
  }

  async start(): Promise<string> {
    this.#server = await serveLocally((req, res) => this.#handle(req, res));
    return this.#server.baseUrl;
  }

  /**
   * Gives 1% of the DAGs, spread over every page, a new description, and
   * serialises the pages served so far again before answering from them.
   */
  revise(round: number) {
    const dags = this.#collections.dags;
    for (let k = 0; k < REVISED; k++) {
      const dag = dags[(k * (DAGS / REVISED) + round) % DAGS];
      dag.description = `The ${dag.dag_id} pipeline, revised in round ${round}`;
    }
    for (const url of this.#answers.keys()) {
      const [, answer] = this.#answer(new URL(url, 'http://airflow'));
      this.#answers.set(url, JSON.stringify(answer));
    }
    // Its garbage collected now, not on the other core while a refresh runs.
    global.gc?.();
  }

  stop() {
    this.#server?.close();
  }

  #answer(url: URL): [number, Json] {
    const key = /^\/api\/v2\/(dags|assets)$/.exec(url.pathname)?.[1];
    if (!key) return [404, v2.error(`No route ${url.pathname}`)];
    const items = this.#collections[key];
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? PAGE), PAGE);
    return [
      200,
      {
        [key]: items.slice(offset, offset + limit),
        total_entries: items.length,
      },
    ];
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.requests++;
    const url = new URL(req.url!, 'http://airflow');
    let json = this.#answers.get(req.url!);
    let status = 200;
    if (json === undefined || this.checking) {
      const [code, answer] = this.#answer(url);
      status = code;
      json = JSON.stringify(answer);
      if (code === 200) this.#answers.set(req.url!, json);
      if (this.checking) {
        this.violations.push(
          ...contractViolations(
            airflowContracts().v2,
            req,
            url,
            undefined,
            code,
            answer,
          ),
        );
      }
    }
    sendJson(res, status, json);
  }
}

// Set in the child process that serves as Airflow.
const AIRFLOW_ROLE = 'DAG_CICD_BENCH_AIRFLOW';

/** What the Airflow process is told: to check exchanges, to change DAGs, to stop. */
type AirflowCommand = { checking: boolean } | { revise: number } | 'stop';

/** What the Airflow process says: its URL once up, its tally when asked. */
type AirflowMessage =
  | { baseUrl: string }
  | { requests: number; violations: string[] };

/** In the child process: serves the fixtures until told to stop. */
async function serveAsAirflow() {
  const server = new FakeAirflow(fixtures());
  const baseUrl = await server.start();
  process.on('message', (message: AirflowCommand) => {
    if (message === 'stop') {
      process.disconnect?.();
      return;
    }
    if ('revise' in message) server.revise(message.revise);
    else server.checking = message.checking;
    process.send!({
      requests: server.requests,
      violations: server.violations,
    } satisfies AirflowMessage);
  });
  // Stopped, or the bench gone (a failing one exits without saying stop):
  // no server left behind.
  process.once('disconnect', () => server.stop());
  process.send!({ baseUrl } satisfies AirflowMessage);
}

/** The fake Airflow, in a child process of its own. */
class AirflowProcess {
  readonly #child: ChildProcess;

  static async start(): Promise<{ airflow: AirflowProcess; baseUrl: string }> {
    const airflow = new AirflowProcess();
    const { baseUrl } = (await airflow.#answer()) as { baseUrl: string };
    return { airflow, baseUrl };
  }

  private constructor() {
    this.#child = fork(__filename, [], {
      env: { ...process.env, [AIRFLOW_ROLE]: '1' },
    });
  }

  /** Turns the spec checks on or off; the requests and violations so far. */
  async check(checking: boolean) {
    return this.#command({ checking });
  }

  /** Changes 1% of the DAGs; answers once the pages are served changed. */
  async revise(round: number) {
    await this.#command({ revise: round });
  }

  stop() {
    this.#child.send('stop' satisfies AirflowCommand);
  }

  async #command(command: AirflowCommand) {
    this.#child.send(command);
    return (await this.#answer()) as { requests: number; violations: string[] };
  }

  #answer(): Promise<AirflowMessage> {
    return new Promise((resolve, reject) => {
      const child = this.#child;
      const onExit = (code: number) =>
        reject(new Error(`The Airflow process exited with code ${code}`));
      const onMessage = (message: AirflowMessage | { type?: string }) => {
        // Backstage's TypeScript transform talks on the same channel.
        if ('type' in message) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(message as AirflowMessage);
      };
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
    });
  }
}

/** Peak rss and heap used while `fn` runs, sampled every 5 ms. */
async function peakMemory<T>(fn: () => Promise<T>) {
  global.gc?.();
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 5);
  try {
    const result = await fn();
    sample();
    return { result, rss, heap };
  } finally {
    clearInterval(timer);
  }
}

/** The baseline: every page of both collections, as the provider reads them. */
async function pageAlone(client: AirflowClient): Promise<number> {
  const count = async (pages: AsyncIterable<unknown[]>) => {
    let n = 0;
    for await (const page of pages) n += page.length;
    return n;
  };
  const [dags, assets] = await Promise.all([
    count(client.iterateDags({ paused: undefined, includeStale: false })),
    count(client.iterateAssets()),
  ]);
  return dags + assets;
}

const quiet: LoggerService = {
  error: message => process.stderr.write(`${message}\n`),
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => quiet,
};

async function main() {
  const { airflow, baseUrl } = await AirflowProcess.start();
  const client = createAirflowClient({
    name: 'prod',
    baseUrl,
    apiVersion: 'v2',
    auth: { type: 'token', token: 'bench' },
    uiUrl: 'https://airflow.example.com',
    timeoutMs: 60_000,
    retries: 0,
  });
  const newProvider = () =>
    new AirflowEntityProvider({
      source: {
        client,
        config: {
          id: 'production',
          instance: 'prod',
          schedule: DEFAULT_SCHEDULE,
          filters: { includePaused: true, includeStale: false },
          owners: new Map(
            Array.from({ length: 40 }, (_, t) => [
              `team-${t}`,
              `group:default/team-${t}`,
            ]),
          ),
          defaultLifecycle: 'production',
          authoritative: true,
        },
      },
      authorities: [],
      logger: quiet,
      taskRunner: { run: async () => {} },
    });
  let emitted = 0;
  const connect = async () => {
    const provider = newProvider();
    await provider.connect({
      async applyMutation(mutation) {
        emitted = mutation.type === 'full' ? mutation.entities.length : 0;
      },
      async refresh() {},
    });
    return async () => {
      const result = await provider.refresh();
      if (!result.applied) throw result.error;
      return result.report;
    };
  };
  const refresh = await connect();
  const firstRefresh = async () => (await connect())();

  // The first refresh warms the server's answers and is checked against the spec.
  await airflow.check(true);
  const first = await refresh();
  const { requests: requestsPerRefresh, violations } = await airflow.check(
    false,
  );
  if (first.dags !== DAGS || first.assets !== ASSETS) {
    throw new Error(
      `emitted ${first.dags} DAGs and ${first.assets} assets, not ${DAGS} and ${ASSETS}`,
    );
  }
  await pageAlone(client);
  // A scheduled refresh keeps the entity of each DAG Airflow lists as it was.
  const checkUnchanged = (scheduled: AirflowMappingReport) => {
    if (scheduled.unchanged !== DAGS - REVISED) {
      throw new Error(
        `a scheduled refresh kept ${scheduled.unchanged} DAG entities, not ${
          DAGS - REVISED
        }`,
      );
    }
  };

  const timed = { scheduled: [] as number[], first: [] as number[] };
  const paged: number[] = [];
  const time = async (fn: () => Promise<unknown>) => {
    global.gc?.();
    const start = now();
    await fn();
    return now() - start;
  };
  for (let i = 0; i < REFRESHES; i++) {
    await airflow.revise(i);
    timed.scheduled.push(
      await time(async () => checkUnchanged(await refresh())),
    );
    paged.push(await time(() => pageAlone(client)));
    timed.first.push(await time(firstRefresh));
  }
  await airflow.revise(REFRESHES);
  const memory = {
    scheduled: await peakMemory(refresh),
    first: await peakMemory(firstRefresh),
  };
  const pagingMemory = await peakMemory(() => pageAlone(client));
  // What a provider keeps from one refresh to the next: its last drafts,
  // with their entities.
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const kept = await connect();
  await kept();
  global.gc?.();
  const heapKept = process.memoryUsage().heapUsed - heapBefore;

  const rows: Row[] = [];
  for (const kind of ['scheduled', 'first'] as const) {
    const ratio = median(timed[kind]) / median(paged);
    rows.push(
      {
        case: `${kind} refresh, ${DAGS} DAGs + ${ASSETS} assets (${requestsPerRefresh} requests, ${emitted} entities), p50`,
        measured: formatMs(median(timed[kind])),
        baseline: `paging ${formatMs(median(paged))}`,
        ratio,
        target: '≤ 1.50×',
        ok: ratio <= 1.5,
      },
      {
        case: `${kind} refresh, peak rss`,
        measured: formatBytes(memory[kind].rss),
        baseline: `paging ${formatBytes(pagingMemory.rss)}`,
        ratio: memory[kind].rss / pagingMemory.rss,
        target: '',
      },
      {
        case: `${kind} refresh, peak heap used`,
        measured: formatBytes(memory[kind].heap),
        baseline: `paging ${formatBytes(pagingMemory.heap)}`,
        ratio: memory[kind].heap / pagingMemory.heap,
        target: '',
      },
    );
  }
  rows.push({
    case: 'heap a provider keeps between refreshes (its last drafts and entities)',
    measured: formatBytes(heapKept),
    baseline: `paging's peak ${formatBytes(pagingMemory.heap)}`,
    ratio: heapKept / pagingMemory.heap,
    target: '',
  });
  airflow.stop();
  report(
    `AirflowEntityProvider.refresh() of one Airflow 3 instance, page limit ${PAGE}, ${REFRESHES} rounds`,
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

runBenchmark(process.env[AIRFLOW_ROLE] ? serveAsAirflow : main);

/*
 * Gate evaluation for one promotion (staging → production) with 1,000,000
 * run records and 100,000 output manifests in the database, on SQLite and
 * PostgreSQL: `runs-succeeded`, `output-diff`, `chaos-run` and `soak-time`
 * evaluated one after the other through `DatabaseGateContext`, a fresh
 * context per evaluation as the promotion service makes one. `approvals`
 * and `freeze-window` read no table of their own and are left out.
 *
 * Data: 2,500 DAG entities with 4 environments each (a staging one, a
 * production one, a `ci` one and a `ci` chaos one) — 10,000 environments
 * with a `ready` transition each — and 100 runs per environment, 90 %
 * successful; the first 100,000 runs (those of the staging and production
 * environments of the first DAGs, the promoted one among them) have a
 * manifest of two CSV outputs. Rows are written as multi-row inserts in
 * transactions; PostgreSQL is then ANALYZEd, as autovacuum would; SQLite
 * is left without statistics, as a default install is.
 *
 * Baseline: a single indexed select of the same run rows, the promoted
 * commit's newest 100 runs in staging by (environment_id, created_at).
 * Target: p95 ≤ 50 ms.
 */
import { Knex } from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { DatabaseGateContext } from '../src/promotions/DatabaseGateContext';
import { builtInGates } from '../src/promotions/gates';
import { Engine, onSqliteAndPostgres } from './engines';
import {
  formatMs,
  now,
  percentile,
  report,
  Row,
  runBenchmark,
  sampleLatencies,
} from './harness';

const SAMPLES = Number(process.env.DAG_CICD_BENCH_SAMPLES ?? 300);
const ENTITIES = 2_500;
const RUNS_PER_ENVIRONMENT = 100;
const MANIFESTS = 100_000;
const BATCH = 500;
const T0 = Date.UTC(2026, 0, 1);

const hex = (n: number, width = 12) => n.toString(16).padStart(width, '0');
const envId = (n: number) => `00000000-0000-4000-8000-${hex(n)}`;
const runId = (n: number) => `00000001-0000-4000-8000-${hex(n)}`;
const commitOf = (entity: number) => `c${hex(entity, 39)}`;
const entityRef = (entity: number) => `component:default/dag-${entity}`;

// Per entity: [stage, name, profile]; the first two hold the manifests.
const LAYOUT = [
  ['staging', 'staging', 'production-readonly'],
  ['production', 'production', 'production-readonly'],
  ['ci', 'ci_main', 'sample'],
  ['ci', 'ci_chaos', 'chaos'],
] as const;
const ENVIRONMENTS = ENTITIES * LAYOUT.length;

function manifest(run: number, namespace: string): string {
  const column = (name: string, type: string, nullable: boolean) => ({
    name,
    type,
    nullable,
  });
  return JSON.stringify({
    version: 1,
    task_id: 'clean_orders',
    namespace,
    outputs: ['orders/part-0.csv', 'quarantine/part-0.csv'].map((key, i) => ({
      path: `${namespace}${key}`,
      format: 'csv',
      rows: i ? 0 : 1000 + (run % 50),
      schema: [
        column('order_id', 'integer', false),
        column('customer', 'string', false),
        column('amount', 'number', true),
        column('ordered_at', 'timestamp', false),
      ],
      bytes: 64_000,
      sha256: hex(run, 64),
    })),
  });
}

async function insertBatches(
  knex: Knex,
  table: string,
  count: number,
  row: (i: number) => Record<string, unknown>,
) {
  for (let start = 0; start < count; start += 100 * BATCH) {
    await knex.transaction(async tx => {
      const end = Math.min(count, start + 100 * BATCH);
      for (let from = start; from < end; from += BATCH) {
        const rows = [];
        for (let i = from; i < Math.min(end, from + BATCH); i++) {
          rows.push(row(i));
        }
        await tx(table).insert(rows);
      }
    });
  }
}

async function fill(knex: Knex): Promise<number> {
  const started = now();
  await insertBatches(knex, 'dag_cicd_environments', ENVIRONMENTS, e => {
    const entity = Math.floor(e / LAYOUT.length);
    const [stage, name, profile] = LAYOUT[e % LAYOUT.length];
    const at = new Date(T0 + e * 1000);
    return {
      id: envId(e),
      entity_ref: entityRef(entity),
      stage,
      name,
      commit_sha: commitOf(entity),
      data_namespace: `file:///lake/default/dag-${entity}/${name}/`,
      inputs: '{}',
      artifacts: '{}',
      connections: '{}',
      profile,
      status: 'ready',
      created_by: 'user:default/alice',
      created_at: at,
      updated_at: at,
      expires_at: null,
    };
  });
  await insertBatches(knex, 'dag_cicd_environment_events', ENVIRONMENTS, e => ({
    environment_id: envId(e),
    type: 'transition',
    from_status: 'provisioning',
    to_status: 'ready',
    actor: 'user:default/alice',
    at: new Date(T0 + e * 1000 + 60_000),
  }));
  // Runs of an environment are consecutive, so the manifests (the first
  // MANIFESTS runs) land on the staging and production environments of the
  // first DAGs: environment e holds runs e*100 .. e*100+99.
  const runs = ENVIRONMENTS * RUNS_PER_ENVIRONMENT;
  await insertBatches(knex, 'dag_cicd_runs', runs, r => {
    const e = Math.floor(r / RUNS_PER_ENVIRONMENT);
    const n = r % RUNS_PER_ENVIRONMENT;
    const at = new Date(T0 + 86_400_000 + n * 3_600_000 + e);
    const last = n === RUNS_PER_ENVIRONMENT - 1;
    return {
      id: runId(r),
      environment_id: envId(e),
      instance: 'airflow',
      dag_id: `dag_${Math.floor(e / LAYOUT.length)}`,
      dag_run_id: `dag_cicd__e${e}__${n}`,
      state: last || n % 10 !== 3 ? 'success' : 'failed',
      conf: `{"dag_cicd":{"environment":"e${e}","commit":"${commitOf(
        Math.floor(e / LAYOUT.length),
      )}"}}`,
      tasks: '[]',
      started_by: 'user:default/alice',
      created_at: at,
      updated_at: at,
      end_date: at,
    };
  });
  const withManifests = [0, 1].flatMap(slot =>
    Array.from(
      { length: MANIFESTS / 2 / RUNS_PER_ENVIRONMENT },
      (_, entity) => entity * LAYOUT.length + slot,
    ),
  );
  await insertBatches(knex, 'dag_cicd_run_manifests', MANIFESTS, m => {
    const e = withManifests[Math.floor(m / RUNS_PER_ENVIRONMENT)];
    const r = e * RUNS_PER_ENVIRONMENT + (m % RUNS_PER_ENVIRONMENT);
    const [, name] = LAYOUT[e % LAYOUT.length];
    return {
      run_id: runId(r),
      task_id: 'clean_orders',
      manifest: manifest(
        r,
        `file:///lake/default/dag-${Math.floor(e / LAYOUT.length)}/${name}/`,
      ),
    };
  });
  return now() - started;
}

// Chaos runs live in `ci` here; the environments have been ready for long.
const OPTIONS: Record<string, JsonObject> = {
  'chaos-run': { stages: ['ci', 'staging'] },
  'soak-time': { duration: 'PT1H' },
};

async function measure(engine: Engine, knex: Knex): Promise<Row[]> {
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@dag-cicd/plugin-dag-cicd-backend',
      'migrations',
    ),
  });
  const setup = await fill(knex);
  if (engine === 'PostgreSQL') await knex.raw('ANALYZE');
  const counts = await Promise.all(
    ['dag_cicd_runs', 'dag_cicd_run_manifests'].map(async table => {
      const [{ n }] = await knex(table).count({ n: '*' });
      return Number(n);
    }),
  );
  process.stdout.write(
    `${engine}: ${counts[0].toLocaleString(
      'en',
    )} runs, ${counts[1].toLocaleString('en')} manifests, set up in ${(
      setup / 1000
    ).toFixed(1)} s\n`,
  );

  // The promoted DAG: the 10th, in the middle of the manifests.
  const entity = 10;
  const promotion = {
    id: 'bench',
    entityRef: entityRef(entity),
    ownerRef: 'group:default/data',
    commit: commitOf(entity),
    fromStage: 'staging',
    toStage: 'production',
    toProduction: true,
    requestedBy: 'user:default/alice',
    requestedAt: new Date(T0),
  };
  const gates = builtInGates
    .filter(g => !['approvals', 'freeze-window'].includes(g.type))
    .map(g => ({
      gate: g,
      options: g.validateOptions(OPTIONS[g.type] ?? {}),
    }));
  const evaluate = async () => {
    const context = new DatabaseGateContext({
      knex,
      promotion,
      now: new Date(T0 + 400 * 86_400_000),
      decisions: async () => [],
      groupMembers: async () => [],
    });
    const outcomes = [];
    for (const { gate, options } of gates) {
      outcomes.push(await gate.evaluate(options, context));
    }
    return outcomes;
  };
  const first = await evaluate();
  for (const [i, outcome] of first.entries()) {
    if (outcome.status !== 'passed') {
      throw new Error(
        `${gates[i].gate.type} did not pass on the bench data: ${outcome.detail}`,
      );
    }
  }

  const stagingEnv = envId(entity * LAYOUT.length);
  const gateLatencies = await sampleLatencies(SAMPLES, evaluate);
  const bareLatencies = await sampleLatencies(SAMPLES, () =>
    knex('dag_cicd_runs')
      .where('environment_id', stagingEnv)
      .orderBy('created_at', 'desc')
      .limit(100),
  );
  return [
    ['p50', 50],
    ['p95', 95],
  ].map(([label, p]) => {
    const m = percentile(gateLatencies, p as number);
    const b = percentile(bareLatencies, p as number);
    return {
      case: `${engine}, 4 gates, ${label}`,
      measured: formatMs(m),
      baseline: formatMs(b),
      ratio: m / b,
      target: label === 'p95' ? '≤ 50 ms' : '',
      ok: label === 'p95' ? m <= 50 : undefined,
    };
  });
}

async function main() {
  const rows = await onSqliteAndPostgres(measure);
  report(
    `gate evaluation of one promotion (runs-succeeded, output-diff, chaos-run, soak-time) with 1,000,000 runs and 100,000 manifests vs one indexed select of the same runs, ${SAMPLES} samples each`,
    rows,
  );
}

runBenchmark(main);

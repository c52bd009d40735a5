import { Knex } from 'knex';

/** Where a run stands: Airflow's states, plus ours before and around Airflow. */
export type RunState =
  /** Recorded, not yet accepted by Airflow. */
  | 'requested'
  | 'queued'
  | 'running'
  | 'success'
  | 'failed'
  /**
   * Airflow refused or could not be reached, so the run never started; or
   * Airflow no longer has it.
   */
  | 'error';

export const FINAL_RUN_STATES: readonly RunState[] = [
  'success',
  'failed',
  'error',
];

export interface RunTask {
  taskId: string;
  mapIndex: number;
  state?: string;
  tryNumber: number;
  startDate?: string;
  endDate?: string;
}

/** An Airflow DAG run started for an environment, as stored. */
export interface RunRecord {
  id: string;
  environmentId: string;
  instance: string;
  dagId: string;
  dagRunId: string;
  state: RunState;
  bundleVersion?: string;
  conf: Record<string, unknown>;
  tasks: RunTask[];
  error?: string;
  startedBy: string;
  createdAt: Date;
  updatedAt: Date;
  startDate?: Date;
  endDate?: Date;
}

/** An output manifest, as the Airflow-side package wrote it. */
export interface RunManifest {
  taskId: string;
  manifest: Record<string, unknown>;
}

interface RunRow {
  id: string;
  environment_id: string;
  instance: string;
  dag_id: string;
  dag_run_id: string;
  state: string;
  bundle_version: string | null;
  conf: string;
  tasks: string;
  error: string | null;
  started_by: string;
  created_at: Date | string | number;
  updated_at: Date | string | number;
  start_date: Date | string | number | null;
  end_date: Date | string | number | null;
}

const RUNS = 'dag_cicd_runs';
const MANIFESTS = 'dag_cicd_run_manifests';

const toDate = (v: Date | string | number) =>
  v instanceof Date ? v : new Date(v);
const optionalDate = (v: Date | string | number | null) =>
  v === null ? undefined : toDate(v);

function fromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    environmentId: row.environment_id,
    instance: row.instance,
    dagId: row.dag_id,
    dagRunId: row.dag_run_id,
    state: row.state as RunState,
    ...(row.bundle_version && { bundleVersion: row.bundle_version }),
    conf: JSON.parse(row.conf),
    tasks: JSON.parse(row.tasks),
    ...(row.error && { error: row.error }),
    startedBy: row.started_by,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    startDate: optionalDate(row.start_date),
    endDate: optionalDate(row.end_date),
  };
}

/** What a sync or a trigger learned about a run. */
export type RunUpdate = Partial<
  Pick<
    RunRecord,
    'state' | 'bundleVersion' | 'tasks' | 'error' | 'startDate' | 'endDate'
  >
> & { updatedAt: Date };

/** What one sync learned about one run. */
export interface SyncedRun {
  id: string;
  update: RunUpdate;
  /** The run's manifests, when it finished; they replace any stored. */
  manifests?: RunManifest[];
}

function updateColumns(update: RunUpdate) {
  return {
    updated_at: update.updatedAt,
    ...(update.state && { state: update.state }),
    ...(update.bundleVersion && { bundle_version: update.bundleVersion }),
    ...(update.tasks && { tasks: JSON.stringify(update.tasks) }),
    ...(update.error !== undefined && { error: update.error }),
    ...(update.startDate && { start_date: update.startDate }),
    ...(update.endDate && { end_date: update.endDate }),
  };
}

async function replaceManifests(
  db: Knex,
  runId: string,
  manifests: RunManifest[],
): Promise<void> {
  await db(MANIFESTS).where('run_id', runId).delete();
  if (manifests.length) {
    await db(MANIFESTS).insert(
      manifests.map(m => ({
        run_id: runId,
        task_id: m.taskId,
        manifest: JSON.stringify(m.manifest),
      })),
    );
  }
}

/** Runs and their manifests in the plugin's database. */
export class RunStore {
  constructor(private readonly db: Knex) {}

  async insert(run: RunRecord): Promise<void> {
    await this.db(RUNS).insert({
      id: run.id,
      environment_id: run.environmentId,
      instance: run.instance,
      dag_id: run.dagId,
      dag_run_id: run.dagRunId,
      state: run.state,
      bundle_version: run.bundleVersion ?? null,
      conf: JSON.stringify(run.conf),
      tasks: JSON.stringify(run.tasks),
      error: run.error ?? null,
      started_by: run.startedBy,
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      start_date: run.startDate ?? null,
      end_date: run.endDate ?? null,
    });
  }

  async update(id: string, update: RunUpdate): Promise<void> {
    await this.db(RUNS).where({ id }).update(updateColumns(update));
  }

  /**
   * Writes what a sync learned, in one transaction: a run is never marked
   * finished without its manifests, and a sync of many runs commits once
   * rather than once or twice per run.
   */
  async saveSynced(runs: SyncedRun[]): Promise<void> {
    if (runs.length === 0) return;
    await this.db.transaction(async tx => {
      for (const run of runs) {
        await tx(RUNS).where({ id: run.id }).update(updateColumns(run.update));
        if (run.manifests) await replaceManifests(tx, run.id, run.manifests);
      }
    });
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const row = await this.db<RunRow>(RUNS).where({ id }).first();
    return row && fromRow(row);
  }

  /** An environment's runs, newest first. */
  async listByEnvironment(environmentId: string): Promise<RunRecord[]> {
    const rows: RunRow[] = await this.db(RUNS)
      .where('environment_id', environmentId)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(fromRow);
  }

  /** Runs Airflow has not finished yet, oldest first. */
  async findActive(limit: number): Promise<RunRecord[]> {
    const rows: RunRow[] = await this.db(RUNS)
      .whereIn('state', ['queued', 'running'])
      .orderBy('created_at')
      .limit(limit);
    return rows.map(fromRow);
  }

  /**
   * The newest run of each of these environments, in one query however many
   * there are: what a page of environments shows as its `lastRun`.
   */
  async latestByEnvironment(
    environmentIds: string[],
  ): Promise<Map<string, RunRecord>> {
    const latest = new Map<string, RunRecord>();
    if (environmentIds.length === 0) return latest;
    // A window function: PostgreSQL and SQLite (3.25+) both have them, and
    // the (environment_id, created_at) index serves each partition.
    const ranked = this.db(RUNS)
      .select(
        '*',
        this.db.raw(
          'row_number() over (partition by environment_id order by created_at desc, id desc) as newest',
        ),
      )
      .whereIn('environment_id', environmentIds)
      .as('ranked');
    const rows: RunRow[] = await this.db
      .select('*')
      .from(ranked)
      .where('newest', 1);
    for (const row of rows) latest.set(row.environment_id, fromRow(row));
    return latest;
  }

  /**
   * Whether an environment's runs write through the Airflow-side package:
   * true once any run's manifest reached the backend, false when a run
   * succeeded without one, undefined while no run has succeeded.
   */
  async isolationEnforced(environmentId: string): Promise<boolean | undefined> {
    const withManifest = await this.db(`${RUNS} as r`)
      .join(`${MANIFESTS} as m`, 'm.run_id', 'r.id')
      .where('r.environment_id', environmentId)
      .first('r.id');
    if (withManifest) return true;
    const succeeded = await this.db(RUNS)
      .where({ environment_id: environmentId, state: 'success' })
      .first('id');
    return succeeded ? false : undefined;
  }

  async manifests(runIds: string[]): Promise<Map<string, RunManifest[]>> {
    const byRun = new Map<string, RunManifest[]>(runIds.map(id => [id, []]));
    if (runIds.length === 0) return byRun;
    const rows: Array<{ run_id: string; task_id: string; manifest: string }> =
      await this.db(MANIFESTS).whereIn('run_id', runIds).orderBy('task_id');
    for (const row of rows) {
      byRun.get(row.run_id)?.push({
        taskId: row.task_id,
        manifest: JSON.parse(row.manifest),
      });
    }
    return byRun;
  }
}

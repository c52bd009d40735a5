import { Knex } from 'knex';
import { JsonObject } from '@backstage/types';
import {
  GateDecision,
  GateManifest,
  GateRun,
  PromotionGateContext,
  PromotionSubject,
} from '@dag-cicd/plugin-dag-cicd-node';

const ENVIRONMENTS = 'dag_cicd_environments';
const EVENTS = 'dag_cicd_environment_events';
const RUNS = 'dag_cicd_runs';
const MANIFESTS = 'dag_cicd_run_manifests';

/**
 * The most rows one read may return: gates ask for bounded windows, and a
 * caller that asks for more is a bug to surface, not a table scan to run.
 */
export const MAX_GATE_READ = 1000;

/** What {@link DatabaseGateContext} needs. */
export interface DatabaseGateContextOptions {
  knex: Knex;
  promotion: PromotionSubject;
  /** The evaluation's clock. */
  now: Date;
  /** The promotion's decisions, oldest first (the promotion store's). */
  decisions: () => Promise<GateDecision[]>;
  /** Members of a group, from the catalog: see `createGroupMembersReader`. */
  groupMembers: (groupRef: string) => Promise<string[]>;
  /**
   * The production stage (`Stages.production.name`), where the baseline of
   * `output-diff` runs. By default the target stage when it is production,
   * else `production`.
   */
  productionStage?: string;
}

interface RunRow {
  id: string;
  environment_id: string;
  dag_run_id: string;
  state: string;
  created_at: Date | string | number;
  end_date: Date | string | number | null;
  environment_name: string;
  stage: string;
  profile: string;
  commit_sha: string;
}

const toDate = (v: Date | string | number) =>
  v instanceof Date ? v : new Date(v);

// A run with what a gate needs of its environment: one join, no JSON.
const RUN_COLUMNS = [
  'r.id',
  'r.environment_id',
  'r.dag_run_id',
  'r.state',
  'r.created_at',
  'r.end_date',
  'e.name as environment_name',
  'e.stage',
  'e.profile',
  'e.commit_sha',
];

function fromRow(row: RunRow): GateRun {
  return {
    id: row.id,
    environmentId: row.environment_id,
    environmentName: row.environment_name,
    stage: row.stage,
    profile: row.profile,
    commit: row.commit_sha,
    dagRunId: row.dag_run_id,
    state: row.state,
    createdAt: toDate(row.created_at),
    ...(row.end_date !== null && { endDate: toDate(row.end_date) }),
  };
}

function assertBounded(what: string, n: number) {
  if (!Number.isInteger(n) || n < 1 || n > MAX_GATE_READ) {
    throw new Error(
      `A gate asked for ${n} ${what}; a read is bounded to 1..${MAX_GATE_READ}`,
    );
  }
}

/**
 * What gates read, from the plugin's database. Every query is an index
 * range: a commit's environments in a stage by (entity_ref, stage,
 * commit_sha), their runs by (environment_id, created_at), manifests by
 * their primary key (run_id, task_id), ready transitions by
 * (environment_id, id). Environments of every status count: the runs of a
 * torn-down `ci` environment still happened.
 */
export class DatabaseGateContext implements PromotionGateContext {
  readonly promotion: PromotionSubject;
  readonly now: Date;
  readonly #knex: Knex;
  readonly #decisions: () => Promise<GateDecision[]>;
  readonly #groupMembers: (groupRef: string) => Promise<string[]>;
  readonly #productionStage: string;
  // One evaluation reads each thing once: gates that ask the same (the
  // source runs, for `runs-succeeded` and `output-diff`) share the answer,
  // so every gate of an evaluation also sees the same snapshot.
  readonly #reads = new Map<string, Promise<unknown>>();

  constructor(options: DatabaseGateContextOptions) {
    this.promotion = options.promotion;
    this.now = options.now;
    this.#knex = options.knex;
    this.#decisions = options.decisions;
    this.#groupMembers = options.groupMembers;
    this.#productionStage =
      options.productionStage ??
      (options.promotion.toProduction
        ? options.promotion.toStage
        : 'production');
  }

  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let result = this.#reads.get(key) as Promise<T> | undefined;
    if (!result) {
      result = read();
      this.#reads.set(key, result);
      // A failed read is not remembered: asking again tries again.
      result.catch(() => this.#reads.delete(key));
    }
    return result;
  }

  async runs(query: {
    stage: string;
    profile?: string;
    limit: number;
  }): Promise<GateRun[]> {
    assertBounded('runs', query.limit);
    return this.#once(
      JSON.stringify(['runs', query.stage, query.profile, query.limit]),
      () => this.#readRuns(query),
    );
  }

  async #readRuns(query: {
    stage: string;
    profile?: string;
    limit: number;
  }): Promise<GateRun[]> {
    const select = this.#knex(`${RUNS} as r`)
      .join(`${ENVIRONMENTS} as e`, 'e.id', 'r.environment_id')
      .where('e.entity_ref', this.promotion.entityRef)
      .andWhere('e.stage', query.stage)
      .andWhere('e.commit_sha', this.promotion.commit)
      .select(RUN_COLUMNS)
      .orderBy([
        { column: 'r.created_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ])
      .limit(query.limit);
    if (query.profile !== undefined) {
      select.andWhere('e.profile', query.profile);
    }
    const rows: RunRow[] = await select;
    return rows.map(fromRow);
  }

  async manifests(runIds: string[]): Promise<GateManifest[]> {
    if (runIds.length === 0) return [];
    assertBounded('runs’ manifests', runIds.length);
    const rows: Array<{ run_id: string; task_id: string; manifest: string }> =
      await this.#knex(MANIFESTS)
        .whereIn('run_id', runIds)
        .select('run_id', 'task_id', 'manifest')
        .orderBy(['run_id', 'task_id']);
    return rows.map(row => ({
      runId: row.run_id,
      taskId: row.task_id,
      manifest: JSON.parse(row.manifest) as JsonObject,
    }));
  }

  productionBaseline(): Promise<GateRun | undefined> {
    return this.#once('productionBaseline', () => this.#readBaseline());
  }

  async #readBaseline(): Promise<GateRun | undefined> {
    // Two steps on purpose: joined, planners without statistics (SQLite)
    // start from the runs' (state, instance) index — every successful run
    // of every DAG — rather than from production's few environments.
    const environments: Array<{ id: string }> = await this.#knex(ENVIRONMENTS)
      .where('entity_ref', this.promotion.entityRef)
      .andWhere('stage', this.#productionStage)
      .select('id')
      .limit(MAX_GATE_READ);
    if (environments.length === 0) return undefined;
    const row: RunRow | undefined = await this.#knex(`${RUNS} as r`)
      .join(`${ENVIRONMENTS} as e`, 'e.id', 'r.environment_id')
      .whereIn(
        'r.environment_id',
        environments.map(e => e.id),
      )
      .andWhere('r.state', 'success')
      .select(RUN_COLUMNS)
      .orderBy([
        { column: 'r.created_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ])
      .first();
    return row && fromRow(row);
  }

  readySince(): Promise<Date | undefined> {
    return this.#once('readySince', () => this.#readReadySince());
  }

  async #readReadySince(): Promise<Date | undefined> {
    // The newest `ready` transition of each environment of the commit in
    // the source stage that is ready now; the commit has been ready there
    // since the earliest of them.
    const rows: Array<{ since: Date | string | number | null }> =
      await this.#knex(`${EVENTS} as ev`)
        .join(`${ENVIRONMENTS} as e`, 'e.id', 'ev.environment_id')
        .where('e.entity_ref', this.promotion.entityRef)
        .andWhere('e.stage', this.promotion.fromStage)
        .andWhere('e.commit_sha', this.promotion.commit)
        .andWhere('e.status', 'ready')
        .andWhere('ev.to_status', 'ready')
        .groupBy('e.id')
        .max('ev.at as since');
    const since = rows
      .filter(r => r.since !== null)
      .map(r => toDate(r.since!).getTime());
    return since.length ? new Date(Math.min(...since)) : undefined;
  }

  decisions(): Promise<GateDecision[]> {
    return this.#decisions();
  }

  groupMembers(groupRef: string): Promise<string[]> {
    return this.#groupMembers(groupRef);
  }
}

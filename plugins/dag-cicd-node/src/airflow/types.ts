/**
 * The product's view of Airflow: one set of types for Airflow 3 (`/api/v2`)
 * and Airflow 2 (`/api/v1`). The clients translate each API's shapes into
 * these, so nothing outside `airflow/` knows which version it talks to.
 * Timestamps are ISO 8601 strings exactly as Airflow sent them; a field
 * Airflow left null or does not have in that version is `undefined`.
 */

/** Which REST API an instance speaks: `v2` is Airflow 3, `v1` Airflow 2. */
export type AirflowApiVersion = 'v2' | 'v1';

/** What a client says about the instance it talks to. */
export interface AirflowInstanceInfo {
  /** The configured name, e.g. `prod`: the `airflow.apache.org/instance` annotation. */
  name: string;
  apiVersion: AirflowApiVersion;
  /** The API server's base URL, without a trailing slash. */
  baseUrl: string;
  /** Where people open the Airflow UI, without a trailing slash. */
  uiUrl: string;
}

/** The states of a DAG run; the same four in both API versions. */
export type AirflowDagRunState = 'queued' | 'running' | 'success' | 'failed';

/** The DAG run states that may still change. */
export const ACTIVE_DAG_RUN_STATES: readonly AirflowDagRunState[] = [
  'queued',
  'running',
];

/** The DAG run states a run ends in. */
export const FINISHED_DAG_RUN_STATES: readonly AirflowDagRunState[] = [
  'success',
  'failed',
];

/** How a run came to be; Airflow 2's `dataset_triggered` is `asset_triggered`. */
export type AirflowDagRunType =
  | 'manual'
  | 'scheduled'
  | 'backfill'
  | 'asset_triggered'
  | 'asset_materialization';

/** One page of a collection and the collection's size when it was read. */
export interface AirflowPage<T> {
  items: T[];
  totalEntries: number;
}

export interface AirflowDag {
  dagId: string;
  displayName: string;
  description?: string;
  isPaused: boolean;
  /**
   * The DAG's file is gone from the DAG folder or bundle: Airflow 3's
   * `is_stale`, the opposite of Airflow 2's `is_active`.
   */
  isStale: boolean;
  owners: string[];
  tags: string[];
  /**
   * The schedule in Airflow's own words: Airflow 3's `timetable_summary`
   * (e.g. `0 6 * * *`); for Airflow 2 the cron expression or the interval.
   */
  timetableSummary?: string;
  /** The human description of the schedule, e.g. `At 06:00`. */
  timetableDescription?: string;
  fileloc: string;
  hasImportErrors: boolean;
  lastParsedTime?: string;
}

export interface AirflowDagDetails extends AirflowDag {
  /** Owner name → link, as the DAG's `owner_links` declares. */
  ownerLinks: Record<string, string>;
  docMd?: string;
  startDate?: string;
  catchup?: boolean;
  /** Airflow 3: the bundle the DAG comes from, e.g. a `GitDagBundle`. */
  bundleName?: string;
  /** Airflow 3: the bundle version last parsed, e.g. a git SHA. */
  bundleVersion?: string;
}

export interface AirflowDagRun {
  dagId: string;
  runId: string;
  state: AirflowDagRunState;
  runType: AirflowDagRunType;
  logicalDate?: string;
  queuedAt?: string;
  startDate?: string;
  endDate?: string;
  /**
   * Airflow 3 stamps every run with the version of the DAG bundle it ran
   * (the git SHA for a `GitDagBundle`); Airflow 2 has none.
   */
  bundleVersion?: string;
  conf: Record<string, unknown>;
  note?: string;
}

export interface AirflowTaskInstance {
  taskId: string;
  /** -1 unless the task is mapped. */
  mapIndex: number;
  /** Airflow's task state, e.g. `success` or `up_for_retry`; none yet when undefined. */
  state?: string;
  tryNumber: number;
  startDate?: string;
  endDate?: string;
  /** Seconds. */
  duration?: number;
  operator?: string;
}

/** One run of one DAG. */
export interface AirflowRunReference {
  dagId: string;
  runId: string;
}

/** A task instance with the run it belongs to, as batch lists answer. */
export interface AirflowRunTaskInstance
  extends AirflowTaskInstance,
    AirflowRunReference {}

export interface AirflowTaskReference {
  dagId: string;
  taskId: string;
}

/** An Airflow 3 asset, or an Airflow 2 dataset. */
export interface AirflowAsset {
  id: number;
  uri: string;
  /** Airflow 3's asset name; the URI for Airflow 2 datasets. */
  name: string;
  group?: string;
  /** Tasks that emit the asset (outlets). */
  producingTasks: AirflowTaskReference[];
  /** DAGs scheduled on the asset. */
  scheduledDagIds: string[];
  /** Airflow 3: tasks that read the asset (inlets); empty on Airflow 2. */
  consumingTasks: AirflowTaskReference[];
}

export interface ListDagsQuery {
  /** DAGs having any of these tags. */
  tags?: string[];
  /**
   * Airflow's own `dag_id_pattern`: a SQL `LIKE` expression on Airflow 3
   * (`%` / `_` wildcards, `|` for OR), a substring on Airflow 2.
   */
  dagIdPattern?: string;
  /** Only paused (true) or only active (false) DAGs; both when unset. */
  paused?: boolean;
  /** Include DAGs whose file is gone. Default false, as in Airflow. */
  includeStale?: boolean;
}

export interface PageQuery {
  /** Page size. Airflow caps it at its `maximum_page_limit` (100 by default). */
  limit?: number;
  offset?: number;
}

export interface ListDagRunsQuery extends PageQuery {
  states?: AirflowDagRunState[];
}

export interface ListDagRunsBatchQuery {
  /** The DAGs whose runs to list. An empty list asks Airflow nothing. */
  dagIds: string[];
  states?: AirflowDagRunState[];
  /**
   * Only runs that ended at or after this instant (ISO 8601), by Airflow's
   * clock: `end_date_gte` in both versions. Runs still going have no end
   * and are left out.
   */
  endedSince?: string;
  /** Runs per request. Default 100, Airflow's default maximum. */
  pageSize?: number;
}

export interface TriggerDagRunRequest {
  dagRunId: string;
  conf: Record<string, unknown>;
  note?: string;
}

/**
 * One configured Airflow instance. Every method fails with an
 * {@link AirflowError} naming the instance and the call; `toHttpError` turns
 * it into the error the product's API answers with.
 */
export interface AirflowClient {
  readonly instance: AirflowInstanceInfo;

  getDag(dagId: string): Promise<AirflowDag>;
  /** DAG details: owners and their links, tags, schedule, docs, bundle. */
  getDagDetails(dagId: string): Promise<AirflowDagDetails>;
  listDags(query?: ListDagsQuery & PageQuery): Promise<AirflowPage<AirflowDag>>;
  /** Every DAG matching the query, one page at a time, until `total_entries`. */
  iterateDags(
    query?: ListDagsQuery & { pageSize?: number },
  ): AsyncIterable<AirflowDag[]>;

  /** Starts a run with this id and conf; a run id already used is a 409. */
  triggerDagRun(
    dagId: string,
    request: TriggerDagRunRequest,
  ): Promise<AirflowDagRun>;
  getDagRun(dagId: string, runId: string): Promise<AirflowDagRun>;
  /** One page of a DAG's runs, newest first. */
  listDagRuns(
    dagId: string,
    query?: ListDagRunsQuery,
  ): Promise<AirflowPage<AirflowDagRun>>;
  /**
   * Every run of these DAGs in these states, through the batch endpoint
   * (`POST …/dags/~/dagRuns/list`): ceil(runs / page size) requests however
   * many DAGs are asked for.
   */
  listDagRunsBatch(query: ListDagRunsBatchQuery): Promise<AirflowDagRun[]>;

  /** Every task instance of a run, mapped ones included. */
  listTaskInstances(
    dagId: string,
    runId: string,
  ): Promise<AirflowTaskInstance[]>;
  /**
   * Every task instance of these runs, through the batch endpoint
   * (`POST …/dags/~/dagRuns/~/taskInstances/list`): ceil(task instances /
   * page size) requests on Airflow 3, one on Airflow 2 (whose batch list
   * has no paging), however many runs. An empty list asks Airflow nothing.
   */
  listTaskInstancesBatch(
    runs: AirflowRunReference[],
  ): Promise<AirflowRunTaskInstance[]>;
  /** The value of one XCom entry, as JSON. */
  getXcomEntry(
    dagId: string,
    runId: string,
    taskId: string,
    key: string,
    options?: { mapIndex?: number },
  ): Promise<unknown>;

  /** One page of assets (Airflow 3) or datasets (Airflow 2). */
  listAssets(query?: PageQuery): Promise<AirflowPage<AirflowAsset>>;
  iterateAssets(options?: { pageSize?: number }): AsyncIterable<AirflowAsset[]>;

  /**
   * Sets an Airflow Variable to a string, creating it when Airflow has none
   * of that key (`PATCH …/variables/{key}`, then `POST …/variables` on 404).
   */
  setVariable(key: string, value: string): Promise<void>;

  /** The DAG in the Airflow UI. */
  uiLinkForDag(dagId: string): string;
  /** The run in the Airflow UI. */
  uiLinkForRun(dagId: string, runId: string): string;
}

import { InputError } from '@backstage/errors';
import { AirflowError } from './AirflowError';
import { AirflowHttp } from './AirflowHttp';
import { dagRun, taskInstance } from './normalise';
import { object, page } from './responses';
import {
  AirflowAsset,
  AirflowClient,
  AirflowDag,
  AirflowDagDetails,
  AirflowDagRun,
  AirflowInstanceInfo,
  AirflowPage,
  AirflowRunReference,
  AirflowRunTaskInstance,
  AirflowTaskInstance,
  ListDagRunsBatchQuery,
  ListDagRunsQuery,
  ListDagsQuery,
  PageQuery,
  TriggerDagRunRequest,
} from './types';

/** Airflow's default `maximum_page_limit`: larger pages are cut to it. */
export const DEFAULT_PAGE_SIZE = 100;

/**
 * Encodes an id as one path segment: run ids hold `:` and `+`, and may hold
 * `/` or `?`. URLs resolve `.` and `..` segments, even percent-encoded, so
 * those ids (and the empty one) would address another resource: refused.
 *
 * @throws InputError for an id no URL can carry as a segment
 */
export function segment(id: string): string {
  if (id === '' || id === '.' || id === '..') {
    throw new InputError(
      `${JSON.stringify(id)} is not an id the Airflow API can be asked about`,
    );
  }
  return encodeURIComponent(id);
}

type Json = Record<string, any>;

/**
 * What both API versions' clients share: paging through collections. A
 * version's client says where each call goes and how its answers read.
 */
export abstract class AirflowClientBase implements AirflowClient {
  constructor(
    readonly instance: AirflowInstanceInfo,
    protected readonly http: AirflowHttp,
  ) {}

  /** A DAG as the version's API describes it. */
  protected abstract dag(json: Json): AirflowDag;
  /** The fields of a DAG's details beyond the DAG's own, as the version has them. */
  protected abstract dagDetails(
    json: Json,
  ): Omit<AirflowDagDetails, keyof AirflowDag>;

  async getDag(dagId: string): Promise<AirflowDag> {
    return this.http.request(
      `getDag(${dagId})`,
      { method: 'GET', path: `${this.api}/dags/${segment(dagId)}` },
      body => this.dag(object(body, 'The DAG')),
    );
  }

  async getDagDetails(dagId: string): Promise<AirflowDagDetails> {
    return this.http.request(
      `getDagDetails(${dagId})`,
      { method: 'GET', path: `${this.api}/dags/${segment(dagId)}/details` },
      body => {
        const json = object(body, 'The DAG details');
        return { ...this.dag(json), ...this.dagDetails(json) };
      },
    );
  }

  abstract listDags(
    query?: ListDagsQuery & PageQuery,
  ): Promise<AirflowPage<AirflowDag>>;
  /** Fields the version's trigger body needs beyond the common ones. */
  protected abstract readonly triggerFields: Record<string, unknown>;
  /** `order_by` for newest first, as the version spells it. */
  protected abstract readonly newestFirst: string | string[];

  async triggerDagRun(
    dagId: string,
    request: TriggerDagRunRequest,
  ): Promise<AirflowDagRun> {
    try {
      return await this.http.request(
        `triggerDagRun(${dagId})`,
        {
          method: 'POST',
          path: `${this.api}/dags/${segment(dagId)}/dagRuns`,
          body: {
            dag_run_id: request.dagRunId,
            ...this.triggerFields,
            conf: request.conf,
            ...(request.note === undefined ? {} : { note: request.note }),
          },
          // The run id is ours, so sending again after a 5xx cannot start a
          // second run: either the first attempt never committed, or the
          // retry gets 409 for the run it did start (handled below). An
          // Airflow on SQLite answers 500 "database is locked" under load.
          idempotent: true,
        },
        body => dagRun(object(body, 'The DAG run')),
      );
    } catch (error) {
      // A 409 to a retry: a run with this id exists, ours when it carries
      // the same conf (the earlier attempt did start it). A 409 to the first
      // attempt is a real duplicate.
      if (
        !(error instanceof AirflowError) ||
        error.status !== 409 ||
        error.attempts < 2
      ) {
        throw error;
      }
      const existing = await this.getDagRun(dagId, request.dagRunId).catch(
        () => undefined,
      );
      if (existing && sameJson(existing.conf, request.conf)) return existing;
      throw error;
    }
  }

  async setVariable(key: string, value: string): Promise<void> {
    // The same body and paths in both versions; the value is a string in
    // Airflow 2's schema and any JSON in Airflow 3's.
    const body = { key, value };
    const operation = `setVariable(${key})`;
    try {
      await this.http.request(
        operation,
        {
          method: 'PATCH',
          path: `${this.api}/variables/${segment(key)}`,
          body,
          idempotent: true,
        },
        () => undefined,
      );
    } catch (error) {
      if (!(error instanceof AirflowError && error.status === 404)) throw error;
      await this.http.request(
        operation,
        {
          method: 'POST',
          path: `${this.api}/variables`,
          body,
          idempotent: false,
        },
        () => undefined,
      );
    }
  }

  async getDagRun(dagId: string, runId: string): Promise<AirflowDagRun> {
    return this.http.request(
      `getDagRun(${dagId}, ${runId})`,
      {
        method: 'GET',
        path: `${this.api}/dags/${segment(dagId)}/dagRuns/${segment(runId)}`,
      },
      body => dagRun(object(body, 'The DAG run')),
    );
  }

  async listDagRuns(
    dagId: string,
    query: ListDagRunsQuery = {},
  ): Promise<AirflowPage<AirflowDagRun>> {
    return this.http.request(
      `listDagRuns(${dagId})`,
      {
        method: 'GET',
        path: `${this.api}/dags/${segment(dagId)}/dagRuns`,
        query: {
          limit: query.limit,
          offset: query.offset,
          state: query.states,
          order_by: this.newestFirst,
        },
      },
      body => page(body, 'dag_runs', 'DAG run', dagRun),
    );
  }

  abstract getXcomEntry(
    dagId: string,
    runId: string,
    taskId: string,
    key: string,
    options?: { mapIndex?: number },
  ): Promise<unknown>;
  abstract listAssets(query?: PageQuery): Promise<AirflowPage<AirflowAsset>>;
  abstract uiLinkForDag(dagId: string): string;
  abstract uiLinkForRun(dagId: string, runId: string): string;

  /** One page of the batch run list. */
  /** `/api/v2` or `/api/v1`: the two versions share the paths below. */
  protected abstract readonly api: string;

  /** One page of the batch run list; the same request in v1 and v2. */
  protected async listDagRunsBatchPage(
    query: ListDagRunsBatchQuery,
    offset: number,
    limit: number,
  ): Promise<AirflowPage<AirflowDagRun>> {
    return this.http.request(
      `listDagRunsBatch(${query.dagIds.length} DAGs)`,
      {
        method: 'POST',
        path: `${this.api}/dags/~/dagRuns/list`,
        body: {
          dag_ids: query.dagIds,
          ...(query.states ? { states: query.states } : {}),
          ...(query.endedSince ? { end_date_gte: query.endedSince } : {}),
          page_offset: offset,
          page_limit: limit,
        },
        // A read that is a POST only so that the DAG list fits.
        idempotent: true,
      },
      body => page(body, 'dag_runs', 'DAG run', dagRun),
    );
  }

  /**
   * One page of the task instances of runs of these DAGs with these run ids
   * (every pair of them: the caller keeps the runs it asked for).
   */
  protected abstract listTaskInstancesBatchPage(
    dagIds: string[],
    runIds: string[],
    offset: number,
    limit: number,
  ): Promise<AirflowPage<AirflowRunTaskInstance>>;

  /** One page of a run's task instances; the same request in v1 and v2. */
  protected async listTaskInstancesPage(
    dagId: string,
    runId: string,
    offset: number,
    limit: number,
  ): Promise<AirflowPage<AirflowTaskInstance>> {
    return this.http.request(
      `listTaskInstances(${dagId}, ${runId})`,
      {
        method: 'GET',
        path: `${this.api}/dags/${segment(dagId)}/dagRuns/${segment(
          runId,
        )}/taskInstances`,
        query: { limit, offset },
      },
      body => page(body, 'task_instances', 'task instance', taskInstance),
    );
  }

  iterateDags(
    query: ListDagsQuery & { pageSize?: number } = {},
  ): AsyncIterable<AirflowDag[]> {
    const { pageSize = DEFAULT_PAGE_SIZE, ...filter } = query;
    return this.http.paginate(
      'listDags',
      (offset, limit) => this.listDags({ ...filter, offset, limit }),
      pageSize,
    );
  }

  iterateAssets(
    options: { pageSize?: number } = {},
  ): AsyncIterable<AirflowAsset[]> {
    return this.http.paginate(
      'listAssets',
      (offset, limit) => this.listAssets({ offset, limit }),
      options.pageSize ?? DEFAULT_PAGE_SIZE,
    );
  }

  async listDagRunsBatch(
    query: ListDagRunsBatchQuery,
  ): Promise<AirflowDagRun[]> {
    // Airflow reads an absent or empty DAG list as "every DAG".
    if (query.dagIds.length === 0) return [];
    return this.#all(
      `listDagRunsBatch(${query.dagIds.length} DAGs)`,
      (offset, limit) => this.listDagRunsBatchPage(query, offset, limit),
      query.pageSize,
    );
  }

  listTaskInstances(
    dagId: string,
    runId: string,
  ): Promise<AirflowTaskInstance[]> {
    return this.#all(`listTaskInstances(${dagId}, ${runId})`, (offset, limit) =>
      this.listTaskInstancesPage(dagId, runId, offset, limit),
    );
  }

  async listTaskInstancesBatch(
    runs: AirflowRunReference[],
  ): Promise<AirflowRunTaskInstance[]> {
    // As for runs, Airflow reads an absent or empty list as "every one".
    if (runs.length === 0) return [];
    const key = (r: AirflowRunReference) => JSON.stringify([r.dagId, r.runId]);
    const dagIds = [...new Set(runs.map(r => r.dagId))];
    const runIds = [...new Set(runs.map(r => r.runId))];
    const asked = new Set(runs.map(key));
    const found = await this.#all(
      `listTaskInstancesBatch(${runs.length} runs)`,
      (offset, limit) =>
        this.listTaskInstancesBatchPage(dagIds, runIds, offset, limit),
    );
    // The filter is DAG ids × run ids: a run id shared by two DAGs may
    // bring a run that was not asked for.
    return found.filter(ti => asked.has(key(ti)));
  }

  async #all<T>(
    operation: string,
    fetchPage: (offset: number, limit: number) => Promise<AirflowPage<T>>,
    pageSize = DEFAULT_PAGE_SIZE,
  ): Promise<T[]> {
    const items: T[] = [];
    for await (const batch of this.http.paginate(
      operation,
      fetchPage,
      pageSize,
    )) {
      items.push(...batch);
    }
    return items;
  }
}

// Whether two JSON values are equal, whatever the order of object keys (a
// conf comes back from Airflow's database, not as it was sent).
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(k =>
      sameJson(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
      ),
    )
  );
}

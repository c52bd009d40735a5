import { AirflowClientBase, segment } from './AirflowClientBase';
import {
  assetId,
  dagBase,
  runTaskInstance,
  taskReference,
  xcomValue,
} from './normalise';
import {
  boolean,
  list,
  object,
  optionalString,
  page,
  record,
  string,
} from './responses';
import {
  AirflowAsset,
  AirflowDag,
  AirflowDagDetails,
  AirflowPage,
  AirflowRunTaskInstance,
  ListDagsQuery,
  PageQuery,
} from './types';

type Json = Record<string, any>;

const API = '/api/v2';

function dag(json: Json): AirflowDag {
  return {
    ...dagBase(json),
    isStale: boolean(json, 'is_stale', false),
    timetableSummary: optionalString(json, 'timetable_summary', 'A DAG'),
  };
}

function asset(json: Json): AirflowAsset {
  const what = 'An asset';
  return {
    id: assetId(json),
    uri: string(json, 'uri', what),
    name: string(json, 'name', what),
    group: optionalString(json, 'group', what),
    producingTasks: list(json, 'producing_tasks', what).map(ref =>
      taskReference(object(ref, what)),
    ),
    scheduledDagIds: list(json, 'scheduled_dags', what).map(ref =>
      string(object(ref, what), 'dag_id', what),
    ),
    consumingTasks: list(json, 'consuming_tasks', what).map(ref =>
      taskReference(object(ref, what)),
    ),
  };
}

/** A client of Airflow 3's public REST API, `/api/v2`. */
export class AirflowV2Client extends AirflowClientBase {
  protected readonly api = API;
  // Airflow 3 requires the field: null runs the DAG "now", with no data
  // interval, which is what a test run of an environment is.
  protected readonly triggerFields = { logical_date: null };
  protected readonly newestFirst = ['-id'];

  protected dag(json: Json): AirflowDag {
    return dag(json);
  }

  protected dagDetails(json: Json): Omit<AirflowDagDetails, keyof AirflowDag> {
    const what = 'The DAG details';
    return {
      ownerLinks: record(json, 'owner_links', what),
      docMd: optionalString(json, 'doc_md', what),
      startDate: optionalString(json, 'start_date', what),
      catchup: typeof json.catchup === 'boolean' ? json.catchup : undefined,
      bundleName: optionalString(json, 'bundle_name', what),
      bundleVersion: optionalString(json, 'bundle_version', what),
    };
  }

  async listDags(
    query: ListDagsQuery & PageQuery = {},
  ): Promise<AirflowPage<AirflowDag>> {
    return this.http.request(
      'listDags',
      {
        method: 'GET',
        path: `${API}/dags`,
        query: {
          limit: query.limit,
          offset: query.offset,
          tags: query.tags,
          dag_id_pattern: query.dagIdPattern,
          paused: query.paused,
          exclude_stale: query.includeStale ? false : undefined,
        },
      },
      body => page(body, 'dags', 'DAG', dag),
    );
  }

  protected async listTaskInstancesBatchPage(
    dagIds: string[],
    runIds: string[],
    offset: number,
    limit: number,
  ): Promise<AirflowPage<AirflowRunTaskInstance>> {
    return this.http.request(
      `listTaskInstancesBatch(${runIds.length} runs)`,
      {
        method: 'POST',
        path: `${API}/dags/~/dagRuns/~/taskInstances/list`,
        body: {
          dag_ids: dagIds,
          dag_run_ids: runIds,
          page_offset: offset,
          page_limit: limit,
        },
        idempotent: true,
      },
      body => page(body, 'task_instances', 'task instance', runTaskInstance),
    );
  }

  async getXcomEntry(
    dagId: string,
    runId: string,
    taskId: string,
    key: string,
    options: { mapIndex?: number } = {},
  ): Promise<unknown> {
    return this.http.request(
      `getXcomEntry(${dagId}, ${runId}, ${taskId}, ${key})`,
      {
        method: 'GET',
        path: `${API}/dags/${segment(dagId)}/dagRuns/${segment(
          runId,
        )}/taskInstances/${segment(taskId)}/xcomEntries/${segment(key)}`,
        query: { map_index: options.mapIndex ?? -1 },
      },
      body => xcomValue(object(body, 'The XCom entry'), true),
    );
  }

  async listAssets(query: PageQuery = {}): Promise<AirflowPage<AirflowAsset>> {
    return this.http.request(
      'listAssets',
      {
        method: 'GET',
        path: `${API}/assets`,
        query: { limit: query.limit, offset: query.offset },
      },
      body => page(body, 'assets', 'asset', asset),
    );
  }

  uiLinkForDag(dagId: string): string {
    return `${this.instance.uiUrl}/dags/${segment(dagId)}`;
  }

  uiLinkForRun(dagId: string, runId: string): string {
    return `${this.instance.uiUrl}/dags/${segment(dagId)}/runs/${segment(
      runId,
    )}`;
  }
}

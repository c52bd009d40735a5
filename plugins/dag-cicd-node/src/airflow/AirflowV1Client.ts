import { AirflowClientBase, segment } from './AirflowClientBase';
import { assetId, dagBase, runTaskInstance, xcomValue } from './normalise';
import {
  boolean,
  list,
  object,
  optionalString,
  page,
  string,
} from './responses';
import {
  AirflowAsset,
  AirflowDag,
  AirflowDagDetails,
  AirflowPage,
  AirflowRunTaskInstance,
  AirflowTaskReference,
  ListDagsQuery,
  PageQuery,
} from './types';

type Json = Record<string, any>;

const API = '/api/v1';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Airflow 2's `schedule_interval` in the words Airflow 3's
 * `timetable_summary` uses: the cron expression, or the interval as Python
 * prints a timedelta (`1 day, 0:00:00`).
 */
export function scheduleSummary(schedule: unknown): string | undefined {
  const s = schedule as Json | null | undefined;
  switch (s?.__type) {
    case 'CronExpression':
      return typeof s.value === 'string' ? s.value : undefined;
    case 'TimeDelta': {
      const days = Number(s.days ?? 0);
      const seconds = Number(s.seconds ?? 0);
      const micro = Number(s.microseconds ?? 0);
      const time = `${Math.floor(seconds / 3600)}:${pad(
        Math.floor(seconds / 60) % 60,
      )}:${pad(seconds % 60)}${
        micro ? `.${String(micro).padStart(6, '0')}` : ''
      }`;
      return days ? `${days} day${days === 1 ? '' : 's'}, ${time}` : time;
    }
    case 'RelativeDelta': {
      const parts = [
        'years',
        'months',
        'days',
        'leapdays',
        'hours',
        'minutes',
        'seconds',
        'microseconds',
      ]
        .filter(unit => Number(s[unit]))
        .map(unit => `${unit}=${s[unit] > 0 ? '+' : ''}${s[unit]}`);
      return `relativedelta(${parts.join(', ')})`;
    }
    default:
      return undefined;
  }
}

function dag(json: Json): AirflowDag {
  return {
    ...dagBase(json),
    isStale: !boolean(json, 'is_active', true),
    timetableSummary: scheduleSummary(json.schedule_interval),
  };
}

/** Airflow 2's dataset references may lack ids; those say nothing. */
function references(json: Json, key: string): AirflowTaskReference[] {
  return list(json, key, 'A dataset').flatMap(ref => {
    const { dag_id: dagId, task_id: taskId } = (ref ?? {}) as Json;
    return typeof dagId === 'string' && typeof taskId === 'string'
      ? [{ dagId, taskId }]
      : [];
  });
}

function dataset(json: Json): AirflowAsset {
  const uri = string(json, 'uri', 'A dataset');
  return {
    id: assetId(json),
    uri,
    name: uri,
    producingTasks: references(json, 'producing_tasks'),
    scheduledDagIds: list(json, 'consuming_dags', 'A dataset')
      .map(ref => (ref as Json)?.dag_id)
      .filter((id): id is string => typeof id === 'string'),
    consumingTasks: [],
  };
}

/** A client of Airflow 2's stable REST API, `/api/v1` (Airflow 2.10). */
export class AirflowV1Client extends AirflowClientBase {
  protected readonly api = API;
  // Without a logical date Airflow 2 takes the time of the request.
  protected readonly triggerFields = {};
  protected readonly newestFirst = '-id';

  protected dag(json: Json): AirflowDag {
    return dag(json);
  }

  protected dagDetails(json: Json): Omit<AirflowDagDetails, keyof AirflowDag> {
    const what = 'The DAG details';
    return {
      ownerLinks: {},
      docMd: optionalString(json, 'doc_md', what),
      startDate: optionalString(json, 'start_date', what),
      catchup: typeof json.catchup === 'boolean' ? json.catchup : undefined,
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
          only_active: query.includeStale ? false : undefined,
        },
      },
      body => page(body, 'dags', 'DAG', dag),
    );
  }

  protected async listTaskInstancesBatchPage(
    dagIds: string[],
    runIds: string[],
  ): Promise<AirflowPage<AirflowRunTaskInstance>> {
    return this.http.request(
      `listTaskInstancesBatch(${runIds.length} runs)`,
      {
        method: 'POST',
        path: `${API}/dags/~/dagRuns/~/taskInstances/list`,
        // Airflow 2's form has no paging: one answer holds every match.
        body: { dag_ids: dagIds, dag_run_ids: runIds },
        idempotent: true,
      },
      body => {
        const { items } = page(
          body,
          'task_instances',
          'task instance',
          runTaskInstance,
        );
        return { items, totalEntries: items.length };
      },
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
        // Airflow 2.10 stringifies values (Python's repr) unless told not to.
        query: { map_index: options.mapIndex ?? -1, stringify: false },
      },
      body => xcomValue(object(body, 'The XCom entry'), false),
    );
  }

  async listAssets(query: PageQuery = {}): Promise<AirflowPage<AirflowAsset>> {
    return this.http.request(
      'listAssets',
      {
        method: 'GET',
        path: `${API}/datasets`,
        query: { limit: query.limit, offset: query.offset },
      },
      body => page(body, 'datasets', 'dataset', dataset),
    );
  }

  uiLinkForDag(dagId: string): string {
    return `${this.instance.uiUrl}/dags/${segment(dagId)}/grid`;
  }

  uiLinkForRun(dagId: string, runId: string): string {
    return `${this.instance.uiUrl}/dags/${segment(
      dagId,
    )}/grid?dag_run_id=${encodeURIComponent(runId)}`;
  }
}

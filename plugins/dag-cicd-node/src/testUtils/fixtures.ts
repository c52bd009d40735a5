/*
 * Answers as Airflow sends them, one builder per schema and API version.
 * The mock checks every answer against the spec, so these cannot drift.
 */

type Json = Record<string, any>;

const T0 = '2026-05-01T06:00:00Z';
const T1 = '2026-05-01T06:00:05Z';
const T2 = '2026-05-01T06:03:00Z';
const UUID = '0195f3a2-6c1e-7b52-9d1a-3f3f0c6a2b11';

/** A JWT whose payload carries `exp` (seconds); the signature is not checked by clients. */
export function jwt(expSeconds: number, subject = 'admin'): string {
  const part = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS512', typ: 'JWT' })}.${part({
    sub: subject,
    exp: expSeconds,
  })}.c2lnbmF0dXJl`;
}

export const v2 = {
  dag(dagId: string, overrides: Json = {}): Json {
    return {
      dag_id: dagId,
      dag_display_name: dagId,
      is_paused: false,
      is_stale: false,
      last_parsed_time: T0,
      last_parse_duration: 0.12,
      last_expired: null,
      bundle_name: 'dags-folder',
      bundle_version: null,
      relative_fileloc: `${dagId}.py`,
      fileloc: `/opt/airflow/dags/${dagId}.py`,
      description: `The ${dagId} pipeline`,
      timetable_summary: '0 6 * * *',
      timetable_description: 'At 06:00',
      timetable_partitioned: false,
      tags: [{ name: 'etl', dag_id: dagId, dag_display_name: dagId }],
      max_active_tasks: 16,
      max_active_runs: 16,
      max_consecutive_failed_dag_runs: 0,
      has_task_concurrency_limits: false,
      has_import_errors: false,
      next_dagrun_logical_date: null,
      next_dagrun_data_interval_start: null,
      next_dagrun_data_interval_end: null,
      next_dagrun_run_after: null,
      allowed_run_types: null,
      owners: ['data-eng'],
      file_token: 'Ii9vcHQvYWlyZmxvdy9kYWdzIg.token',
      ...overrides,
    };
  },

  dagDetails(dagId: string, overrides: Json = {}): Json {
    return {
      ...v2.dag(dagId),
      catchup: false,
      dag_run_timeout: null,
      asset_expression: null,
      doc_md: '# Orders\nDaily orders.',
      start_date: '2026-01-01T00:00:00Z',
      end_date: null,
      is_paused_upon_creation: null,
      params: {},
      render_template_as_native_obj: false,
      template_search_path: null,
      timezone: 'UTC',
      last_parsed: T0,
      default_args: { owner: 'data-eng' },
      owner_links: { 'data-eng': 'https://example.com/teams/data-eng' },
      is_favorite: false,
      active_runs_count: 0,
      concurrency: 16,
      latest_dag_version: null,
      ...overrides,
    };
  },

  dagRun(dagId: string, runId: string, overrides: Json = {}): Json {
    return {
      dag_run_id: runId,
      dag_id: dagId,
      logical_date: null,
      queued_at: T0,
      start_date: T1,
      end_date: null,
      duration: null,
      data_interval_start: null,
      data_interval_end: null,
      run_after: T0,
      last_scheduling_decision: null,
      run_type: 'manual',
      state: 'running',
      triggered_by: 'rest_api',
      triggering_user_name: 'admin',
      conf: {},
      note: null,
      dag_versions: [
        {
          id: UUID,
          version_number: 1,
          dag_id: dagId,
          bundle_name: 'dags-folder',
          bundle_version: 'ab12cd3',
          created_at: T0,
          dag_display_name: dagId,
          bundle_url: null,
        },
      ],
      bundle_version: 'ab12cd3',
      dag_display_name: dagId,
      partition_key: null,
      ...overrides,
    };
  },

  taskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    overrides: Json = {},
  ): Json {
    return {
      id: UUID,
      task_id: taskId,
      dag_id: dagId,
      dag_run_id: runId,
      map_index: -1,
      logical_date: null,
      run_after: T0,
      start_date: T1,
      end_date: T2,
      duration: 175,
      state: 'success',
      try_number: 1,
      max_tries: 0,
      task_display_name: taskId,
      dag_display_name: dagId,
      hostname: 'worker-1',
      unixname: 'airflow',
      pool: 'default_pool',
      pool_slots: 1,
      queue: 'default',
      priority_weight: 1,
      operator: 'PythonOperator',
      operator_name: 'PythonOperator',
      queued_when: T0,
      scheduled_when: T0,
      pid: 42,
      executor: null,
      executor_config: '{}',
      note: null,
      rendered_map_index: null,
      rendered_fields: {},
      trigger: null,
      triggerer_job: null,
      dag_version: null,
      ...overrides,
    };
  },

  xcom(
    dagId: string,
    runId: string,
    taskId: string,
    key: string,
    value: unknown,
  ): Json {
    return {
      key,
      timestamp: T2,
      logical_date: null,
      map_index: -1,
      task_id: taskId,
      dag_id: dagId,
      run_id: runId,
      dag_display_name: dagId,
      task_display_name: taskId,
      run_after: T0,
      value,
    };
  },

  asset(id: number, uri: string, overrides: Json = {}): Json {
    return {
      id,
      name: uri,
      uri,
      group: 'asset',
      extra: {},
      created_at: T0,
      updated_at: T0,
      scheduled_dags: [],
      producing_tasks: [],
      consuming_tasks: [],
      aliases: [],
      watchers: [],
      last_asset_event: null,
      ...overrides,
    };
  },

  reference(dagId: string, taskId?: string): Json {
    return taskId
      ? { dag_id: dagId, task_id: taskId, created_at: T0, updated_at: T0 }
      : { dag_id: dagId, created_at: T0, updated_at: T0 };
  },

  error(detail: unknown): Json {
    return { detail };
  },
};

export const v1 = {
  dag(dagId: string, overrides: Json = {}): Json {
    return {
      dag_id: dagId,
      dag_display_name: dagId,
      root_dag_id: null,
      is_paused: false,
      is_active: true,
      is_subdag: false,
      last_parsed_time: T0,
      last_pickled: null,
      last_expired: null,
      scheduler_lock: null,
      pickle_id: null,
      default_view: 'grid',
      fileloc: `/opt/airflow/dags/${dagId}.py`,
      file_token: 'Ii9vcHQvYWlyZmxvdy9kYWdzIg.token',
      owners: ['data-eng'],
      description: `The ${dagId} pipeline`,
      schedule_interval: { __type: 'CronExpression', value: '0 6 * * *' },
      timetable_description: 'At 06:00',
      tags: [{ name: 'etl' }],
      max_active_tasks: 16,
      max_active_runs: 16,
      max_consecutive_failed_dag_runs: 0,
      has_task_concurrency_limits: false,
      has_import_errors: false,
      next_dagrun: null,
      next_dagrun_data_interval_start: null,
      next_dagrun_data_interval_end: null,
      next_dagrun_create_after: null,
      ...overrides,
    };
  },

  dagDetails(dagId: string, overrides: Json = {}): Json {
    return {
      ...v1.dag(dagId),
      catchup: false,
      concurrency: 16,
      dag_run_timeout: null,
      dataset_expression: null,
      doc_md: '# Orders\nDaily orders.',
      end_date: null,
      is_paused_upon_creation: null,
      last_parsed: T0,
      orientation: 'LR',
      params: {},
      render_template_as_native_obj: false,
      start_date: '2026-01-01T00:00:00Z',
      template_search_path: null,
      timezone: "Timezone('UTC')",
      ...overrides,
    };
  },

  dagRun(dagId: string, runId: string, overrides: Json = {}): Json {
    return {
      dag_run_id: runId,
      dag_id: dagId,
      logical_date: T0,
      execution_date: T0,
      start_date: T1,
      end_date: null,
      data_interval_start: T0,
      data_interval_end: T0,
      last_scheduling_decision: null,
      run_type: 'manual',
      state: 'running',
      external_trigger: true,
      conf: {},
      note: null,
      ...overrides,
    };
  },

  taskInstance(
    dagId: string,
    runId: string,
    taskId: string,
    overrides: Json = {},
  ): Json {
    return {
      task_id: taskId,
      task_display_name: taskId,
      dag_id: dagId,
      dag_run_id: runId,
      execution_date: T0,
      start_date: T1,
      end_date: T2,
      duration: 175,
      state: 'success',
      try_number: 1,
      map_index: -1,
      max_tries: 0,
      hostname: 'worker-1',
      unixname: 'airflow',
      pool: 'default_pool',
      pool_slots: 1,
      queue: 'default',
      priority_weight: 1,
      operator: 'PythonOperator',
      queued_when: T0,
      pid: 42,
      executor: null,
      executor_config: '{}',
      rendered_map_index: null,
      rendered_fields: {},
      note: null,
      ...overrides,
    };
  },

  xcom(dagId: string, taskId: string, key: string, value: unknown): Json {
    return {
      key,
      timestamp: T2,
      execution_date: T0,
      map_index: -1,
      task_id: taskId,
      dag_id: dagId,
      value,
    };
  },

  dataset(id: number, uri: string, overrides: Json = {}): Json {
    return {
      id,
      uri,
      extra: {},
      created_at: T0,
      updated_at: T0,
      consuming_dags: [],
      producing_tasks: [],
      ...overrides,
    };
  },

  reference(dagId: string, taskId?: string): Json {
    return taskId
      ? { dag_id: dagId, task_id: taskId, created_at: T0, updated_at: T0 }
      : { dag_id: dagId, created_at: T0, updated_at: T0 };
  },

  error(status: number, title: string, detail: string): Json {
    return {
      type: `https://airflow.apache.org/docs/apache-airflow/2.10.0/stable-rest-api-ref.html#section/Errors/${title.replace(
        / /g,
        '',
      )}`,
      title,
      status,
      detail,
    };
  },
};

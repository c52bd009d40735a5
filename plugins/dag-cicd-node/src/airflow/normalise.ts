import { MalformedResponse } from './AirflowHttp';
import {
  boolean,
  list,
  number,
  optionalNumber,
  optionalString,
  record,
  string,
} from './responses';
import {
  AirflowDag,
  AirflowDagRun,
  AirflowDagRunState,
  AirflowDagRunType,
  AirflowRunTaskInstance,
  AirflowTaskInstance,
  AirflowTaskReference,
} from './types';

/*
 * Translations of the answers that are alike in both API versions. Fields
 * one version lacks (Airflow 2 has no bundle_version) simply stay undefined.
 */

type Json = Record<string, any>;

const RUN_STATES = new Set<string>(['queued', 'running', 'success', 'failed']);
const RUN_TYPES: Record<string, AirflowDagRunType> = {
  manual: 'manual',
  scheduled: 'scheduled',
  backfill: 'backfill',
  asset_triggered: 'asset_triggered',
  asset_materialization: 'asset_materialization',
  // Airflow 2 called assets datasets.
  dataset_triggered: 'asset_triggered',
};

export function dagRun(json: Json): AirflowDagRun {
  const what = 'A DAG run';
  const state = string(json, 'state', what);
  if (!RUN_STATES.has(state)) {
    throw new MalformedResponse(`${what} has an unknown state "${state}"`);
  }
  const runType = string(json, 'run_type', what);
  return {
    dagId: string(json, 'dag_id', what),
    runId: string(json, 'dag_run_id', what),
    state: state as AirflowDagRunState,
    runType: RUN_TYPES[runType] ?? (runType as AirflowDagRunType),
    logicalDate: optionalString(json, 'logical_date', what),
    queuedAt: optionalString(json, 'queued_at', what),
    startDate: optionalString(json, 'start_date', what),
    endDate: optionalString(json, 'end_date', what),
    bundleVersion: optionalString(json, 'bundle_version', what),
    conf: record(json, 'conf', what),
    note: optionalString(json, 'note', what),
  };
}

export function taskInstance(json: Json): AirflowTaskInstance {
  const what = 'A task instance';
  const state = optionalString(json, 'state', what);
  return {
    taskId: string(json, 'task_id', what),
    mapIndex: optionalNumber(json, 'map_index', what) ?? -1,
    // Airflow 2 spells "no state yet" as the string "none" too.
    state: state === 'none' ? undefined : state,
    tryNumber: optionalNumber(json, 'try_number', what) ?? 0,
    startDate: optionalString(json, 'start_date', what),
    endDate: optionalString(json, 'end_date', what),
    duration: optionalNumber(json, 'duration', what),
    operator: optionalString(json, 'operator', what),
  };
}

/** A task instance of a batch list, which says whose it is. */
export function runTaskInstance(json: Json): AirflowRunTaskInstance {
  const what = 'A task instance';
  return {
    ...taskInstance(json),
    dagId: string(json, 'dag_id', what),
    runId: string(json, 'dag_run_id', what),
  };
}

/** The DAG fields both versions share; the version-specific ones come on top. */
export function dagBase(
  json: Json,
): Omit<AirflowDag, 'isStale' | 'timetableSummary'> {
  const what = 'A DAG';
  const dagId = string(json, 'dag_id', what);
  return {
    dagId,
    displayName: optionalString(json, 'dag_display_name', what) ?? dagId,
    description: optionalString(json, 'description', what),
    isPaused: boolean(json, 'is_paused', false),
    owners: list(json, 'owners', what).filter(
      (owner): owner is string => typeof owner === 'string',
    ),
    tags: list(json, 'tags', what)
      .map(tag => (tag as Json)?.name)
      .filter((tag): tag is string => typeof tag === 'string'),
    timetableDescription: optionalString(json, 'timetable_description', what),
    fileloc: optionalString(json, 'fileloc', what) ?? '',
    hasImportErrors: boolean(json, 'has_import_errors', false),
    lastParsedTime: optionalString(json, 'last_parsed_time', what),
  };
}

export function taskReference(json: Json): AirflowTaskReference {
  const what = 'An asset reference';
  return {
    dagId: string(json, 'dag_id', what),
    taskId: string(json, 'task_id', what),
  };
}

/** Asset ids are integers in both versions. */
export function assetId(json: Json): number {
  return number(json, 'id', 'An asset');
}

/**
 * The value of an XCom entry. Airflow 3 answers with the value as stored in
 * its database, which may be the JSON text of an object or list
 * (`storedAsJson`); Airflow 2 with the value itself.
 */
export function xcomValue(json: Json, storedAsJson: boolean): unknown {
  if (!('value' in json)) {
    throw new MalformedResponse('The XCom entry has no "value"');
  }
  const value = json.value;
  if (storedAsJson && typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

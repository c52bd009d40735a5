import { InputError } from '@backstage/errors';
import {
  AIRFLOW_INSTANCE_ANNOTATION,
  dagCicdEnvironmentReadPermission,
} from '@dag-cicd/plugin-dag-cicd-common';
import { toHttpError } from '@dag-cicd/plugin-dag-cicd-node';
import { AirflowClients } from '../runs/RunService';
import { Caller } from './EnvironmentService';
import { EntityAccess } from './entityAccess';

/** How many of the DAG's newest runs a status shows. */
export const LATEST_RUNS = 5;

/** A DAG run as a status shows it, with its link in the Airflow UI. */
export interface DagStatusRun {
  dagRunId: string;
  state: string;
  runType: string;
  startDate: string | null;
  endDate: string | null;
  uiUrl: string;
}

/** The DAG's own state in Airflow, whatever environments it has. */
export interface DagStatus {
  instance: string;
  dagId: string;
  isPaused: boolean | null;
  isActive: boolean | null;
  /** The timetable's summary, e.g. `0 6 * * *`. */
  schedule: string | null;
  /** Not known through the client yet: Airflow's next run is not read. */
  nextRunAt: string | null;
  owners: string[];
  tags: string[];
  uiUrl: string;
  latestRuns: DagStatusRun[];
}

/**
 * The state of a DAG entity's DAG in Airflow: paused or not, schedule,
 * owners, tags and its newest runs, read through the shared Airflow client
 * on the instance the entity's annotations name.
 */
export class DagStatusService {
  constructor(
    private readonly options: { access: EntityAccess; airflow: AirflowClients },
  ) {}

  /**
   * @throws NotFoundError (unknown entity or DAG), InputError (no instance
   * annotation, unknown instance), NotAllowedError, or a 502 naming the
   * instance when Airflow cannot answer
   */
  async get(entityRef: string, caller: Caller): Promise<DagStatus> {
    const dag = await this.options.access.require({
      entityRef,
      permission: dagCicdEnvironmentReadPermission,
      credentials: caller.credentials,
    });
    const instance =
      dag.entity.metadata.annotations?.[AIRFLOW_INSTANCE_ANNOTATION];
    if (!instance) {
      throw new InputError(
        `${dag.entityRef} has no ${AIRFLOW_INSTANCE_ANNOTATION} annotation: it must name the Airflow instance that runs the DAG`,
      );
    }
    const client = this.options.airflow.get(instance);
    try {
      const [details, runs] = await Promise.all([
        client.getDagDetails(dag.dagId),
        client.listDagRuns(dag.dagId, { limit: LATEST_RUNS }),
      ]);
      return {
        instance: client.instance.name,
        dagId: details.dagId,
        isPaused: details.isPaused,
        isActive: !details.isStale,
        schedule: details.timetableSummary ?? null,
        nextRunAt: null,
        owners: details.owners,
        tags: details.tags,
        uiUrl: client.uiLinkForDag(details.dagId),
        latestRuns: runs.items.map(run => ({
          dagRunId: run.runId,
          state: run.state,
          runType: run.runType,
          startDate: run.startDate ?? null,
          endDate: run.endDate ?? null,
          uiUrl: client.uiLinkForRun(run.dagId, run.runId),
        })),
      };
    } catch (error) {
      throw toHttpError(error);
    }
  }
}

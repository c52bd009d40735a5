import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  AIRFLOW_INSTANCE_ANNOTATION,
  DAG_CICD_CONF_KEY,
  dagCicdEnvironmentReadPermission,
  dagCicdRunCreatePermission,
} from '@dag-cicd/plugin-dag-cicd-common';
import { randomUUID } from 'node:crypto';
import { AirflowClient, AirflowDagRun, toHttpError } from '../airflow';
import { EnvironmentRecord } from '../database/EnvironmentStore';
import { resolveWithin } from '../namespaces/DataNamespace';
import { Caller, EnvironmentService } from '../service/EnvironmentService';
import { toDagCicdConf } from '../service/Provisioner';
import { DataStores } from '../stores/DataStores';
import {
  FINAL_RUN_STATES,
  RunManifest,
  RunRecord,
  RunStore,
  RunUpdate,
} from './RunStore';

/** The instances the service can reach, by name. */
export interface AirflowClients {
  get(name: string): AirflowClient;
}

/** A run with what the API shows about it. */
export interface RunView extends RunRecord {
  uiUrl?: string;
  manifests: RunManifest[];
}

// Where the Airflow-side package writes a run's manifests.
const MANIFESTS = '_manifests/';

// A run id Airflow accepts and that is a safe key segment in a namespace
// (`_manifests/<run id>/`): no `:` or `+` from an ISO timestamp.
function dagRunIdFor(environment: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `dag_cicd__${environment}__${stamp}`;
}

/**
 * Runs: Airflow DAG runs started for an environment, each carrying the
 * environment in `conf.dag_cicd`, with their state synced from Airflow and
 * their output manifests collected once they finish.
 */
export class RunService {
  constructor(
    private readonly options: {
      runs: RunStore;
      environments: EnvironmentService;
      airflow: AirflowClients;
      dataStores: DataStores;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  /**
   * Starts a DAG run for a ready environment. The run is recorded first, so
   * that a backend stopping mid-way leaves a visible `requested` run, never an
   * Airflow run nobody knows about; Airflow's refusal is recorded as `error`
   * and answered with what Airflow said.
   */
  async start(environmentId: string, caller: Caller): Promise<RunView> {
    const { record, dag } = await this.options.environments.authorize(
      environmentId,
      caller,
      dagCicdRunCreatePermission,
    );
    return this.trigger(
      {
        ...record,
        plan: {
          ...record.plan,
          dagId: record.plan.dagId ?? dag.dagId,
          instance:
            record.plan.instance ??
            dag.entity.metadata.annotations?.[AIRFLOW_INSTANCE_ANNOTATION],
        },
      },
      caller.actor,
    );
  }

  /**
   * Starts a run without asking who may: for the backend's own decisions,
   * such as the first run of an environment that has just become ready.
   */
  async trigger(record: EnvironmentRecord, actor: string): Promise<RunView> {
    if (record.status !== 'ready') {
      throw new ConflictError(
        `Environment ${record.name} is ${record.status}; runs start only in a ready environment`,
      );
    }
    const { dagId, instance } = record.plan;
    if (!dagId || !instance) {
      throw new InputError(
        `${record.entityRef} has no ${AIRFLOW_INSTANCE_ANNOTATION} annotation: it must name the Airflow instance that runs the DAG`,
      );
    }
    const client = this.options.airflow.get(instance);
    const now = this.#now();
    const run: RunRecord = {
      id: randomUUID(),
      environmentId: record.id,
      instance,
      dagId,
      dagRunId: dagRunIdFor(record.name, now),
      state: 'requested',
      conf: { [DAG_CICD_CONF_KEY]: toDagCicdConf(record) },
      tasks: [],
      startedBy: actor,
      createdAt: now,
      updatedAt: now,
    };
    await this.options.runs.insert(run);
    try {
      const started = await client.triggerDagRun(run.dagId, {
        dagRunId: run.dagRunId,
        conf: run.conf,
        note: `DAG CI/CD: ${record.name} at ${record.commit.slice(0, 7)}`,
      });
      const update = fromAirflow(started, this.#now());
      await this.options.runs.update(run.id, update);
      return this.#view({ ...run, ...update }, client, []);
    } catch (error) {
      const failure = toHttpError(error);
      await this.options.runs.update(run.id, {
        state: 'error',
        error: failure.message,
        updatedAt: this.#now(),
      });
      throw failure;
    }
  }

  /** An environment's runs, newest first; `refresh` syncs them from Airflow first. */
  async list(
    environmentId: string,
    caller: Caller,
    options: { refresh?: boolean } = {},
  ): Promise<RunView[]> {
    const { record } = await this.options.environments.authorize(
      environmentId,
      caller,
      dagCicdEnvironmentReadPermission,
    );
    let runs = await this.options.runs.listByEnvironment(record.id);
    if (options.refresh) {
      await this.#sync(
        runs.filter(r => !FINAL_RUN_STATES.includes(r.state)),
        record,
      );
      runs = await this.options.runs.listByEnvironment(record.id);
    }
    const manifests = await this.options.runs.manifests(runs.map(r => r.id));
    return runs.map(run =>
      this.#view(run, this.#client(run.instance), manifests.get(run.id) ?? []),
    );
  }

  /**
   * Syncs every unfinished run from Airflow: one batch request per instance
   * (per page), then task instances and manifests of the runs that finished.
   *
   * @returns how many runs changed state
   */
  async syncActive(limit = 1000): Promise<number> {
    const active = await this.options.runs.findActive(limit);
    return this.#sync(active);
  }

  async #sync(
    runs: RunRecord[],
    environment?: EnvironmentRecord,
  ): Promise<number> {
    const byInstance = new Map<string, RunRecord[]>();
    for (const run of runs) {
      byInstance.set(run.instance, [
        ...(byInstance.get(run.instance) ?? []),
        run,
      ]);
    }
    let changed = 0;
    for (const [instance, tracked] of byInstance) {
      const client = this.#client(instance);
      if (!client) continue;
      let seen: AirflowDagRun[];
      try {
        seen = await client.listDagRunsBatch({
          dagIds: [...new Set(tracked.map(r => r.dagId))],
        });
      } catch (error) {
        // One instance down must not stop the others; the next sync retries.
        this.options.logger.warn(`dag-cicd: run sync skipped: ${error}`);
        continue;
      }
      const byKey = new Map(seen.map(r => [`${r.dagId}/${r.runId}`, r]));
      for (const run of tracked) {
        const latest = byKey.get(`${run.dagId}/${run.dagRunId}`);
        if (!latest || latest.state === run.state) continue;
        const update = fromAirflow(latest, this.#now());
        if (FINAL_RUN_STATES.includes(latest.state)) {
          update.tasks = (
            await client.listTaskInstances(run.dagId, run.dagRunId)
          ).map(t => ({
            taskId: t.taskId,
            mapIndex: t.mapIndex,
            state: t.state,
            tryNumber: t.tryNumber,
            startDate: t.startDate,
            endDate: t.endDate,
          }));
          const env =
            environment ??
            (await this.options.environments.getUnchecked(run.environmentId));
          if (env) {
            await this.options.runs.saveManifests(
              run.id,
              await this.#readManifests(env, run),
            );
          }
        }
        await this.options.runs.update(run.id, update);
        changed++;
      }
    }
    return changed;
  }

  // Manifests the package wrote under `<namespace>_manifests/<run id>/`.
  async #readManifests(
    env: EnvironmentRecord,
    run: RunRecord,
  ): Promise<RunManifest[]> {
    const prefix = resolveWithin(
      env.dataNamespace,
      `${MANIFESTS}${run.dagRunId}/`,
    );
    const store = this.options.dataStores.forUri(prefix);
    const manifests: RunManifest[] = [];
    for await (const object of store.list(prefix)) {
      if (!object.uri.endsWith('.json')) continue;
      const chunks: Buffer[] = [];
      for await (const chunk of await store.read(object.uri))
        chunks.push(Buffer.from(chunk));
      try {
        manifests.push({
          taskId: object.uri.slice(prefix.length, -'.json'.length),
          manifest: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
      } catch {
        this.options.logger.warn(`dag-cicd: unreadable manifest ${object.uri}`);
      }
    }
    return manifests;
  }

  #client(instance: string): AirflowClient | undefined {
    try {
      return this.options.airflow.get(instance);
    } catch {
      return undefined;
    }
  }

  #view(
    run: RunRecord,
    client: AirflowClient | undefined,
    manifests: RunManifest[],
  ): RunView {
    return {
      ...run,
      ...(client &&
        run.state !== 'error' && {
          uiUrl: client.uiLinkForRun(run.dagId, run.dagRunId),
        }),
      manifests,
    };
  }

  #now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

function fromAirflow(run: AirflowDagRun, now: Date): RunUpdate {
  return {
    state: run.state,
    updatedAt: now,
    ...(run.bundleVersion && { bundleVersion: run.bundleVersion }),
    ...(run.startDate && { startDate: new Date(run.startDate) }),
    ...(run.endDate && { endDate: new Date(run.endDate) }),
  };
}

import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  AIRFLOW_INSTANCE_ANNOTATION,
  DAG_CICD_CONF_KEY,
  DagCicdConf,
  dagCicdEnvironmentReadPermission,
  dagCicdRunCreatePermission,
} from '@dag-cicd/plugin-dag-cicd-common';
import { randomUUID } from 'node:crypto';
import {
  ACTIVE_DAG_RUN_STATES,
  AirflowClient,
  AirflowDagRun,
  AirflowError,
  FINISHED_DAG_RUN_STATES,
  toHttpError,
} from '@dag-cicd/plugin-dag-cicd-node';
import { EnvironmentRecord } from '../database/EnvironmentStore';
import { resolveWithin } from '../namespaces/DataNamespace';
import { Caller, EnvironmentService } from '../service/EnvironmentService';
import {
  FaultReportView,
  summariseFaultReport,
} from '../service/faultReportSummary';
import { toDagCicdConf } from '../service/Provisioner';
import { CHAOS_REPORT } from '../profiles/seedInputs';
import { parseInputProfile } from '../profiles/InputProfile';
import { DataStores } from '../stores/DataStores';
import { forEachConcurrently } from '../util/concurrency';
import {
  FINAL_RUN_STATES,
  RunManifest,
  RunRecord,
  RunStore,
  RunTask,
  RunUpdate,
  SyncedRun,
} from './RunStore';

/** What runs of an environment are given and how they behaved. */
export interface EnvironmentConfView {
  /** `conf.dag_cicd`, exactly as the environment's runs carry it. */
  conf: DagCicdConf;
  /** See {@link RunStore.isolationEnforced}. */
  isolationEnforced?: boolean;
  /** What the fault injector did, for a `chaos` environment. */
  faultReport?: FaultReportView;
}

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

// How far Airflow's clock may lag the backend's before a run that finished
// between syncs costs a request of its own to be seen (see `#latest`).
const CLOCK_TOLERANCE_MS = 5 * 60_000;

// Runs whose manifests are read at the same time.
const MANIFEST_READS = 8;

const runKey = (dagId: string, runId: string) => `${dagId}/${runId}`;
const unique = (values: string[]) => [...new Set(values)];

// A run id Airflow accepts and that is a safe key segment in a namespace
// (`_manifests/<run id>/`): no `:` or `+` from an ISO timestamp.
function dagRunIdFor(environment: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `dag_cicd__${environment}__${stamp}`;
}

/** What an instance says of tracked runs. */
interface LatestRuns {
  /** Airflow's view of each run it answered for, by `dagId/runId`. */
  seen: Map<string, AirflowDagRun>;
  /** Runs Airflow had accepted and now answers 404 for. */
  gone: RunRecord[];
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
      // Asked for by a person: Airflow's failure is the answer, not a log line.
      await this.#sync(
        runs.filter(r => !FINAL_RUN_STATES.includes(r.state)),
        record,
        { failLoudly: true },
      );
      runs = await this.options.runs.listByEnvironment(record.id);
    }
    const manifests = await this.options.runs.manifests(runs.map(r => r.id));
    return runs.map(run =>
      this.#view(run, this.#client(run.instance), manifests.get(run.id) ?? []),
    );
  }

  /**
   * The newest run of each of these environments, by environment id, in one
   * query: for pages of environments the caller was already allowed to read.
   */
  async lastRuns(environmentIds: string[]): Promise<Map<string, RunView>> {
    const latest = await this.options.runs.latestByEnvironment(environmentIds);
    const views = new Map<string, RunView>();
    for (const [id, run] of latest) {
      views.set(id, this.#view(run, this.#client(run.instance), []));
    }
    return views;
  }

  /**
   * What an environment's runs are given (`conf.dag_cicd`, from the one
   * function that builds it for every run), whether they write through the
   * Airflow-side package, and the fault report of a chaos environment.
   */
  async environmentConf(
    environmentId: string,
    caller: Caller,
  ): Promise<EnvironmentConfView> {
    const { record } = await this.options.environments.authorize(
      environmentId,
      caller,
      dagCicdEnvironmentReadPermission,
    );
    const isolationEnforced = await this.options.runs.isolationEnforced(
      record.id,
    );
    let faultReport: FaultReportView | undefined;
    if (parseInputProfile(record.profile).kind === 'chaos') {
      const uri = resolveWithin(record.dataNamespace, CHAOS_REPORT);
      faultReport = await summariseFaultReport(
        this.options.dataStores.forUri(uri),
        uri,
      );
    }
    return {
      conf: toDagCicdConf(record),
      ...(isolationEnforced !== undefined && { isolationEnforced }),
      ...(faultReport && { faultReport }),
    };
  }

  /**
   * Syncs every unfinished run from Airflow. Per instance: one batch request
   * per 100 runs Airflow has not finished, one more when some did, one per
   * 100 task instances of those, then their manifests from the data store.
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
    options: { failLoudly?: boolean } = {},
  ): Promise<number> {
    const byInstance = new Map<string, RunRecord[]>();
    for (const run of runs) {
      const same = byInstance.get(run.instance) ?? [];
      byInstance.set(run.instance, same);
      same.push(run);
    }
    let changed = 0;
    for (const [instance, tracked] of byInstance) {
      const client = this.#client(instance);
      if (!client) continue;
      try {
        changed += await this.#syncInstance(client, tracked, environment);
      } catch (error) {
        if (options.failLoudly) throw toHttpError(error);
        // One instance down must not stop the others; the next sync retries.
        this.options.logger.warn(`dag-cicd: run sync skipped: ${error}`);
      }
    }
    return changed;
  }

  /**
   * Syncs one instance's runs: what Airflow says of them, the task instances
   * of those that finished in one batch, their manifests, then one write.
   * Nothing is written unless everything was read, so a failure half-way
   * leaves the runs as they were for the next sync.
   */
  async #syncInstance(
    client: AirflowClient,
    tracked: RunRecord[],
    environment?: EnvironmentRecord,
  ): Promise<number> {
    const { seen, gone } = await this.#latest(client, tracked);
    const now = this.#now();
    const changed: Array<{ run: RunRecord; synced: SyncedRun }> = [];
    const finished: typeof changed = [];
    for (const run of tracked) {
      const latest = seen.get(runKey(run.dagId, run.dagRunId));
      if (!latest || latest.state === run.state) continue;
      const change = {
        run,
        synced: { id: run.id, update: fromAirflow(latest, now) },
      };
      changed.push(change);
      if (FINAL_RUN_STATES.includes(latest.state)) finished.push(change);
    }
    const tasks = await this.#tasksOf(
      client,
      finished.map(c => c.run),
    );
    for (const { run, synced } of finished) {
      synced.update.tasks = tasks.get(runKey(run.dagId, run.dagRunId)) ?? [];
    }
    const environments = new Map<string, EnvironmentRecord | undefined>(
      environment ? [[environment.id, environment]] : [],
    );
    for (const { run } of finished) {
      if (!environments.has(run.environmentId)) {
        environments.set(
          run.environmentId,
          await this.options.environments.getUnchecked(run.environmentId),
        );
      }
    }
    // Each run's manifests are a listing and a read per task: on S3, a
    // round trip each, which would add up if read one run after another.
    await forEachConcurrently(
      finished,
      MANIFEST_READS,
      async ({ run, synced }) => {
        const env = environments.get(run.environmentId);
        if (env) synced.manifests = await this.#readManifests(env, run);
      },
    );
    const writes: SyncedRun[] = [
      ...gone.map(run => ({
        id: run.id,
        update: {
          state: 'error' as const,
          error: `Airflow "${client.instance.name}" no longer has DAG run ${run.dagRunId} of ${run.dagId}: it was deleted there`,
          updatedAt: now,
        },
      })),
      ...changed.map(c => c.synced),
    ];
    await this.options.runs.saveSynced(writes);
    return writes.length;
  }

  /** The task instances of these runs, by run: one batch for all of them. */
  async #tasksOf(
    client: AirflowClient,
    runs: RunRecord[],
  ): Promise<Map<string, RunTask[]>> {
    const tasks = new Map<string, RunTask[]>();
    const found = await client.listTaskInstancesBatch(
      runs.map(r => ({ dagId: r.dagId, runId: r.dagRunId })),
    );
    for (const t of found) {
      const key = runKey(t.dagId, t.runId);
      const ofRun = tasks.get(key) ?? [];
      tasks.set(key, ofRun);
      ofRun.push({
        taskId: t.taskId,
        mapIndex: t.mapIndex,
        state: t.state,
        tryNumber: t.tryNumber,
        startDate: t.startDate,
        endDate: t.endDate,
      });
    }
    return tasks;
  }

  /**
   * What one instance says of these runs, asking only about them: first the
   * runs of their DAGs that are not finished (ceil(n / 100) requests, however
   * long the DAGs' history); then, only if a tracked run is not among them,
   * the runs of those DAGs that ended since it was last written here — after
   * it was seen going — so that a run that finished between two syncs is
   * seen, and the DAGs' history is never read. A run neither answer holds (a
   * page shifted under it while runs finished mid-read, or Airflow's clock
   * lags by more than the tolerance) is asked for on its own; one Airflow
   * answers 404 for is `gone`. Runs still `requested` may be mid-trigger, so
   * their absence proves nothing and they are not asked for one by one.
   */
  async #latest(
    client: AirflowClient,
    tracked: RunRecord[],
  ): Promise<LatestRuns> {
    const seen = new Map<string, AirflowDagRun>();
    const add = (found: AirflowDagRun[]) => {
      for (const r of found) seen.set(runKey(r.dagId, r.runId), r);
    };
    const unseen = () =>
      tracked.filter(r => !seen.has(runKey(r.dagId, r.dagRunId)));
    add(
      await client.listDagRunsBatch({
        dagIds: unique(tracked.map(r => r.dagId)),
        states: [...ACTIVE_DAG_RUN_STATES],
      }),
    );
    const missing = unseen();
    if (missing.length === 0) return { seen, gone: [] };
    const lastWritten = Math.min(...missing.map(r => r.updatedAt.getTime()));
    add(
      await client.listDagRunsBatch({
        dagIds: unique(missing.map(r => r.dagId)),
        states: [...FINISHED_DAG_RUN_STATES],
        endedSince: new Date(lastWritten - CLOCK_TOLERANCE_MS).toISOString(),
      }),
    );
    const gone: RunRecord[] = [];
    for (const run of unseen()) {
      if (!(ACTIVE_DAG_RUN_STATES as readonly string[]).includes(run.state)) {
        continue;
      }
      try {
        add([await client.getDagRun(run.dagId, run.dagRunId)]);
      } catch (error) {
        if (!(error instanceof AirflowError && error.status === 404)) {
          throw error;
        }
        gone.push(run);
      }
    }
    return { seen, gone };
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

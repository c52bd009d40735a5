import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  DAG_CICD_CONF_KEY,
  DagCicdConf,
  EnvironmentInput,
} from '@dag-cicd/plugin-dag-cicd-common';
import {
  CompletedStep,
  EnvironmentRecord,
  EnvironmentStore,
  ProvisioningStep,
} from '../database/EnvironmentStore';
import { assertWritable, isWithin } from '../namespaces/DataNamespace';
import { DataStores } from '../stores/DataStores';
import { parseInputProfile } from '../profiles/InputProfile';
import type { SeededInputs, SeedInputsOptions } from '../profiles/seedInputs';

/** Fills an environment's inputs for its profile; see `profiles/seedInputs`. */
export type InputSeeder = (options: SeedInputsOptions) => Promise<SeededInputs>;

/** The actor of work nobody asked for in a request: resuming, TTL teardown. */
export const SYSTEM_ACTOR = 'system:dag-cicd';

/** Where the backend keeps its own files inside a namespace. */
export const METADATA_PREFIX = '_dag_cicd/';

/** Whether the environment is production's: its namespace is the production prefix. */
function isProduction(record: EnvironmentRecord): boolean {
  return record.dataNamespace === record.plan.productionPrefix;
}

/** The `conf.dag_cicd` of runs in an environment: the run-time contract. */
export function toDagCicdConf(record: EnvironmentRecord): DagCicdConf {
  return {
    environment: record.name,
    stage: record.stage,
    commit: record.commit,
    entity: record.entityRef,
    namespace: record.dataNamespace,
    inputs: record.inputs,
    artifacts: record.artifacts,
    connections: record.connections,
    profile: record.profile,
    seed: record.seed,
  };
}

export interface ProvisionerOptions {
  store: EnvironmentStore;
  dataStores: DataStores;
  seedInputs: InputSeeder;
  logger: LoggerService;
  auditor: AuditorService;
  /** Identifies this backend replica in leases. */
  instanceId: string;
  /** How long a lease lasts without progress before another replica resumes. */
  leaseMs?: number;
  now?: () => Date;
  /** Called when an environment has become ready, e.g. to start its first run. */
  onReady?: (record: EnvironmentRecord) => Promise<unknown>;
}

/**
 * Drives environments through their state machine:
 * `provisioning → ready | failed`, `ready | failed → tearing-down → deleted`.
 *
 * Every step is idempotent and recorded when it completes, and the replica
 * doing the work holds a lease that it renews at each step. A replica that
 * dies mid-way stops renewing; once the lease runs out another replica (or
 * the same one, restarted) claims the environment and runs the remaining
 * steps — running a half-done step again is safe because each step only
 * writes whole objects at names fixed by the environment and its seed.
 *
 * A failed provisioning removes what it wrote, so "failed" never means "half
 * written": the namespace is empty, and teardown only has to record it.
 */
export class Provisioner {
  readonly #options: Required<Omit<ProvisionerOptions, 'now' | 'onReady'>> & {
    now: () => Date;
    onReady?: ProvisionerOptions['onReady'];
  };
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: ProvisionerOptions) {
    this.#options = {
      ...options,
      leaseMs: options.leaseMs ?? 5 * 60_000,
      now: options.now ?? (() => new Date()),
    };
  }

  /** The lease a new environment starts with. */
  newLease(): { owner: string; until: Date } {
    return { owner: this.#options.instanceId, until: this.#leaseUntil() };
  }

  /**
   * Starts provisioning or teardown in the background.
   *
   * @returns the work, for callers that want to wait for it; it never rejects
   */
  start(record: EnvironmentRecord, actor: string): Promise<void> {
    const work = (
      record.status === 'tearing-down'
        ? this.teardown(record, actor)
        : this.provision(record, actor)
    )
      .catch(error =>
        this.#options.logger.error(
          `dag-cicd: environment ${record.id} (${record.name}) stopped: ${error}`,
        ),
      )
      .finally(() => this.#inFlight.delete(work));
    this.#inFlight.add(work);
    return work;
  }

  /** Resolves when all background work started so far has finished. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) {
      await Promise.all([...this.#inFlight]);
    }
  }

  /** Runs the remaining provisioning steps, then marks the environment ready. */
  async provision(record: EnvironmentRecord, actor: string): Promise<void> {
    const { store } = this.#options;
    let current = record;
    // Steps that wrote nothing are recorded with the next one that did, or
    // with the final transition: fewer transactions, same history. A step
    // that wrote data is recorded before the next begins, so that a resumed
    // environment does not repeat it.
    let pending: CompletedStep[] = [];
    try {
      for (const [step, run] of this.#steps()) {
        if (current.stepsDone.includes(step)) continue;
        const result = await run(current);
        pending.push({ step, ...(result.detail && { detail: result.detail }) });
        current = {
          ...current,
          ...(result.inputs && { inputs: result.inputs }),
          stepsDone: [...current.stepsDone, step],
        };
        if (result.wrote && step !== 'registration') {
          await store.completeSteps(current.id, pending, {
            actor,
            at: this.#options.now(),
            leaseUntil: this.#leaseUntil(),
            ...(result.inputs && { patch: { inputs: result.inputs } }),
          });
          pending = [];
        }
      }
      await this.#transition(current, ['provisioning'], 'ready', actor, {
        steps: pending,
      });
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      this.#options.logger.warn(
        `dag-cicd: provisioning ${current.name} of ${current.entityRef} failed: ${message}`,
      );
      // Nothing half-written stays behind a failed environment.
      await this.#removeNamespace(current);
      await this.#transition(current, ['provisioning'], 'failed', actor, {
        error: message,
      });
    }
  }

  /** Removes the environment's data and marks it deleted. */
  async teardown(record: EnvironmentRecord, actor: string): Promise<void> {
    const deleted = await this.#removeNamespace(record);
    await this.#transition(record, ['tearing-down'], 'deleted', actor, {
      detail: { objectsDeleted: deleted },
    });
  }

  /**
   * Moves a ready or failed environment to tearing-down and tears it down.
   *
   * @returns the environment in `tearing-down`, or undefined if it was not
   * ready or failed
   */
  async beginTeardown(
    record: EnvironmentRecord,
    actor: string,
    reason: string,
    options: { wait?: boolean } = {},
  ): Promise<EnvironmentRecord | undefined> {
    if (isProduction(record)) {
      throw new InputError(
        `${record.name} is a production environment; production is never torn down`,
      );
    }
    const moved = await this.#options.store.transition(record.id, {
      from: ['ready', 'failed'],
      to: 'tearing-down',
      actor,
      at: this.#options.now(),
      detail: { reason },
    });
    if (!moved) return undefined;
    await this.#audit(moved, 'tearing-down', actor);
    const claimed = await this.#options.store.claim(moved.id, {
      owner: this.#options.instanceId,
      until: this.#leaseUntil(),
      now: this.#options.now(),
    });
    if (claimed) {
      const work = this.start(claimed, actor);
      if (options.wait) await work;
    }
    return moved;
  }

  /** Claims and continues environments whose worker stopped. */
  async resumeAbandoned(limit = 50): Promise<number> {
    const { store } = this.#options;
    let resumed = 0;
    for (const candidate of await store.findAbandoned(
      this.#options.now(),
      limit,
    )) {
      const claimed = await store.claim(candidate.id, {
        owner: this.#options.instanceId,
        until: this.#leaseUntil(),
        now: this.#options.now(),
      });
      if (!claimed) continue;
      resumed++;
      this.start(claimed, SYSTEM_ACTOR);
    }
    return resumed;
  }

  /** Tears down environments whose TTL has passed. Never production. */
  async expire(limit = 100): Promise<number> {
    let expired = 0;
    for (const record of await this.#options.store.findExpired(
      this.#options.now(),
      limit,
    )) {
      if (isProduction(record)) continue;
      // One at a time, waiting for each: the task's run ends when its work
      // does, without waiting on unrelated provisioning.
      if (
        await this.beginTeardown(record, SYSTEM_ACTOR, 'ttl-expired', {
          wait: true,
        })
      ) {
        expired++;
      }
    }
    return expired;
  }

  // The steps, in order. Each gets the environment as the steps before it
  // left it, and returns what it changed, for the history.
  #steps(): Array<
    [
      ProvisioningStep,
      (record: EnvironmentRecord) => Promise<{
        /** Whether the step wrote to the store. */
        wrote: boolean;
        inputs?: Record<string, EnvironmentInput>;
        detail?: Record<string, unknown>;
      }>,
    ]
  > {
    const write = async (
      record: EnvironmentRecord,
      key: string,
      content: unknown,
    ) => {
      const uri = `${record.dataNamespace}${METADATA_PREFIX}${key}`;
      assertWritable(record.dataNamespace, uri, record.plan.productionPrefix);
      await this.#options.dataStores
        .forUri(uri)
        .write(uri, `${JSON.stringify(content, null, 2)}\n`);
    };
    return [
      [
        'namespace',
        async record => {
          // Production's prefix belongs to production's own runs: the
          // backend writes nothing there, not even its marker.
          if (isProduction(record)) {
            return { wrote: false, detail: { namespace: 'production' } };
          }
          await write(record, 'environment.json', {
            id: record.id,
            entityRef: record.entityRef,
            stage: record.stage,
            name: record.name,
            commit: record.commit,
            createdBy: record.createdBy,
            createdAt: record.createdAt.toISOString(),
          });
          return { wrote: true, detail: { namespace: record.dataNamespace } };
        },
      ],
      [
        'inputs',
        async record => {
          const { plan } = record;
          const { inputs, skipped, skippedCount } =
            await this.#options.seedInputs({
              profile: parseInputProfile(record.profile),
              namespace: record.dataNamespace,
              productionPrefix: plan.productionPrefix,
              inputs: plan.inputSources,
              stores: this.#options.dataStores,
              limits: plan.sample,
              fixturesRoot: plan.fixturesRoot,
              sourceNamespace: plan.sourceNamespace,
              seed: record.seed,
              chaos: plan.chaos,
            });
          // Only production-readonly reads nothing and writes nothing.
          const wrote = Object.values(inputs).some(i => i.mode === 'copy');
          // Objects whose keys no namespace can hold are left out, not
          // failed on: the history says which (a bounded list) and how many.
          const detail = {
            inputs: Object.keys(inputs),
            ...(skippedCount > 0 && { skipped, skippedCount }),
          };
          return { wrote, inputs, detail };
        },
      ],
      // Artifacts and connections are rendered and checked when the
      // environment is created (a bad template is a 400 then); these steps
      // record what the environment's runs will use.
      [
        'artifacts',
        async record => ({
          wrote: false,
          detail: { artifacts: record.artifacts },
        }),
      ],
      [
        'connections',
        async record => ({
          wrote: false,
          detail: { connections: record.connections },
        }),
      ],
      [
        'registration',
        async record => {
          const conf = toDagCicdConf(record);
          if (isProduction(record)) return { wrote: false, detail: { conf } };
          await write(record, 'conf.json', { [DAG_CICD_CONF_KEY]: conf });
          return { wrote: true, detail: { conf } };
        },
      ],
    ];
  }

  async #removeNamespace(record: EnvironmentRecord): Promise<number> {
    const { dataNamespace: namespace, plan } = record;
    // The last check before anything is deleted: never production, never a
    // prefix that contains production.
    if (
      isWithin(plan.productionPrefix, namespace) ||
      isWithin(namespace, plan.productionPrefix)
    ) {
      return 0;
    }
    const { deleted } = await this.#options.dataStores
      .forUri(namespace)
      .deletePrefix(namespace);
    return deleted;
  }

  async #transition(
    record: EnvironmentRecord,
    from: EnvironmentRecord['status'][],
    to: EnvironmentRecord['status'],
    actor: string,
    extra: {
      error?: string;
      detail?: Record<string, unknown>;
      steps?: CompletedStep[];
    } = {},
  ): Promise<void> {
    const moved = await this.#options.store.transition(
      record.id,
      { from, to, actor, at: this.#options.now(), ...extra },
      to === 'ready' ? { inputs: record.inputs } : undefined,
    );
    if (!moved) return;
    await this.#audit(moved, to, actor, extra.error);
    if (to === 'ready' && this.#options.onReady) {
      await this.#options
        .onReady(moved)
        .catch(error =>
          this.#options.logger.warn(
            `dag-cicd: ${moved.name} is ready, but its first run did not start: ${error}`,
          ),
        );
    }
  }

  async #audit(
    record: EnvironmentRecord,
    to: EnvironmentRecord['status'],
    actor: string,
    error?: string,
  ): Promise<void> {
    const event = await this.#options.auditor.createEvent({
      eventId: 'environment-transition',
      severityLevel: to === 'failed' ? 'high' : 'medium',
      meta: {
        environmentId: record.id,
        entityRef: record.entityRef,
        stage: record.stage,
        name: record.name,
        status: to,
        actor,
      },
    });
    if (error) await event.fail({ error: new Error(error) });
    else await event.success();
  }

  #leaseUntil(): Date {
    return new Date(this.#options.now().getTime() + this.#options.leaseMs);
  }
}

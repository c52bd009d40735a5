import {
  EnvironmentInput,
  EnvironmentStatus,
} from '@dag-cicd/plugin-dag-cicd-common';
import { InputProfileOptions } from '../profiles/InputProfileOptions';
import { FaultRates } from '../profiles/faults';
import { SampleLimits } from '../profiles/sampleLimits';

/** An idempotent step of provisioning an environment, in the order they run. */
export type ProvisioningStep =
  | 'namespace'
  | 'inputs'
  | 'artifacts'
  | 'connections'
  | 'registration';

/** An environment as it is stored. */
export interface EnvironmentRecord {
  id: string;
  entityRef: string;
  stage: string;
  name: string;
  commit: string;
  dataNamespace: string;
  inputs: Record<string, EnvironmentInput>;
  artifacts: Record<string, string>;
  connections: Record<string, string>;
  profile: string;
  status: EnvironmentStatus;
  error?: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  expiresAt?: Date;
  /** Fingerprint of the create request; see {@link requestHash}. */
  requestHash: string;
  /** Seed of sampling and fault injection, so re-runs produce the same bytes. */
  seed: number;
  /** Provisioning steps that have completed. */
  stepsDone: ProvisioningStep[];
  /** What provisioning and teardown need, fixed at creation. */
  plan: ProvisioningPlan;
  /**
   * The options the create request gave its profile, if any; the limits and
   * rates they made are in the plan.
   */
  profileOptions?: InputProfileOptions;
}

/**
 * Everything provisioning and teardown need beyond the environment itself,
 * fixed when it is created: a backend that resumes it after a restart finishes
 * the job it was given, even if the configuration changed in between.
 */
export interface ProvisioningPlan {
  /** The DAG's `dag_id` in Airflow. */
  dagId?: string;
  /** The configured Airflow instance that runs it, if the entity names one. */
  instance?: string;
  productionPrefix: string;
  /** Input name → production URI prefix. */
  inputSources: Record<string, string>;
  fixturesRoot?: string;
  /** For `from:<env>`: the earlier environment's namespace. */
  sourceNamespace?: string;
  /** The sample bounds, the request's options applied. */
  sample: SampleLimits;
  /** The fault rates of `chaos`: the request's, or the configured ones. */
  chaos: FaultRates;
}

/** One entry of an environment's history. */
export interface EnvironmentEvent {
  id: number;
  environmentId: string;
  /** `expiry`: the TTL was changed; `detail` holds the old and new expiry. */
  type: 'transition' | 'step' | 'expiry';
  from?: EnvironmentStatus;
  to?: EnvironmentStatus;
  step?: ProvisioningStep;
  /** The user or service that caused it, or `system:dag-cicd` for scheduled work. */
  actor: string;
  at: Date;
  detail?: Record<string, unknown>;
}

/** A step that has completed, with what it did, for the history. */
export interface CompletedStep {
  step: ProvisioningStep;
  detail?: Record<string, unknown>;
}

/** A change of status, applied only if the environment is in one of `from`. */
export interface Transition {
  /** Steps completed just before, recorded in the same transaction. */
  steps?: CompletedStep[];
  from: EnvironmentStatus[];
  to: EnvironmentStatus;
  actor: string;
  at: Date;
  error?: string;
  detail?: Record<string, unknown>;
}

/**
 * The environments a caller may read, as data the store turns into SQL: an
 * environment is in scope when one clause holds its entity and, if the
 * clause names one, its stage. No clause, no environment.
 */
export type EnvironmentScope = Array<{ stage?: string; entityRefs: string[] }>;

/** Which environments to list; absent fields do not filter. */
export interface EnvironmentFilter {
  entityRef?: string;
  /** Only environments in this scope; see {@link EnvironmentScope}. */
  scope?: EnvironmentScope;
  stage?: string;
  status?: EnvironmentStatus;
  /** Only environments whose name contains this text. */
  name?: string;
}

/** The orders a list can come in; the store maps each to a column. */
export const ENVIRONMENT_ORDERS = [
  'createdAt',
  'name',
  'stage',
  'status',
  'expiresAt',
] as const;

export type EnvironmentOrder = (typeof ENVIRONMENT_ORDERS)[number];

export interface PageRequest {
  limit: number;
  offset: number;
  /** Default `createdAt`, newest first. */
  orderBy?: EnvironmentOrder;
  order?: 'asc' | 'desc';
}

/** A new expiry, applied only if the environment is in one of `from`. */
export interface ExpiryChange {
  from: EnvironmentStatus[];
  expiresAt: Date;
  actor: string;
  at: Date;
  detail?: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
}

/** The live (not deleted) environment an insert collided with. */
export class EnvironmentExistsError extends Error {
  constructor(readonly existing: EnvironmentRecord) {
    super(
      `Environment ${existing.name} already exists in stage ${existing.stage} of ${existing.entityRef}`,
    );
    this.name = 'EnvironmentExistsError';
  }
}

/**
 * Persistence of environments and their history. The service depends on this
 * interface, so that its logic is tested without a database and the database
 * code is tested on every supported engine.
 */
export interface EnvironmentStore {
  /**
   * Inserts a new environment in `provisioning`, leased to `lease.owner`, and
   * records its first history entry, atomically.
   *
   * @throws EnvironmentExistsError if a live environment already has the
   * same (entity, stage, name) — decided by the database, so concurrent
   * requests on several replicas cannot both win.
   */
  insert(
    record: EnvironmentRecord,
    lease: { owner: string; until: Date },
  ): Promise<EnvironmentRecord>;

  get(id: string): Promise<EnvironmentRecord | undefined>;

  /** The live environment of that name, if any. */
  getLive(
    entityRef: string,
    stage: string,
    name: string,
  ): Promise<EnvironmentRecord | undefined>;

  /** Live environments of an entity whose commit starts with `prefix`. */
  findByCommitPrefix(
    entityRef: string,
    prefix: string,
  ): Promise<EnvironmentRecord[]>;

  /**
   * Every entity that has or had environments, each once: what a list across
   * entities authorises, one entity at a time.
   */
  entityRefs(): Promise<string[]>;

  /** Environments matching the filter, in the page's order (newest first by default). */
  list(
    filter: EnvironmentFilter,
    page: PageRequest,
  ): Promise<Page<EnvironmentRecord>>;

  /**
   * Moves an environment to a new status and records it, atomically; clears
   * the lease when the new status is at rest (`ready`, `failed`, `deleted`).
   *
   * @returns the updated environment, or undefined if it was not in one of
   * `transition.from` (someone else moved it first)
   */
  transition(
    id: string,
    transition: Transition,
    patch?: Partial<Pick<EnvironmentRecord, 'inputs'>>,
  ): Promise<EnvironmentRecord | undefined>;

  /**
   * Sets a new expiry and records it in the history, atomically.
   *
   * @returns the updated environment, or undefined if it was not in one of
   * `change.from`
   */
  setExpiry(
    id: string,
    change: ExpiryChange,
  ): Promise<EnvironmentRecord | undefined>;

  /**
   * Records completed steps (and their result) and renews the lease, in one
   * transaction.
   */
  completeSteps(
    id: string,
    steps: CompletedStep[],
    options: {
      actor: string;
      at: Date;
      leaseUntil: Date;
      patch?: Partial<Pick<EnvironmentRecord, 'inputs'>>;
    },
  ): Promise<void>;

  /**
   * Takes the lease of a busy environment (`provisioning`, `tearing-down`)
   * if nobody holds it or its holder's lease ran out.
   *
   * @returns the environment if this caller now holds the lease
   */
  claim(
    id: string,
    lease: { owner: string; until: Date; now: Date },
  ): Promise<EnvironmentRecord | undefined>;

  /** Busy environments whose lease ran out: work to resume. */
  findAbandoned(now: Date, limit: number): Promise<EnvironmentRecord[]>;

  /** Ready or failed environments whose TTL has passed, oldest first. */
  findExpired(now: Date, limit: number): Promise<EnvironmentRecord[]>;

  /** The environment's history, oldest first. */
  history(id: string): Promise<EnvironmentEvent[]>;
}

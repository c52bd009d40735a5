import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';

/**
 * The promotion a gate or a deploy action is asked about.
 *
 * @public
 */
export interface PromotionSubject {
  id: string;
  /** The DAG entity, e.g. `component:default/orders`. */
  entityRef: string;
  /** The DAG's owner as the catalog says (`group:default/data`). */
  ownerRef?: string;
  /** The full 40-hex commit being promoted. */
  commit: string;
  fromStage: string;
  toStage: string;
  /** Whether the target stage is production. */
  toProduction: boolean;
  /** Who requested it; their approval never counts. */
  requestedBy: string;
  requestedAt: Date;
  /** The commit's author when known; their approval never counts either. */
  commitAuthor?: string;
}

/**
 * A run as a gate sees it: the state Airflow reported last and the stage and
 * profile of the environment it ran in.
 *
 * @public
 */
export interface GateRun {
  id: string;
  environmentId: string;
  environmentName: string;
  stage: string;
  profile: string;
  commit: string;
  dagRunId: string;
  /** `requested`, `queued`, `running`, `success`, `failed` or `error`. */
  state: string;
  createdAt: Date;
  endDate?: Date;
}

/**
 * One output manifest as the Airflow-side package wrote it
 * (`{ output, path, rows, schema, bytes, checksum, ... }`), with the task that
 * wrote it.
 *
 * @public
 */
export interface GateManifest {
  runId: string;
  taskId: string;
  manifest: JsonObject;
}

/**
 * An approval or a rejection of the promotion.
 *
 * @public
 */
export interface GateDecision {
  actor: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: Date;
}

/**
 * What a gate may read. Every read is a bounded, indexed query, because gates
 * run on every evaluation of every promotion and the run history only grows.
 * A gate records what it read in its result's `inputs`, so an evaluation can
 * be audited later.
 *
 * @public
 */
export interface PromotionGateContext {
  promotion: PromotionSubject;
  /** The evaluation's clock: one instant for every gate of an evaluation. */
  now: Date;
  /**
   * Runs of the promoted commit in environments of a stage, newest first.
   * `profile` keeps those of one input profile (`chaos`).
   */
  runs(query: {
    stage: string;
    profile?: string;
    limit: number;
  }): Promise<GateRun[]>;
  /** The output manifests of runs. */
  manifests(runIds: string[]): Promise<GateManifest[]>;
  /**
   * The newest successful run of the DAG in the production stage, the
   * baseline `output-diff` compares against; undefined when production never
   * ran (a first release).
   */
  productionBaseline(): Promise<GateRun | undefined>;
  /**
   * Since when the commit has been ready in the source stage: the newest
   * `ready` transition of the source environment; undefined when it is not
   * ready now.
   */
  readySince(): Promise<Date | undefined>;
  /** The decisions recorded on the promotion, oldest first. */
  decisions(): Promise<GateDecision[]>;
  /**
   * The user entity refs that are members of a group (directly), from the
   * catalog.
   */
  groupMembers(groupRef: string): Promise<string[]>;
}

/**
 * The outcome of one gate. `pending` means "not yet, and no action is
 * wrong" (soak time still running, approvals missing); `failed` means the
 * change as it is must not pass (a red run, a schema change); `error` means
 * the gate could not decide — a gate never passes because data was missing.
 *
 * @public
 */
export interface GateOutcome {
  status: 'passed' | 'failed' | 'pending' | 'error';
  /** One or two sentences a person can act on. */
  detail: string;
  /** What the gate read (run ids, checksums, the clock, approvers). */
  inputs: JsonObject;
}

/**
 * A gate type. The backend has `runs-succeeded`, `output-diff`, `chaos-run`,
 * `soak-time`, `freeze-window` and `approvals`; a module adds its own through
 * {@link dagCicdPromotionsExtensionPoint}.
 *
 * @public
 */
export interface PromotionGate {
  /** The type named in policies, e.g. `runs-succeeded`. */
  readonly type: string;
  /**
   * Checks a policy's options for this gate when the policy is read, so a
   * bad policy is refused with a message naming the option, not found when
   * a promotion is evaluated. Returns the options with defaults applied.
   */
  validateOptions(options: JsonObject): JsonObject;
  /** Evaluates the gate. Reads only through the context; writes nothing. */
  evaluate(
    options: JsonObject,
    context: PromotionGateContext,
  ): Promise<GateOutcome>;
}

/**
 * What a deploy action is given when a promotion executes.
 *
 * @public
 */
export interface DeployContext {
  promotion: PromotionSubject;
  /** The Airflow instance of the DAG in the target stage. */
  instance?: string;
  dagId?: string;
}

/**
 * The recorded result of a deploy action. A thrown error is recorded as a
 * failure with its message.
 *
 * @public
 */
export interface DeployOutcome {
  status: 'succeeded' | 'failed';
  detail: string;
  output?: JsonObject;
}

/**
 * What runs when a promotion executes: `trigger-dag`, `set-variable`,
 * `webhook` in the backend, or a module's.
 *
 * @public
 */
export interface DeployAction {
  readonly type: string;
  validateOptions(options: JsonObject): JsonObject;
  run(options: JsonObject, context: DeployContext): Promise<DeployOutcome>;
}

/**
 * Lets backend modules add gate types and deploy actions.
 *
 * @public
 */
export interface DagCicdPromotionsExtensionPoint {
  addGate(...gates: PromotionGate[]): void;
  addDeployAction(...actions: DeployAction[]): void;
}

/**
 * The extension point for promotion gates and deploy actions.
 *
 * @public
 */
export const dagCicdPromotionsExtensionPoint =
  createExtensionPoint<DagCicdPromotionsExtensionPoint>({
    id: 'dag-cicd.promotions',
  });

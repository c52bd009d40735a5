import { JsonObject } from '@backstage/types';

/** Where a promotion stands. `open` and `executing` are live; the rest are closed. */
export type PromotionStatus =
  | 'open'
  | 'executing'
  | 'executed'
  | 'failed'
  | 'rejected'
  | 'cancelled';

export const CLOSED_STATUSES: readonly PromotionStatus[] = [
  'executed',
  'failed',
  'rejected',
  'cancelled',
];

/** One gate of a policy, its options validated by the gate type. */
export interface PolicyGate {
  /** The gate type, e.g. `runs-succeeded`. */
  type: string;
  /** Its name in the policy; the type unless the policy names it. */
  name: string;
  options: JsonObject;
}

/** The gate policy that applies to a promotion, fixed when it is requested. */
export interface PromotionPolicy {
  /** Where it came from: app-config, an entity annotation, or a policy file. */
  source: 'config' | 'annotation' | 'file';
  /** The named policy, or the file, it came from. */
  name?: string;
  gates: PolicyGate[];
  deploy: { action: string; options: JsonObject };
  /** Whether a promotion may skip stages (ci → production). */
  allowSkip: boolean;
}

/** The outcome of one gate at one evaluation. */
export interface GateResultRecord {
  gate: string;
  type: string;
  status: 'passed' | 'failed' | 'pending' | 'error';
  detail: string;
  inputs: JsonObject;
  evaluatedAt: Date;
}

/** What a deploy action did. */
export interface DeployResultRecord {
  action: string;
  status: 'succeeded' | 'failed';
  detail: string;
  output?: JsonObject;
}

/** A promotion as it is stored. */
export interface PromotionRecord {
  id: string;
  entityRef: string;
  commit: string;
  commitAuthor?: string;
  fromStage: string;
  toStage: string;
  status: PromotionStatus;
  sourceEnvironmentId: string;
  targetEnvironmentId?: string;
  policy: PromotionPolicy;
  requestedBy: string;
  requestedAt: Date;
  comment?: string;
  executedBy?: string;
  closedAt?: Date;
  deploy?: DeployResultRecord;
  gates: GateResultRecord[];
  gatesPassed: boolean;
  updatedAt: Date;
}

export interface DecisionRecord {
  actor: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: Date;
}

export type PromotionEventType =
  | 'requested'
  | 'evaluated'
  | 'approved'
  | 'rejected'
  | 'executing'
  | 'executed'
  | 'failed'
  | 'cancelled';

/** One entry of a promotion's history. */
export interface PromotionEvent {
  id: number;
  promotionId: string;
  type: PromotionEventType;
  actor: string;
  at: Date;
  detail?: JsonObject;
}

/** The commit a stage of a DAG runs, and how it got there. */
export interface StagePointer {
  entityRef: string;
  stage: string;
  commit: string;
  promotionId: string;
  environmentId?: string;
  promotedBy: string;
  since: Date;
}

/** Which promotions to list; absent fields do not filter. */
export interface PromotionFilter {
  entityRef?: string;
  status?: PromotionStatus;
  toStage?: string;
}

/** A live promotion of the same commit into the same stage exists. */
export class PromotionExistsError extends Error {
  constructor() {
    super('A live promotion of this commit to this stage exists');
    this.name = 'PromotionExistsError';
  }
}

/** Another promotion of the DAG into the stage is executing. */
export class PromotionExecutingError extends Error {
  constructor() {
    super('Another promotion of this DAG to this stage is executing');
    this.name = 'PromotionExecutingError';
  }
}

/** The actor already decided on the promotion. */
export class DecisionExistsError extends Error {
  constructor() {
    super('This actor already decided on the promotion');
    this.name = 'DecisionExistsError';
  }
}

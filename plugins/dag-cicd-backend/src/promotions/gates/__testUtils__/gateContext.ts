import { JsonObject } from '@backstage/types';
import {
  GateDecision,
  GateManifest,
  GateRun,
  PromotionGateContext,
  PromotionSubject,
} from '@dag-cicd/plugin-dag-cicd-node';

export const COMMIT = 'abc1234'.padEnd(40, 'f');
export const OTHER_COMMIT = 'def5678'.padEnd(40, '0');

/** A promotion of {@link COMMIT} from staging to production, for tests. */
export function promotionSubject(
  overrides: Partial<PromotionSubject> = {},
): PromotionSubject {
  return {
    id: 'promotion-1',
    entityRef: 'component:default/orders',
    ownerRef: 'group:default/data',
    commit: COMMIT,
    fromStage: 'staging',
    toStage: 'production',
    toProduction: true,
    requestedBy: 'user:default/requester',
    requestedAt: new Date('2026-11-24T09:00:00Z'),
    ...overrides,
  };
}

let runCounter = 0;

/** A run of {@link COMMIT} in staging, created at `minute` past 08:00. */
export function gateRun(
  overrides: Partial<GateRun> & { minute?: number } = {},
): GateRun {
  const { minute = 0, ...rest } = overrides;
  runCounter += 1;
  const stage = rest.stage ?? 'staging';
  return {
    id: `run-${runCounter}`,
    environmentId: `env-${stage}`,
    environmentName: stage,
    stage,
    profile: 'production-readonly',
    commit: COMMIT,
    dagRunId: `dag_cicd__${stage}__${runCounter}`,
    state: 'success',
    createdAt: new Date(Date.UTC(2026, 10, 24, 8, minute)),
    ...rest,
  };
}

/** A version 1 manifest as the Airflow-side package writes it. */
export function taskManifest(
  runId: string,
  outputs: Array<{
    key: string;
    rows?: number | null;
    schema?: Array<{ name: string; type: string; nullable: boolean }> | null;
  }>,
  options: { taskId?: string; namespace?: string } = {},
): GateManifest {
  const taskId = options.taskId ?? 'clean_orders';
  const namespace = options.namespace ?? 'file:///data/default/orders/staging/';
  return {
    runId,
    taskId,
    manifest: {
      version: 1,
      task_id: taskId,
      namespace,
      outputs: outputs.map(o => ({
        path: `${namespace}${o.key}`,
        format: 'csv',
        rows: o.rows === undefined ? 100 : o.rows,
        schema:
          o.schema === undefined
            ? [
                { name: 'id', type: 'integer', nullable: false },
                { name: 'amount', type: 'number', nullable: true },
              ]
            : o.schema,
        bytes: 1024,
        sha256: `sha-${runId}-${o.key}`,
      })),
    } as JsonObject,
  };
}

export interface GateWorld {
  promotion?: Partial<PromotionSubject>;
  now?: Date;
  /** Every run of every commit; the context keeps the promotion's. */
  runs?: GateRun[];
  manifests?: GateManifest[];
  baseline?: GateRun;
  readySince?: Date;
  decisions?: GateDecision[];
  /** Group ref → member refs. */
  groups?: Record<string, string[]>;
}

/**
 * An in-memory {@link PromotionGateContext} over a small world, with the
 * semantics of the database one: the promotion's commit only, newest first,
 * bounded by `limit`. Records what the gate asked for in `reads`.
 */
export function gateContext(
  world: GateWorld = {},
): PromotionGateContext & { reads: string[] } {
  const promotion = promotionSubject(world.promotion);
  const reads: string[] = [];
  return {
    promotion,
    now: world.now ?? new Date('2026-11-24T10:00:00Z'),
    reads,
    async runs({ stage, profile, limit }) {
      reads.push(`runs ${stage}${profile ? ` ${profile}` : ''}`);
      return (world.runs ?? [])
        .filter(
          r =>
            r.commit === promotion.commit &&
            r.stage === stage &&
            (profile === undefined || r.profile === profile),
        )
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .slice(0, limit);
    },
    async manifests(runIds) {
      reads.push(`manifests ${runIds.join(',')}`);
      return (world.manifests ?? []).filter(m => runIds.includes(m.runId));
    },
    async productionBaseline() {
      reads.push('productionBaseline');
      return world.baseline;
    },
    async readySince() {
      reads.push('readySince');
      return world.readySince;
    },
    async decisions() {
      reads.push('decisions');
      return world.decisions ?? [];
    },
    async groupMembers(groupRef) {
      reads.push(`groupMembers ${groupRef}`);
      return world.groups?.[groupRef] ?? [];
    },
  };
}

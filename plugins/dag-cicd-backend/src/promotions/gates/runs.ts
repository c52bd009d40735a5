import { GateRun } from '@dag-cicd/plugin-dag-cicd-node';
import { JsonObject } from '@backstage/types';

/**
 * How many of a commit's newest runs in a stage a gate reads. Gates run on
 * every evaluation of every promotion, so they read a bounded window of the
 * history, never all of it; a policy cannot ask for more runs than this.
 */
export const RUN_WINDOW = 100;

const UNFINISHED = new Set(['requested', 'queued', 'running']);

/** Whether Airflow has yet to finish the run. */
export function isUnfinished(run: GateRun): boolean {
  return UNFINISHED.has(run.state);
}

/** A run as an evaluation records it: enough to find it again. */
export function runInput(run: GateRun): JsonObject {
  return {
    id: run.id,
    environment: run.environmentName,
    stage: run.stage,
    profile: run.profile,
    dagRunId: run.dagRunId,
    state: run.state,
    createdAt: run.createdAt.toISOString(),
  };
}

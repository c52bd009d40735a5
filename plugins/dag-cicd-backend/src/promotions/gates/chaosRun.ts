import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { GateOutcome, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { shortSha } from './describe';
import { assertKnownOptions } from './options';
import { RUN_WINDOW, isUnfinished, runInput } from './runs';

/** The input profile whose runs this gate looks for. */
export const CHAOS_PROFILE = 'chaos';

function readOptions(options: JsonObject): { stages?: string[] } {
  assertKnownOptions(options, ['stages']);
  const { stages } = options;
  if (stages === undefined) return {};
  if (
    !Array.isArray(stages) ||
    stages.length === 0 ||
    !stages.every(s => typeof s === 'string' && s !== '')
  ) {
    throw new InputError(
      `stages must be a non-empty list of stage names, e.g. ["ci", "staging"], not ${JSON.stringify(
        stages,
      )}`,
    );
  }
  return { stages: [...new Set(stages as string[])] };
}

/**
 * `chaos-run`: at least one successful run of the commit under the `chaos`
 * input profile — the DAG met the fault injector and came through.
 *
 * Where to look is the option `stages`, by default the source stage alone.
 * The gate cannot see the configured order of stages, and chaos environments
 * usually live in the first stage, so a policy that runs chaos in `ci` and
 * promotes from `staging` lists both: `stages: [ci, staging]`. A failed chaos
 * run does not fail the gate once any other one succeeded: chaos is seeded
 * per environment, and one green run shows the DAG handles faults.
 */
export const chaosRunGate: PromotionGate = {
  type: 'chaos-run',
  validateOptions: options => ({ ...readOptions(options) }),

  async evaluate(options, context): Promise<GateOutcome> {
    const stages = readOptions(options).stages ?? [context.promotion.fromStage];
    const sha = shortSha(context.promotion.commit);
    const perStage = await Promise.all(
      stages.map(stage =>
        context.runs({ stage, profile: CHAOS_PROFILE, limit: RUN_WINDOW }),
      ),
    );
    const runs = perStage
      .flat()
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const green = runs.find(run => run.state === 'success');
    const where = `under the ${CHAOS_PROFILE} profile in ${stages.join(', ')}`;
    const inputs: JsonObject = {
      stages,
      runsRead: runs.length,
      ...(runs[0] && { newestRun: runInput(runs[0]) }),
      ...(green && { successfulRun: runInput(green) }),
    };

    if (green) {
      return {
        status: 'passed',
        detail: `Run ${green.dagRunId} of ${sha} succeeded ${where} (environment ${green.environmentName}).`,
        inputs,
      };
    }
    if (runs.length === 0) {
      return {
        status: 'pending',
        detail: `No run of ${sha} ${where} yet; create an environment with the ${CHAOS_PROFILE} profile and run it.`,
        inputs,
      };
    }
    const running = runs.find(isUnfinished);
    if (running) {
      return {
        status: 'pending',
        detail: `No chaos run of ${sha} has succeeded yet; run ${running.dagRunId} is still ${running.state}.`,
        inputs,
      };
    }
    return {
      status: 'failed',
      detail: `None of the ${runs.length} runs of ${sha} ${where} succeeded (the newest, ${runs[0].dagRunId}, ended ${runs[0].state}); make the DAG handle the injected faults and run it again.`,
      inputs,
    };
  },
};

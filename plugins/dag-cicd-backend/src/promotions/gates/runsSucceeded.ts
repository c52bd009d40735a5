import { JsonObject } from '@backstage/types';
import { GateOutcome, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { count, shortSha } from './describe';
import { assertKnownOptions, integerOption } from './options';
import { RUN_WINDOW, isUnfinished, runInput } from './runs';

function readOptions(options: JsonObject) {
  assertKnownOptions(options, ['minRuns']);
  return {
    minRuns: integerOption('minRuns', options.minRuns, {
      default: 1,
      min: 1,
      max: RUN_WINDOW,
    }),
  };
}

/**
 * `runs-succeeded`: at least `minRuns` successful runs of the commit in the
 * source stage, and the newest run green — a later red run is not outvoted
 * by earlier green ones. Only the newest {@link RUN_WINDOW} runs are read.
 */
export const runsSucceededGate: PromotionGate = {
  type: 'runs-succeeded',
  validateOptions: options => ({ ...readOptions(options) }),

  async evaluate(options, context): Promise<GateOutcome> {
    const { minRuns } = readOptions(options);
    const { commit, fromStage: stage } = context.promotion;
    const sha = shortSha(commit);
    const runs = await context.runs({ stage, limit: RUN_WINDOW });
    const successful = runs.filter(run => run.state === 'success');
    const newest = runs[0];
    const inputs: JsonObject = {
      stage,
      minRuns,
      runsRead: runs.length,
      successfulRunIds: successful.map(run => run.id),
      ...(newest && { newestRun: runInput(newest) }),
    };
    const tally = `${successful.length} of ${minRuns} successful runs of ${sha} in ${stage}`;

    if (!newest) {
      return {
        status: 'pending',
        detail: `No run of ${sha} in ${stage} yet; start ${count(
          minRuns,
          'run',
        )} of it there.`,
        inputs,
      };
    }
    if (isUnfinished(newest)) {
      return {
        status: 'pending',
        detail: `${tally}; the newest run ${newest.dagRunId} is still ${newest.state}.`,
        inputs,
      };
    }
    if (newest.state !== 'success') {
      return {
        status: 'failed',
        detail: `The newest run ${newest.dagRunId} of ${sha} in ${stage} ended ${newest.state}; fix it and start another run.`,
        inputs,
      };
    }
    if (successful.length < minRuns) {
      return {
        status: 'pending',
        detail: `${tally}; start another run.`,
        inputs,
      };
    }
    return {
      status: 'passed',
      detail: `${count(
        successful.length,
        'successful run',
      )} of ${sha} in ${stage} (${minRuns} required), the newest green.`,
      inputs,
    };
  },
};

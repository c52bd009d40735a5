import { JsonObject } from '@backstage/types';
import { GateOutcome, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { parseDuration } from '../../service/durations';
import { formatSpan, shortSha } from './describe';
import { assertKnownOptions, stringOption } from './options';

const DEFAULT_DURATION = 'P1D';

function readOptions(options: JsonObject) {
  assertKnownOptions(options, ['duration']);
  const duration =
    stringOption('duration', options.duration) ?? DEFAULT_DURATION;
  return { duration, ms: parseDuration('duration', duration) };
}

/**
 * `soak-time`: the commit has been `ready` in the source stage for at least
 * `duration` (ISO 8601, default `P1D`), counted from its newest transition to
 * `ready`, so an environment that was re-provisioned starts soaking again.
 */
export const soakTimeGate: PromotionGate = {
  type: 'soak-time',
  validateOptions: options => ({ duration: readOptions(options).duration }),

  async evaluate(options, context): Promise<GateOutcome> {
    const { duration, ms } = readOptions(options);
    const { commit, fromStage: stage } = context.promotion;
    const sha = shortSha(commit);
    const since = await context.readySince();
    const inputs: JsonObject = {
      stage,
      duration,
      now: context.now.toISOString(),
      readySince: since?.toISOString() ?? null,
    };
    if (!since) {
      return {
        status: 'pending',
        detail: `${sha} is not ready in ${stage}, so it has not started soaking; it needs ${duration} once ready.`,
        inputs,
      };
    }
    const until = new Date(since.getTime() + ms);
    const ready = `${sha} has been ready in ${stage} since ${since.toISOString()}`;
    if (until.getTime() <= context.now.getTime()) {
      return {
        status: 'passed',
        detail: `${ready}, at least ${duration}.`,
        inputs,
      };
    }
    return {
      status: 'pending',
      detail: `${ready}; ${formatSpan(
        until.getTime() - context.now.getTime(),
      )} of the ${duration} soak time left, until ${until.toISOString()}.`,
      inputs: { ...inputs, soakedAt: until.toISOString() },
    };
  },
};

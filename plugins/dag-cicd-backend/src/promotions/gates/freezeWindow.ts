import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { GateOutcome, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { formatSpan } from './describe';
import {
  FreezeWindow,
  formatInZone,
  occurrence,
  parseFreezeWindow,
  windowInput,
  windowName,
} from './freezeWindows';
import { assertKnownOptions } from './options';

function readOptions(options: JsonObject): { windows: FreezeWindow[] } {
  assertKnownOptions(options, ['windows']);
  const { windows } = options;
  if (!Array.isArray(windows) || windows.length === 0) {
    throw new InputError(
      'windows must be a non-empty list of { rrule or cron, duration, timezone }, e.g. [{ "cron": "0 16 * * 5", "duration": "PT64H", "timezone": "Europe/Berlin" }]',
    );
  }
  return {
    windows: windows.map((w, i) => parseFreezeWindow(w, `windows[${i}]`)),
  };
}

/**
 * `freeze-window`: no promotion into the target stage while the evaluation's
 * clock is inside one of the `windows` (a weekend, a release freeze). The
 * gate fails rather than waits: promoting later is a decision for a person.
 */
export const freezeWindowGate: PromotionGate = {
  type: 'freeze-window',
  validateOptions: options => ({
    windows: readOptions(options).windows.map(windowInput),
  }),

  async evaluate(options, context): Promise<GateOutcome> {
    const { windows } = readOptions(options);
    const { now } = context;
    const active = windows
      .map((window, i) => ({
        window,
        span: occurrence(window, now, `windows[${i}]`),
      }))
      .filter(a => a.span)
      .sort((a, b) => b.span!.end.getTime() - a.span!.end.getTime());
    const inputs: JsonObject = {
      now: now.toISOString(),
      windows: windows.map(windowInput),
      active: active.map(a => ({
        window: windowName(a.window),
        start: a.span!.start.toISOString(),
        end: a.span!.end.toISOString(),
      })),
    };
    const stage = context.promotion.toStage;
    if (active.length === 0) {
      return {
        status: 'passed',
        detail: `No freeze window of ${stage} is in force now.`,
        inputs,
      };
    }
    const { window, span } = active[0];
    return {
      status: 'failed',
      detail: `${stage} is frozen by ${windowName(window)} until ${formatInZone(
        span!.end,
        window.timezone,
      )} (${formatSpan(
        span!.end.getTime() - now.getTime(),
      )} from now); promote after it ends.`,
      inputs,
    };
  },
};

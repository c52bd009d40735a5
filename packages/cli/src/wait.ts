import { Io } from './context';
import { CliError, ExitCode } from './exitCodes';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `--timeout` values: `90s`, `15m`, `1h`, or plain seconds. */
export function parseTimeout(value: string): number {
  const match = /^(\d+)([smh]?)$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) {
    throw new CliError(
      `--timeout "${value}" is not a duration such as 90s, 15m or 1h`,
      ExitCode.usage,
    );
  }
  return Number(match[1]) * UNITS[match[2] || 's'];
}

/**
 * Polls until `check` returns a value, telling stderr what it waits for
 * whenever the answer changes, so a CI log shows progress without noise.
 */
export async function waitFor<T>(options: {
  what: string;
  timeoutMs: number;
  io: Io;
  check: () => Promise<{ done?: T; progress: string }>;
}): Promise<T> {
  const { what, timeoutMs, io, check } = options;
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    const { done, progress } = await check();
    if (progress !== last) {
      io.stderr(`${what}: ${progress}\n`);
      last = progress;
    }
    if (done !== undefined) return done;
    if (Date.now() >= deadline) {
      throw new CliError(
        `Timed out after ${Math.round(
          timeoutMs / 1000,
        )}s waiting for ${what} (last: ${progress}); raise --timeout`,
        ExitCode.timeout,
      );
    }
    await new Promise(resolve => setTimeout(resolve, io.pollIntervalMs));
  }
}

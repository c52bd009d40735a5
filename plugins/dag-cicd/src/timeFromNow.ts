const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * A time `delta` milliseconds from now, either way: "in 3 hours", "2 days
 * ago", "tomorrow", in the largest unit that fits and whole units only, so
 * that "in 1 day" is at least a day away; under a minute is "now".
 */
function formatDelta(delta: number): string {
  const fit = UNITS.find(([, size]) => Math.abs(delta) >= size);
  if (!fit) return format.format(0, 'second');
  const [unit, size] = fit;
  return format.format(Math.trunc(delta / size), unit);
}

/**
 * How far a time is from `now`, in the future or the past: "in 3 hours",
 * "3 hours ago"; undefined when there is no time to tell.
 */
export function relativeTime(
  at: string | null | undefined,
  now: number = Date.now(),
): string | undefined {
  const delta = at ? Date.parse(at) - now : NaN;
  return Number.isNaN(delta) ? undefined : formatDelta(delta);
}

/**
 * When an environment expires, as a person reads it: "in 5 hours", "expired"
 * (the TTL teardown has not reached it yet) or "never".
 */
export function expiresIn(
  expiresAt: string | null | undefined,
  now: number = Date.now(),
): string {
  if (!expiresAt) return 'never';
  const left = Date.parse(expiresAt) - now;
  if (Number.isNaN(left)) return 'unknown';
  return left > 0 ? formatDelta(left) : 'expired';
}

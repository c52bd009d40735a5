const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * When an environment expires, as a person reads it: "in 5 hours", "expired"
 * (the TTL teardown has not reached it yet) or "never".
 *
 * @public
 */
export function expiresIn(
  expiresAt: string | null | undefined,
  now: number = Date.now(),
): string {
  if (!expiresAt) return 'never';
  const left = Date.parse(expiresAt) - now;
  if (Number.isNaN(left)) return 'unknown';
  if (left <= 0) return 'expired';
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
  const [unit, size] = UNITS.find(([, ms]) => left >= ms) ?? UNITS[2];
  return format.format(Math.max(1, Math.round(left / size)), unit);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * "in 3 hours", "2 days ago": how far a time is from `now`, in the largest
 * unit that fits (seconds read as "now").
 */
export function fromNow(iso: string, now: number = Date.now()): string {
  const delta = new Date(iso).getTime() - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms) {
      return relative.format(Math.trunc(delta / ms), unit);
    }
  }
  return relative.format(0, 'second');
}

/**
 * How long ago a time was, for "since" columns: "3 days ago"; undefined
 * when there is no time to tell. @public
 */
export function timeAgo(at: string | null | undefined, now = Date.now()) {
  if (!at || Number.isNaN(Date.parse(at))) return undefined;
  return fromNow(at, now);
}

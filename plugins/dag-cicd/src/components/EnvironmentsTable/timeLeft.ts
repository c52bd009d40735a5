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

/** How long ago a time was, for "since" columns: "3 days ago". @public */
export function timeAgo(at: string | null | undefined, now = Date.now()) {
  if (!at) return undefined;
  const ago = now - Date.parse(at);
  if (Number.isNaN(ago)) return undefined;
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const [unit, size] = UNITS.find(([, ms]) => ago >= ms) ?? UNITS[2];
  return format.format(-Math.round(ago / size), unit);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

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

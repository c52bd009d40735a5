import { InputError } from '@backstage/errors';

// The subset of ISO 8601 durations that a TTL needs: days, hours, minutes,
// seconds (`P3D`, `PT6H`, `P1DT12H`). Months and years have no fixed length.
const DURATION =
  /^P(?:(\d{1,4})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,8})M)?(?:(\d{1,10})S)?)?$/;

/**
 * Milliseconds of an ISO 8601 duration such as `P3D` or `PT6H`.
 *
 * @throws InputError naming the field when it is not one
 */
export function parseDuration(field: string, value: string): number {
  const match = DURATION.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) {
    throw new InputError(
      `${field} ${JSON.stringify(
        value,
      )} is not an ISO 8601 duration of days, hours, minutes and seconds, e.g. "PT6H" or "P3D"`,
    );
  }
  const [d, h, m, s] = match.slice(1).map(v => Number(v ?? 0));
  return (((d * 24 + h) * 60 + m) * 60 + s) * 1000;
}

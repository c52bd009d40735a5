import { InputError } from '@backstage/errors';

/** The bounds of a `sample` or `chaos` copy, per input. */
export interface SampleLimits {
  /** At most this many objects per input. */
  maxObjects: number;
  /** At most this many bytes per input, counted on the production objects. */
  maxBytes: number;
  /**
   * The fraction of rows kept from each CSV or JSON Lines object, in (0, 1].
   * At 1 objects are copied whole, server-side where the store can.
   */
  rowFraction: number;
}

/** The name of one sample limit. */
export type SampleLimitName = keyof SampleLimits;

/** Every sample limit, in the order they are checked and written in. */
export const SAMPLE_LIMIT_NAMES = [
  'maxObjects',
  'maxBytes',
  'rowFraction',
] as const satisfies readonly SampleLimitName[];

/** Where the operator configures the sample limits. */
export const SAMPLE_LIMITS_CONFIG_KEY = 'dagCicd.environments.sample';

/**
 * Checks one sample limit, wherever it was written: configuration, a
 * request, or the limits a seeding is given. `maxObjects` and `maxBytes` are
 * whole numbers from 0 (0 copies nothing); `rowFraction` is more than 0 and
 * at most 1 (1 copies objects whole).
 *
 * @param field - where the value was written, for the error message
 * @param max - the configured limit, for a value a request asks for: a
 *   request may only tighten it, since it caps how much production data one
 *   environment may copy
 * @returns the value, a valid limit
 * @throws InputError naming the field and what to write instead
 */
export function checkSampleLimit(
  name: SampleLimitName,
  value: unknown,
  field: string,
  max?: number,
): number {
  const configured = `${SAMPLE_LIMITS_CONFIG_KEY}.${name}`;
  if (name === 'rowFraction') {
    const most = max ?? 1;
    if (typeof value !== 'number' || !(value > 0 && value <= most)) {
      const which =
        max === undefined ? '' : `, the configured maximum (${configured})`;
      throw new InputError(
        `${field} must be more than 0 and at most ${most}${which}; got ${String(
          value,
        )}`,
      );
    }
    return value;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InputError(
      `${field} must be a whole number of at least 0; got ${String(value)}`,
    );
  }
  if (max !== undefined && value > max) {
    throw new InputError(
      `${field} ${value} is more than the configured maximum ${max} (${configured}); ask for at most ${max}`,
    );
  }
  return value;
}

import { InputError } from '@backstage/errors';
import { JsonObject, JsonValue } from '@backstage/types';

/**
 * Refuses options a gate does not know: a misspelt option must be an error
 * when the policy is read, not a default silently applied.
 */
export function assertKnownOptions(
  options: JsonObject,
  known: readonly string[],
): void {
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new InputError(
        `unknown option ${JSON.stringify(name)}; the options are ${
          known.length ? known.join(', ') : 'none'
        }`,
      );
    }
  }
}

/** An integer option within bounds, or its default when absent. */
export function integerOption(
  name: string,
  value: JsonValue | undefined,
  bounds: { default: number; min: number; max: number },
): number {
  if (value === undefined) return bounds.default;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < bounds.min ||
    value > bounds.max
  ) {
    throw new InputError(
      `${name} must be a whole number from ${bounds.min} to ${
        bounds.max
      }, not ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A tolerance: a fraction such as 0.1 for ±10 %, zero or more. */
export function toleranceOption(
  name: string,
  value: JsonValue | undefined,
  defaultValue: number,
): number {
  if (value === undefined) return defaultValue;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InputError(
      `${name} must be a fraction of zero or more, e.g. 0.1 for ±10 %, not ${JSON.stringify(
        value,
      )}`,
    );
  }
  return value;
}

/** A non-empty string option, or undefined when absent. */
export function stringOption(
  name: string,
  value: JsonValue | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError(
      `${name} must be a non-empty string, not ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { InputError } from '@backstage/errors';
import {
  FAULT_NAMES,
  type FaultName,
  type FaultRates,
} from '@dag-cicd/plugin-dag-cicd-common';

export { FAULT_NAMES };
export type { FaultName };

/**
 * How often each fault is injected: each a probability in [0, 1]; absent = 0.
 * The API's own type, whose faults FAULT_NAMES is checked against.
 */
export type { FaultRates };

function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

function keyPath(field: string, key: string): string {
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  return /^[A-Za-z_$][\w$]*$/.test(key)
    ? `${field}.${key}`
    : `${field}[${JSON.stringify(shown)}]`;
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') {
    return String(value);
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * Checks fault rates as written in config or a request: an object whose keys
 * are fault names and whose values are probabilities from 0 to 1.
 *
 * @param field - where the rates were written, for the error message
 * @returns a copy holding only the given rates
 * @throws InputError naming the offending key and what to write instead
 */
export function validateFaultRates(
  value: unknown,
  field = 'chaos',
): FaultRates {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(
      `${field} must be an object of fault rates such as {"nulls": 0.01}, got ${describe(
        value,
      )}`,
    );
  }
  const rates: FaultRates = {};
  for (const [key, rate] of Object.entries(value)) {
    if (!isFaultName(key)) {
      throw new InputError(
        `${keyPath(field, key)} is not a fault; use one of ${FAULT_NAMES.join(
          ', ',
        )}`,
      );
    }
    if (rate === undefined) {
      continue;
    }
    if (
      typeof rate !== 'number' ||
      !Number.isFinite(rate) ||
      rate < 0 ||
      rate > 1
    ) {
      throw new InputError(
        `${keyPath(
          field,
          key,
        )} must be a probability from 0 to 1, got ${describe(rate)}`,
      );
    }
    rates[key] = rate;
  }
  return rates;
}

import { MalformedResponse } from './AirflowHttp';
import { AirflowPage } from './types';

/*
 * Readers for Airflow's JSON answers. They check what the product relies on
 * (identifiers, states, lists) and nothing more, so that an answer that is
 * not Airflow's fails loudly instead of turning into empty values, while
 * fields a version adds or drops cause no trouble.
 */

type Json = Record<string, any>;

function fail(what: string, key: string, expected: string): never {
  throw new MalformedResponse(`${what} has no ${expected} "${key}"`);
}

export function object(value: unknown, what: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedResponse(`${what} is not a JSON object`);
  }
  return value as Json;
}

export function string(json: Json, key: string, what: string): string {
  const value = json[key];
  return typeof value === 'string' ? value : fail(what, key, 'string');
}

/** A string, or undefined for null and absent. */
export function optionalString(
  json: Json,
  key: string,
  what: string,
): string | undefined {
  const value = json[key];
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : fail(what, key, 'string');
}

export function number(json: Json, key: string, what: string): number {
  const value = json[key];
  return typeof value === 'number' ? value : fail(what, key, 'number');
}

export function optionalNumber(
  json: Json,
  key: string,
  what: string,
): number | undefined {
  const value = json[key];
  if (value === null || value === undefined) return undefined;
  return typeof value === 'number' ? value : fail(what, key, 'number');
}

/** A boolean; null and absent are `fallback`. */
export function boolean(json: Json, key: string, fallback: boolean): boolean {
  const value = json[key];
  return typeof value === 'boolean' ? value : fallback;
}

/** A list; null and absent are empty. */
export function list(json: Json, key: string, what: string): unknown[] {
  const value = json[key];
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : fail(what, key, 'list');
}

/** An object of JSON values; null and absent are empty. */
export function record(json: Json, key: string, what: string): Json {
  const value = json[key];
  if (value === null || value === undefined) return {};
  return typeof value === 'object' && !Array.isArray(value)
    ? value
    : fail(what, key, 'object');
}

/** A collection answer: `{<key>: [...], total_entries}`, both APIs alike. */
export function page<T>(
  body: unknown,
  key: string,
  what: string,
  item: (json: Json) => T,
): AirflowPage<T> {
  const json = object(body, `The ${what} list`);
  if (!Array.isArray(json[key])) fail(`The ${what} list`, key, 'list');
  return {
    items: (json[key] as unknown[]).map(value => item(object(value, what))),
    totalEntries: number(json, 'total_entries', `The ${what} list`),
  };
}

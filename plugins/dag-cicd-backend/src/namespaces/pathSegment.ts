import { InputError } from '@backstage/errors';

// Names become folders and object keys, in stores that differ in what they
// treat as a separator (`/` everywhere, `\` on Windows) and in whether they
// decode `%2F` or fold Unicode (NFKC turns `／` into `/` and `․․` into `..`).
// The only safe answer is a small ASCII alphabet with no separator, no escape
// character and no name that is all dots.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

// Keys inside a namespace (files a DAG reads or writes) also need `_` first
// (`_SUCCESS`, `_manifests`) and `=` (Hive partitions such as `dt=2026-11-24`).
const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.=+-]{0,254}$/;

function reason(value: string, pattern: RegExp, maxLength: number) {
  if (value === '') {
    return 'it is empty';
  }
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(value)) {
    return 'only ASCII characters are allowed';
  }
  if (value === '.' || value === '..') {
    return 'it is a relative path';
  }
  if (/[/\\]/.test(value)) {
    return 'it contains a path separator';
  }
  if (value.includes('%')) {
    return 'percent-encoding is not allowed';
  }
  if (value.length > maxLength) {
    return `it is longer than ${maxLength} characters`;
  }
  // Windows drops a trailing dot, so `ci_1.` would be the folder `ci_1`.
  if (value.endsWith('.')) {
    return 'it ends with a dot';
  }
  if (!pattern.test(value)) {
    return `it must match ${pattern}`;
  }
  return undefined;
}

function describe(value: string) {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/**
 * Checks that a name (entity namespace, DAG id, environment name) can become
 * one path segment of a data namespace without escaping it or aliasing
 * another name.
 *
 * @param field - what the value is, for the error message
 * @returns the value, unchanged
 * @throws InputError naming the field and the reason
 */
export function assertPathSegment(field: string, value: string): string {
  return assertSegment(field, value, NAME, 128);
}

/**
 * Checks one segment of a relative key inside a data namespace, such as
 * `dt=2026-11-24` or `_SUCCESS` in `events/dt=2026-11-24/_SUCCESS`. Same rules
 * as {@link assertPathSegment}, with `_` allowed first and `=` and `+` inside.
 *
 * @throws InputError naming the field and the reason
 */
export function assertKeySegment(field: string, value: string): string {
  return assertSegment(field, value, KEY, 255);
}

// One check and one message for both kinds of segment; only the rule differs.
function assertSegment(
  field: string,
  value: string,
  pattern: RegExp,
  maxLength: number,
): string {
  const why = reason(value, pattern, maxLength);
  if (why) {
    throw new InputError(
      `${field} ${describe(value)} is not a valid path segment: ${why}`,
    );
  }
  return value;
}

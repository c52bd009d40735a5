import { InputError } from '@backstage/errors';
import { dagCicdConfSchema } from '@dag-cicd/plugin-dag-cicd-common';
import { assertPathSegment } from '../namespaces/pathSegment';

/**
 * How an environment's inputs are filled (see the design's vocabulary):
 *
 * - `empty`: each input is an empty folder in the environment's namespace;
 * - `production-readonly`: inputs point at production's prefixes, zero copy;
 * - `sample`: a bounded, seeded copy of production's inputs;
 * - `fixtures:<set>`: a fixture set shipped with the DAG's repository;
 * - `from:<environment>`: a copy of an earlier environment's inputs;
 * - `chaos`: a sample run through the fault injector.
 */
export type InputProfile =
  | { kind: 'empty' }
  | { kind: 'production-readonly' }
  | { kind: 'sample' }
  | { kind: 'chaos' }
  | { kind: 'fixtures'; set: string }
  | { kind: 'from'; environment: string };

// The run-time contract's schema is the one definition of a valid profile
// string: Airflow sees the same string in `conf.dag_cicd.profile`, and the
// Python package validates it with this very pattern.
const PROFILE = new RegExp(dagCicdConfSchema.properties.profile.pattern);

const VALID_FORMS =
  '"empty", "production-readonly", "sample", "chaos", "fixtures:<set>" ' +
  '(set: letters, digits, "_", "." or "-", starting with a letter or digit, ' +
  'at most 63 characters) or "from:<environment>" (a lower-case environment ' +
  'name such as "ci_ab12cd3")';

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * Parses an input profile as written in a request, in `conf.dag_cicd.profile`
 * and in the database. Accepts what the contract's schema accepts, minus the
 * set and environment names that cannot be a path segment (a set ending in a
 * dot, which Windows would silently drop).
 *
 * @throws InputError naming the valid forms
 */
export function parseInputProfile(value: string): InputProfile {
  if (typeof value !== 'string' || !PROFILE.test(value)) {
    throw new InputError(
      `profile ${describe(value)} is not valid; use ${VALID_FORMS}`,
    );
  }
  const colon = value.indexOf(':');
  if (colon === -1) {
    return { kind: value } as InputProfile;
  }
  const name = value.slice(colon + 1);
  // Both names become folders: `<fixtures root><set>/` and the earlier
  // environment's namespace.
  if (value.startsWith('fixtures:')) {
    return { kind: 'fixtures', set: assertPathSegment('fixture set', name) };
  }
  return { kind: 'from', environment: assertPathSegment('environment', name) };
}

/** The string form of a profile; the inverse of {@link parseInputProfile}. */
export function formatInputProfile(profile: InputProfile): string {
  switch (profile.kind) {
    case 'fixtures':
      return `fixtures:${profile.set}`;
    case 'from':
      return `from:${profile.environment}`;
    default:
      return profile.kind;
  }
}

import { InputError, NotAllowedError } from '@backstage/errors';
import { assertKeySegment, assertPathSegment } from './pathSegment';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

// `scheme://authority/path`. The authority may be empty (`file:///var/...`).
const URI = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)$/;

/**
 * Whether a URI is in the one spelling this module produces and can reason
 * about with plain string comparison. Anything another layer could rewrite
 * into a different path is refused rather than normalised here:
 *
 * - `.` and `..` segments, and empty segments (`a//b`), which path resolvers
 *   collapse; also any segment of only dots and spaces (`.. `, `...`): URL
 *   parsers strip trailing spaces and Windows strips trailing dots, turning
 *   them into `..`;
 * - leading or trailing whitespace, which URL parsers strip;
 * - `\`, a separator on Windows;
 * - any `%`, since `%2F`, `%2e%2e` or `%5c` decode into separators and dots
 *   (the WHATWG URL parser itself turns `%2e%2e` into `..`);
 * - `?` and `#`, which end the path in a URI parser;
 * - control characters, and text that Unicode NFKC folding would change
 *   (`／` becomes `/`, `․․` becomes `..`).
 */
export function isNormalised(uri: string): boolean {
  if (typeof uri !== 'string') {
    return false;
  }
  const match = URI.exec(uri);
  return (
    match !== null &&
    hasPlainCharacters(uri) &&
    uri.trim() === uri &&
    hasPlainSegments(match[3].split('/').slice(1))
  );
}

// Control characters are C0, DEL and C1 (NEL, U+0085, is a line break to
// some readers). Line and paragraph separators too: URI's `.` stops at
// them, so a check of a URI's rest alone (isWithin) must refuse them as the
// whole URI's match does.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\\%?#\x00-\x1f\x7f-\x9f\u2028\u2029]/;
const DOTS_AND_SPACES = /^[. ]+$/;

/** No character another layer could read differently (see isNormalised). */
function hasPlainCharacters(text: string): boolean {
  return (
    !FORBIDDEN.test(text) &&
    // Printable ASCII is its own NFKC form: only other text pays for the
    // (comparatively slow) normalisation, which seeding runs per object.
    (PRINTABLE_ASCII.test(text) || text.normalize('NFKC') === text)
  );
}

/**
 * Path segments with none empty but the last (empty for a prefix,
 * `.../ci_1/`) and none of only dots and spaces.
 */
function hasPlainSegments(segments: string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (
      segment === '' ? i !== segments.length - 1 : DOTS_AND_SPACES.test(segment)
    ) {
      return false;
    }
  }
  return true;
}

// Prefixes known to be normalised. Seeding asks about the same few (a
// namespace, its inputs, production, a store's root) for every object;
// strings cannot change, so a prefix once found normalised stays so.
const NORMALISED_PREFIXES = new Set<string>();
const MAX_REMEMBERED_PREFIXES = 256;

function isPrefix(prefix: string): boolean {
  if (NORMALISED_PREFIXES.has(prefix)) return true;
  if (!isNormalised(prefix) || !prefix.endsWith('/')) return false;
  if (NORMALISED_PREFIXES.size >= MAX_REMEMBERED_PREFIXES) {
    NORMALISED_PREFIXES.clear();
  }
  NORMALISED_PREFIXES.add(prefix);
  return true;
}

function assertPrefix(field: string, prefix: string): string {
  if (!isPrefix(prefix)) {
    throw new InputError(
      `${field} ${JSON.stringify(
        prefix,
      )} is not a normalised URI prefix: it must be scheme://.../ ending in "/", without ".", "..", empty segments, "\\", "%", "?" or "#"`,
    );
  }
  return prefix;
}

/**
 * The data namespace of an environment:
 * `<store root>/<entity namespace>/<dag id>/<env name>/`.
 *
 * @throws InputError if the root is not a normalised prefix or a name is not a
 * valid path segment
 */
export function environmentNamespace(options: {
  root: string;
  entityNamespace: string;
  dagId: string;
  environment: string;
}): string {
  const root = assertPrefix('store root', options.root);
  const segments = [
    assertPathSegment('entity namespace', options.entityNamespace),
    assertPathSegment('dag id', options.dagId),
    assertPathSegment('environment', options.environment),
  ];
  return `${root}${segments.join('/')}/`;
}

/**
 * Whether `uri` is the prefix itself or lies under it. Pure string logic: both
 * must be normalised (see above), and the match always ends on a `/`, so
 * `.../ci_1/` does not contain `.../ci_10/x`. Never throws; anything odd is
 * simply not within.
 */
export function isWithin(prefix: string, uri: string): boolean {
  if (typeof uri !== 'string' || !isPrefix(prefix) || !uri.startsWith(prefix)) {
    return false;
  }
  // The same as isNormalised(uri), checking only what follows the prefix,
  // which seeding does several times per object: the prefix is normalised
  // and ends with "/", a character Unicode never composes with what follows
  // it, so the rest is plain exactly when the whole is (a property test
  // holds this to the whole-URI check).
  const rest = uri.slice(prefix.length);
  return (
    rest === '' ||
    (hasPlainCharacters(rest) &&
      rest.trimEnd() === rest &&
      hasPlainSegments(rest.split('/')))
  );
}

/**
 * Resolves a relative key that came from outside (an API field, a fixture
 * manifest) against a prefix: `events/dt=2026-11-24/part-0.csv`. A trailing
 * `/` names a sub-prefix. Absolute paths, URIs, `..` and every other trick are
 * refused, so the result is always within the prefix.
 *
 * @throws InputError naming the offending part
 */
export function resolveWithin(prefix: string, relativePath: string): string {
  assertPrefix('prefix', prefix);
  if (typeof relativePath !== 'string' || relativePath === '') {
    throw new InputError('path is empty');
  }
  if (relativePath.startsWith('/') || relativePath.startsWith('\\')) {
    throw new InputError(
      `path ${JSON.stringify(relativePath)} must be relative to ${prefix}`,
    );
  }
  const segments = relativePath.split('/');
  const isSubPrefix = segments[segments.length - 1] === '';
  if (isSubPrefix) {
    segments.pop();
  }
  for (const segment of segments) {
    assertKeySegment(`path ${JSON.stringify(relativePath)}: segment`, segment);
  }
  const uri = `${prefix}${segments.join('/')}${isSubPrefix ? '/' : ''}`;
  // Belt and braces: the segment rules above already guarantee this.
  if (!isWithin(prefix, uri)) {
    throw new InputError(
      `path ${JSON.stringify(relativePath)} is not within ${prefix}`,
    );
  }
  return uri;
}

/**
 * Guards every write and delete made on an environment's behalf: the URI must
 * be within the environment's namespace, and never within production's
 * prefix, unless the namespace is production's own prefix. This holds even
 * when namespaces are configured to overlap (a store root under the
 * production prefix, or the other way round).
 *
 * @throws NotAllowedError when the write would leave the namespace or touch
 * production
 */
export function assertWritable(
  namespace: string,
  uri: string,
  productionPrefix: string,
): void {
  assertPrefix('namespace', namespace);
  // A production prefix we cannot reason about must not turn into "nothing is
  // production"; refuse instead.
  assertPrefix('production prefix', productionPrefix);
  if (!isWithin(namespace, uri)) {
    throw new NotAllowedError(
      `${JSON.stringify(uri)} is outside the data namespace ${namespace}`,
    );
  }
  if (namespace !== productionPrefix && isWithin(productionPrefix, uri)) {
    throw new NotAllowedError(
      `${JSON.stringify(
        uri,
      )} is within the production prefix ${productionPrefix}; only production writes there`,
    );
  }
}

import { InputError } from '@backstage/errors';

/**
 * An API path with every interpolated value percent-encoded as exactly one
 * segment, ``apiPath`/repos/${owner}/${repo}` ``: a name (or a branch
 * `feature/x`) can neither add a segment nor start a query.
 */
export function apiPath(
  strings: TemplateStringsArray,
  ...values: string[]
): string {
  return strings.reduce(
    (path, text, i) => `${path}${encodeURIComponent(values[i - 1])}${text}`,
  );
}

/**
 * The InputError for a source URL that names no repository the host's API
 * can be asked about.
 *
 * @param problem - what is wrong, or what was expected instead, as
 * `readRepositoryUrl` says it
 */
export function unusableSource(url: URL, problem: string): InputError {
  return new InputError(
    `A branch cannot be resolved for this DAG's repository: its source URL ${url.href} does not name a repository (${problem}); fix the entity's backstage.io/source-location annotation, or give the commit SHA instead`,
  );
}

/**
 * The InputError for a repository whose host cannot be asked for branches
 * at all (no integration for it, or one of a type without branches).
 *
 * @param why - what stands in the way, for whoever configures the app
 */
export function unsupportedRepository(ref: string, why: string): InputError {
  return new InputError(
    `A branch cannot be resolved for this DAG's repository (${why}); give the commit SHA instead (git rev-parse ${ref})`,
  );
}

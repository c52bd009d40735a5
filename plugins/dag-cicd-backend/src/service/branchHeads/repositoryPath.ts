import { InputError } from '@backstage/errors';

/**
 * The decoded segments of a repository URL's path below `basePath` (the path
 * an integration's web UI lives under, e.g. `/gitlab`).
 *
 * @throws InputError when the URL is not below `basePath` or its path does
 * not decode
 */
export function pathSegments(url: URL, basePath = ''): string[] {
  const base = basePath.replace(/\/+$/, '');
  if (base && url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
    throw unusableSource(
      url,
      `its path is not below ${base}, where the integration for ${url.host} is configured`,
    );
  }
  try {
    return url.pathname
      .slice(base.length)
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
  } catch {
    throw unusableSource(url, 'its path has a broken percent-encoding');
  }
}

/**
 * A segment of a repository's coordinates (owner, project, repository name),
 * checked so that, once percent-encoded into an API path, it stays exactly
 * one segment: the URL a catalog entity names must never steer the request
 * to another API path (`..`, an encoded `/`).
 *
 * @param what - what the segment is, named in the error (`owner`)
 * @throws InputError naming what is wrong with the source URL
 */
export function repositorySegment(
  url: URL,
  what: string,
  value: string | undefined,
): string {
  const problem = segmentProblem(value ?? '');
  if (problem) {
    throw unusableSource(
      url,
      value
        ? `its ${what} ${JSON.stringify(value)} ${problem}`
        : `it names no ${what}`,
    );
  }
  return value!;
}

/**
 * The two segments that name a repository on most hosts, `{owner}/{repo}`
 * (`acme/orders` from `https://github.com/acme/orders/tree/main/dags` or a
 * clone URL ending in `.git`), below `basePath`.
 *
 * @param ownerLabel - what the host calls the owner (`workspace`), for errors
 */
export function ownerAndRepository(
  url: URL,
  ownerLabel: string,
  basePath = '',
): { owner: string; repo: string } {
  const [owner, repo] = pathSegments(url, basePath);
  return {
    owner: repositorySegment(url, ownerLabel, owner),
    repo: repositorySegment(url, 'repository name', stripGit(repo)),
  };
}

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

/** The repository name as a clone URL spells it, without `.git`. */
export function stripGit(name: string | undefined): string | undefined {
  return name?.replace(/\.git$/, '');
}

function segmentProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value === '.' || value === '..') return 'is a relative path';
  if (/[/\\]/.test(value)) return 'contains a path separator';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) return 'contains a control character';
  if (value.length > 255) return 'is longer than 255 characters';
  return undefined;
}

/**
 * The InputError for a source URL that names no repository the host's API
 * can be asked about.
 *
 * @param problem - what is wrong, or what was expected instead
 */
export function unusableSource(url: URL, problem: string): InputError {
  return new InputError(
    `A branch cannot be resolved for this DAG's repository: its source URL ${url.href} does not name a repository (${problem}); fix the entity's backstage.io/source-location annotation, or give the commit SHA instead`,
  );
}

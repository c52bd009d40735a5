/**
 * The kinds of SCM host whose repository URLs are read here, named as
 * Backstage's SCM integrations name their type (`ScmIntegration.type`).
 *
 * @public
 */
export const SCM_HOST_TYPES = [
  'github',
  'gitlab',
  'bitbucketCloud',
  'bitbucketServer',
  'azure',
  'gitea',
] as const;

/** @public */
export type ScmHostType = (typeof SCM_HOST_TYPES)[number];

/** Whether an integration's type is one whose repository URLs are read. @public */
export function isScmHostType(type: string | undefined): type is ScmHostType {
  return (SCM_HOST_TYPES as readonly (string | undefined)[]).includes(type);
}

/**
 * A repository as its host names it, read from any URL inside it (a web page,
 * a clone URL). Every name is decoded, and each of its path segments is one
 * segment, never `.` or `..` (all names are a single segment but a GitLab
 * namespace, `data/pipelines`): percent-encoded back segment by segment, it
 * cannot steer an API path or a link elsewhere.
 *
 * @public
 */
export interface RepositoryCoordinates {
  type: ScmHostType;
  /**
   * The path segments before the owner, below the base path given: a
   * Bitbucket Server context path (`bitbucket`),
   * the Azure DevOps organization (`acme` on dev.azure.com; none on
   * `acme.visualstudio.com`) or server collection (`tfs`, `DefaultCollection`).
   */
  base: string[];
  /**
   * Who holds the repository: the GitHub or Gitea owner, the Bitbucket Cloud
   * workspace, the GitLab namespace (`data/pipelines`, groups nest), the
   * Bitbucket Server project key (`~jd` for a personal repository, as its API
   * names it), the Azure DevOps project.
   */
  owner: string;
  /** The repository's name (or slug), without `.git`. */
  repository: string;
}

/**
 * What a repository URL says: the repository's coordinates, or why it names
 * none (`it names no repository name`, `expected …/{namespace}/{project}/-/…`).
 *
 * @public
 */
export type RepositoryUrlReading =
  | { coordinates: RepositoryCoordinates }
  | { problem: string };

type Parser = (
  url: URL,
  segments: string[],
) => Omit<RepositoryCoordinates, 'type' | 'base'> & { base?: string[] };

/** Thrown inside a parser for a URL that names no repository. */
class Unusable {
  constructor(readonly problem: string) {}
}

const PARSERS: Record<ScmHostType, Parser> = {
  // {owner}/{repo}/tree/{ref}/{path}
  github: (_, s) => ownerAndRepository(s, 'owner'),
  // {owner}/{repo}/src/branch/{ref}/{path}
  gitea: (_, s) => ownerAndRepository(s, 'owner'),
  // {workspace}/{repo}/src/{ref}/{path}
  bitbucketCloud: (_, s) => ownerAndRepository(s, 'workspace'),
  gitlab: gitlabProject,
  bitbucketServer: bitbucketServerRepository,
  azure: azureRepository,
};

/**
 * What {@link integrationBasePath} reads of an SCM integration: its type and,
 * for the kinds that have one, its config's `baseUrl` (the instances of
 * `ScmIntegrationRegistry.byUrl`, frontend and backend, carry it).
 *
 * @public
 */
export interface ScmIntegrationLike {
  type: string;
  config?: { baseUrl?: string };
}

/**
 * The path a self-hosted GitLab or Gitea serves its web UI under, as its
 * integration's `baseUrl` says (`https://git.acme.corp/gitlab` → `/gitlab`):
 * the `basePath` of {@link readRepositoryUrl}, since the path is not part of
 * any repository's name. Empty for the other kinds, whose URLs show where
 * the repository starts (a Bitbucket Server context path ends before
 * `projects` or `scm`; an Azure DevOps organization or collection is read as
 * the `base`).
 *
 * @public
 */
export function integrationBasePath(integration: ScmIntegrationLike): string {
  const baseUrl = integration.config?.baseUrl;
  if (
    !baseUrl ||
    (integration.type !== 'gitlab' && integration.type !== 'gitea')
  ) {
    return '';
  }
  try {
    return new URL(baseUrl).pathname.replace(/\/+$/, '');
  } catch {
    // Not a URL: the integration's own config checks reject it first.
    return '';
  }
}

/**
 * Reads the repository a URL on a host of the given type is inside:
 * `https://github.com/acme/orders/tree/main/dags` → owner `acme`, repository
 * `orders`; `https://bb.example.com/scm/DATA/orders.git` → project `DATA`,
 * repository `orders`.
 *
 * @param basePath - the path the host's web UI is served under
 * (`/gitlab`), which is not part of the repository's name; none when unknown
 * @public
 */
export function readRepositoryUrl(
  url: URL,
  type: ScmHostType,
  basePath = '',
): RepositoryUrlReading {
  const base = basePath.replace(/\/+$/, '');
  try {
    const segments = pathSegments(url, base);
    const read = PARSERS[type](url, segments);
    return {
      coordinates: {
        type,
        base: read.base ?? [],
        owner: read.owner,
        repository: read.repository,
      },
    };
  } catch (error) {
    if (error instanceof Unusable) return { problem: error.problem };
    throw error;
  }
}

/** The two segments that name a repository on most hosts, `{owner}/{repo}`. */
function ownerAndRepository(segments: string[], ownerLabel: string) {
  const [owner, repo] = segments;
  return {
    owner: segment(ownerLabel, owner),
    repository: segment('repository name', stripGit(repo)),
  };
}

/**
 * `group/sub/project` from a GitLab URL: what precedes `/-/` (or, in older
 * URLs, `/blob/` or `/tree/`), without `.git`.
 */
function gitlabProject(_: URL, segments: string[]) {
  let end = segments.indexOf('-');
  if (end === -1) end = segments.length;
  // A project has a namespace, so `blob` in second place is a project name.
  const legacy = segments.findIndex(
    (s, i) => i >= 2 && i < end && (s === 'blob' || s === 'tree'),
  );
  if (legacy !== -1) end = legacy;
  const path = segments.slice(0, end);
  if (path.length < 2) {
    throw new Unusable('expected …/{namespace}/{project}/-/…');
  }
  path[path.length - 1] = stripGit(path[path.length - 1])!;
  const names = path.map(s => segment('project path', s));
  return { owner: names.slice(0, -1).join('/'), repository: names.pop()! };
}

/**
 * Project key and repository slug from a Bitbucket Server / Data Center URL,
 * wherever the instance's context path puts them:
 * `…/projects/{key}/repos/{slug}/browse/…`, a personal repository
 * `…/users/{user}/repos/{slug}/…` (project `~{user}`, as the REST API names
 * it), or a clone URL `…/scm/{key}/{slug}.git`.
 */
function bitbucketServerRepository(_: URL, segments: string[]) {
  for (let i = 0; i < segments.length; i++) {
    const [kind, owner, repos, slug] = segments.slice(i, i + 4);
    const base = () =>
      segments.slice(0, i).map(s => segment('context path', s));
    if ((kind === 'projects' || kind === 'users') && repos === 'repos') {
      return {
        base: base(),
        owner: segment('project key', kind === 'users' ? `~${owner}` : owner),
        repository: segment('repository slug', slug),
      };
    }
    if (kind === 'scm' && owner && repos) {
      return {
        base: base(),
        owner: segment('project key', owner),
        repository: segment('repository slug', stripGit(repos)),
      };
    }
  }
  throw new Unusable(
    'expected …/projects/{key}/repos/{slug}/…, …/users/{user}/repos/{slug}/… or …/scm/{key}/{slug}.git',
  );
}

/**
 * The organization or collection path, project and repository of an Azure
 * DevOps URL `…/{project}/_git/{repo}`. On Azure DevOps Services the URL may
 * leave out a project that has the repository's name
 * (`dev.azure.com/{org}/_git/{repo}`); the API needs it, so it is put back.
 */
function azureRepository(url: URL, segments: string[]) {
  // Azure DevOps Services has the organization as the first segment on
  // dev.azure.com and as the host on {org}.visualstudio.com (whose older
  // URLs still say `DefaultCollection`); a server has a collection path
  // (`tfs/DefaultCollection`) of its own.
  let organizationSegments: number | undefined;
  let expected = '…/{collection}/{project}/_git/{repository}';
  if (url.hostname === 'dev.azure.com') {
    organizationSegments = 1;
    expected = 'dev.azure.com/{organization}/{project}/_git/{repository}';
  } else if (url.hostname.endsWith('.visualstudio.com')) {
    organizationSegments =
      segments[0]?.toLowerCase() === 'defaultcollection' ? 1 : 0;
    expected = `${url.hostname}/{project}/_git/{repository}`;
  }
  const git = segments.indexOf('_git');
  const before = git === -1 ? [] : segments.slice(0, git);
  const projectLeftOut = before.length === organizationSegments;
  const fits =
    git !== -1 &&
    (organizationSegments === undefined
      ? before.length >= 2
      : projectLeftOut || before.length === organizationSegments + 1);
  if (!fits) throw new Unusable(`expected ${expected}`);
  const repository = segment('repository name', segments[git + 1]);
  const path = before.map(s => segment('organization or project', s));
  return projectLeftOut
    ? { base: path, owner: repository, repository }
    : { base: path.slice(0, -1), owner: path[path.length - 1], repository };
}

/** The decoded segments of a URL's path below `base`. */
function pathSegments(url: URL, base: string): string[] {
  if (base && url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
    throw new Unusable(
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
    throw new Unusable('its path has a broken percent-encoding');
  }
}

/**
 * A segment of a repository's coordinates, checked so that, once
 * percent-encoded into a path, it stays exactly one segment: a URL must never
 * steer a request or a link to another path (`..`, an encoded `/`).
 *
 * @param what - what the segment is, named in the problem (`owner`)
 */
function segment(what: string, value: string | undefined): string {
  const problem = segmentProblem(value ?? '');
  if (problem) {
    throw new Unusable(
      value
        ? `its ${what} ${JSON.stringify(value)} ${problem}`
        : `it names no ${what}`,
    );
  }
  return value!;
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

/** The repository name as a clone URL spells it, without `.git`. */
function stripGit(name: string | undefined): string | undefined {
  return name?.replace(/\.git$/, '');
}

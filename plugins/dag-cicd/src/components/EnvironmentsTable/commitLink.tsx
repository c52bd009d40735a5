import { Link } from '@backstage/core-components';
import { useApiHolder } from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { scmIntegrationsApiRef } from '@backstage/integration-react';

const SOURCE_LOCATION = 'backstage.io/source-location';

/**
 * What `commitUrl` needs of Backstage's SCM integrations: which kind of host
 * a URL is on (`github`, `gitlab`, `bitbucketCloud`, `bitbucketServer`,
 * `azure`, `gitea`), which is how a GitHub Enterprise at `git.acme.corp`
 * is told from a GitLab.
 *
 * @public
 */
export interface ScmHosts {
  byUrl(url: string): { type: string } | undefined;
}

/**
 * The page of `commit` for a repository URL's path segments, per kind of
 * host; undefined when the segments name no repository. Each takes the
 * segments that name the repository and drops the rest (`tree/main/dags`).
 */
const COMMIT_PAGES: Record<
  string,
  (segments: string[], commit: string) => string | undefined
> = {
  // <owner>/<repo>/tree/<ref>/<path>
  github: (s, commit) => ownerRepo(s, 'commit', commit),
  // <owner>/<repo>/src/branch/<ref>/<path>
  gitea: (s, commit) => ownerRepo(s, 'commit', commit),
  // <workspace>/<repo>/src/<ref>/<path>
  bitbucketCloud: (s, commit) => ownerRepo(s, 'commits', commit),
  // <group>/<subgroup…>/<project>/-/tree/<ref>: groups nest, so the project
  // ends where GitLab's `/-/` (or a legacy `tree`/`blob`) begins.
  gitlab: (s, commit) => {
    const end = s.findIndex(x => ['-', 'tree', 'blob'].includes(x));
    const project = end === -1 ? s : s.slice(0, end);
    return project.length >= 2
      ? `${repoPath(project)}/-/commit/${commit}`
      : undefined;
  },
  // [<context>/]projects/<KEY>/repos/<slug>/browse/<path>
  bitbucketServer: (s, commit) => {
    const at = s.findIndex(
      (x, i) => (x === 'projects' || x === 'users') && s[i + 2] === 'repos',
    );
    return at !== -1 && s[at + 3]
      ? `${s.slice(0, at + 4).join('/')}/commits/${commit}`
      : undefined;
  },
  // <org>/<project>/_git/<repo>?path=…
  azure: (s, commit) => {
    const at = s.indexOf('_git');
    return at >= 1 && s[at + 1]
      ? `${s.slice(0, at + 2).join('/')}/commit/${commit}`
      : undefined;
  },
};

function repoPath(segments: string[]): string {
  return segments.join('/').replace(/\.git$/, '');
}

function ownerRepo(segments: string[], page: string, commit: string) {
  return segments.length >= 2
    ? `${repoPath(segments.slice(0, 2))}/${page}/${commit}`
    : undefined;
}

/**
 * The kind of host, without the app's SCM integrations: only the public
 * hosts and host names that say what they run.
 */
function guessHostType(hostname: string): string | undefined {
  if (hostname === 'bitbucket.org') return 'bitbucketCloud';
  if (hostname === 'dev.azure.com' || hostname.endsWith('.visualstudio.com')) {
    return 'azure';
  }
  return ['github', 'gitlab', 'gitea'].find(type =>
    new RegExp(`(^|\\.)${type}\\b`).test(hostname),
  );
}

/**
 * The web page of a commit in the entity's source repository, from its
 * `backstage.io/source-location`: on any host the app has an SCM
 * integration for (GitHub, GitLab, Bitbucket Cloud and Server, Azure
 * DevOps, Gitea), else on a host whose name says what it runs; undefined
 * otherwise (no location, an unknown host, or a location that is not a URL).
 *
 * @public
 */
export function commitUrl(
  entity: Entity | undefined,
  commit: string,
  hosts?: ScmHosts,
): string | undefined {
  const location = entity?.metadata.annotations?.[SOURCE_LOCATION];
  if (!location) return undefined;
  let url: URL;
  try {
    url = new URL(location.replace(/^url:/, ''));
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const type = hosts?.byUrl(url.href)?.type ?? guessHostType(url.hostname);
  const page = type ? COMMIT_PAGES[type] : undefined;
  const path = page?.(url.pathname.split('/').filter(Boolean), commit);
  return path ? `${url.origin}/${path}` : undefined;
}

/**
 * A commit's short SHA with the full one in its title, linked to the commit
 * in the source repository when the entity says where that is.
 *
 * @public
 */
export function CommitLink(props: { commit: string; entity?: Entity }) {
  // Optional: an app without SCM integrations still links the public hosts.
  const hosts = useApiHolder().get(scmIntegrationsApiRef);
  const short = <code title={props.commit}>{props.commit.slice(0, 7)}</code>;
  const href = commitUrl(props.entity, props.commit, hosts);
  return href ? <Link to={href}>{short}</Link> : short;
}

import { Link } from '@backstage/core-components';
import { useApiHolder } from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { scmIntegrationsApiRef } from '@backstage/integration-react';
import {
  entitySourceUrl,
  integrationBasePath,
  isScmHostType,
  readRepositoryUrl,
  RepositoryCoordinates,
  ScmHostType,
  ScmIntegrationLike,
} from '@dag-cicd/plugin-dag-cicd-common';

/**
 * What `commitUrl` needs of Backstage's SCM integrations: which kind of host
 * a URL is on (`github`, `gitlab`, `bitbucketCloud`, `bitbucketServer`,
 * `azure`, `gitea`), which is how a GitHub Enterprise at `git.acme.corp`
 * is told from a GitLab, and the path a GitLab or Gitea is served under.
 *
 * @public
 */
export interface ScmHosts {
  byUrl(url: string): ScmIntegrationLike | undefined;
}

/**
 * The path of a repository's commit pages, per kind of host, below the
 * repository's base path (a context path, an Azure DevOps organization or
 * collection); the commit's SHA follows.
 */
const COMMIT_PAGES: Record<
  ScmHostType,
  (repository: RepositoryCoordinates) => string[]
> = {
  github: r => [r.owner, r.repository, 'commit'],
  gitea: r => [r.owner, r.repository, 'commit'],
  bitbucketCloud: r => [r.owner, r.repository, 'commits'],
  // The namespace nests: `data/etl`.
  gitlab: r => [...r.owner.split('/'), r.repository, '-', 'commit'],
  // The REST API's project `~jd` is the personal repository of user jd.
  bitbucketServer: r => [
    ...(r.owner.startsWith('~')
      ? ['users', r.owner.slice(1)]
      : ['projects', r.owner]),
    'repos',
    r.repository,
    'commits',
  ],
  azure: r => [r.owner, '_git', r.repository, 'commit'],
};

/** A host name that says what it runs: `github.acme.corp`, `git.gitlab.example`. */
const NAMED_HOST = /(?:^|\.)(github|gitlab|gitea)\b/;

/**
 * The kind of host, without the app's SCM integrations: only the public
 * hosts and host names that say what they run.
 */
function guessHostType(hostname: string): string | undefined {
  if (hostname === 'bitbucket.org') return 'bitbucketCloud';
  if (hostname === 'dev.azure.com' || hostname.endsWith('.visualstudio.com')) {
    return 'azure';
  }
  return NAMED_HOST.exec(hostname)?.[1];
}

/**
 * The web page of a commit in the entity's source repository, as
 * `entitySourceUrl` finds it (the backend asks for branches there too): on
 * any host the app has an SCM
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
  const location = entity && entitySourceUrl(entity);
  if (!location) return undefined;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const integration = hosts?.byUrl(url.href);
  const type = integration?.type ?? guessHostType(url.hostname);
  if (!isScmHostType(type)) return undefined;
  // A GitLab or Gitea served under a sub-path has its pages below it.
  const basePath = integration ? integrationBasePath(integration) : '';
  const read = readRepositoryUrl(url, type, basePath);
  if ('problem' in read) return undefined;
  const { coordinates } = read;
  const path = [
    ...coordinates.base,
    ...COMMIT_PAGES[type](coordinates),
    commit,
  ];
  // Each name was decoded from the URL: encoded back, one segment each.
  return [`${url.origin}${basePath}`, ...path.map(encodeURIComponent)].join(
    '/',
  );
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

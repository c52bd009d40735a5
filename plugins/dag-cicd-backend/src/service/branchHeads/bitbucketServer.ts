import { getBitbucketServerRequestOptions } from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import {
  apiPath,
  pathSegments,
  repositorySegment,
  stripGit,
  unusableSource,
} from './repositoryPath';

/**
 * Project key and repository slug from a Bitbucket Server / Data Center URL,
 * wherever the instance's context path puts them:
 * `…/projects/{key}/repos/{slug}/browse/…`, a personal repository
 * `…/users/{user}/repos/{slug}/…` (project `~{user}`, as the REST API names
 * it), or a clone URL `…/scm/{key}/{slug}.git`.
 */
export function bitbucketServerRepository(url: URL): {
  project: string;
  repo: string;
} {
  const segments = pathSegments(url);
  for (let i = 0; i < segments.length; i++) {
    const [kind, owner, repos, slug] = segments.slice(i, i + 4);
    if ((kind === 'projects' || kind === 'users') && repos === 'repos') {
      return {
        project: repositorySegment(
          url,
          'project key',
          kind === 'users' ? `~${owner}` : owner,
        ),
        repo: repositorySegment(url, 'repository slug', slug),
      };
    }
    if (kind === 'scm' && owner && repos) {
      return {
        project: repositorySegment(url, 'project key', owner),
        repo: repositorySegment(url, 'repository slug', stripGit(repos)),
      };
    }
  }
  throw unusableSource(
    url,
    'expected …/projects/{key}/repos/{slug}/…, …/users/{user}/repos/{slug}/… or …/scm/{key}/{slug}.git',
  );
}

interface BitbucketServerBranches {
  values?: Array<{ id?: unknown; displayId?: unknown; latestCommit?: unknown }>;
}

/**
 * Bitbucket Server / Data Center: `GET /projects/{key}/repos/{slug}/branches`
 * filtered by the name. The filter matches substrings, so only an exact
 * `displayId` counts; `boostMatches` puts that one on the first page.
 */
export const bitbucketServerBranchHeads: BranchHeadHost = {
  integrationKey: 'bitbucketServer',
  hosts: integrations =>
    integrations.bitbucketServer.list().map(i => i.config.host),
  lookup(url, ref, scm) {
    const integration = scm.integrations.bitbucketServer.byUrl(url.href);
    if (!integration) return undefined;
    const { config } = integration;
    const { project, repo } = bitbucketServerRepository(url);
    const query = new URLSearchParams({
      filterText: ref,
      boostMatches: 'true',
    });
    return {
      repository: `${project}/${repo}`,
      request: async () => ({
        url: `${
          config.apiBaseUrl
        }${apiPath`/projects/${project}/repos/${repo}/branches`}?${query}`,
        headers: getBitbucketServerRequestOptions(config).headers,
      }),
      head: answer => {
        const { values } = (answer ?? {}) as BitbucketServerBranches;
        // Not a page of branches: no SHA to be found in it.
        if (!Array.isArray(values)) return { commit: undefined };
        const branch = values.find(
          b => b.displayId === ref || b.id === `refs/heads/${ref}`,
        );
        return branch && { commit: branch.latestCommit };
      },
    };
  },
};

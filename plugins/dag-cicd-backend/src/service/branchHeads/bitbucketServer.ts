import {
  BitbucketServerIntegration,
  getBitbucketServerRequestOptions,
} from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import { apiPath } from './repositoryPath';

interface BitbucketServerBranches {
  values?: Array<{ id?: unknown; displayId?: unknown; latestCommit?: unknown }>;
}

/**
 * Bitbucket Server / Data Center: `GET /projects/{key}/repos/{slug}/branches`
 * filtered by the name. The filter matches substrings, so only an exact
 * `displayId` counts; `boostMatches` puts that one on the first page.
 */
export const bitbucketServerBranchHeads: BranchHeadHost<BitbucketServerIntegration> =
  {
    lookup({ ref, repository: { owner, repository }, integration }) {
      const { config } = integration;
      const query = new URLSearchParams({
        filterText: ref,
        boostMatches: 'true',
      });
      return {
        request: async () => ({
          url: `${
            config.apiBaseUrl
          }${apiPath`/projects/${owner}/repos/${repository}/branches`}?${query}`,
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

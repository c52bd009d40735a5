import {
  BitbucketCloudIntegration,
  getBitbucketCloudRequestOptions,
} from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import { apiPath } from './repositoryPath';

/**
 * Bitbucket Cloud: `GET /repositories/{workspace}/{repo}/refs/branches/{name}`
 * answers the branch with its head commit as `target.hash`.
 */
export const bitbucketCloudBranchHeads: BranchHeadHost<BitbucketCloudIntegration> =
  {
    lookup({ ref, repository: { owner, repository }, integration }) {
      const { config } = integration;
      return {
        request: async () => ({
          url: `${
            config.apiBaseUrl
          }${apiPath`/repositories/${owner}/${repository}/refs/branches/${ref}`}`,
          // An OAuth client's token is fetched (and cached) here.
          headers: (await getBitbucketCloudRequestOptions(config)).headers,
        }),
        head: answer => ({
          commit: (answer as { target?: { hash?: unknown } } | null)?.target
            ?.hash,
        }),
      };
    },
  };

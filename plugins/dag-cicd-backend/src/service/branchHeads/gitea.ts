import {
  getGiteaRequestOptions,
  GiteaIntegration,
} from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import { apiPath } from './repositoryPath';

/**
 * Gitea: `GET /api/v1/repos/{owner}/{repo}/branches/{name}`
 * answers the branch with its head as `commit.id`.
 */
export const giteaBranchHeads: BranchHeadHost<GiteaIntegration> = {
  lookup({ ref, repository: { owner, repository }, integration }) {
    const { config } = integration;
    return {
      request: async () => ({
        url: `${
          config.baseUrl
        }${apiPath`/api/v1/repos/${owner}/${repository}/branches/${ref}`}`,
        // No `headers` at all when the integration has no password.
        headers: getGiteaRequestOptions(config).headers ?? {},
      }),
      head: answer => ({
        commit: (answer as { commit?: { id?: unknown } } | null)?.commit?.id,
      }),
    };
  },
};

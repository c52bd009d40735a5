import {
  getGitLabRequestOptions,
  GitLabIntegration,
} from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import { apiPath } from './repositoryPath';

/**
 * GitLab: `GET /projects/{path}/repository/branches/{name}`, the project
 * addressed by its URL-encoded full path.
 */
export const gitlabBranchHeads: BranchHeadHost<GitLabIntegration> = {
  lookup({ ref, repository: { owner, repository }, integration }) {
    const { config } = integration;
    const project = `${owner}/${repository}`;
    return {
      request: async () => ({
        url: `${
          config.apiBaseUrl
        }${apiPath`/projects/${project}/repository/branches/${ref}`}`,
        headers: getGitLabRequestOptions(config).headers as Record<
          string,
          string
        >,
      }),
      head: answer => ({
        commit: (answer as { commit?: { id?: unknown } } | null)?.commit?.id,
      }),
    };
  },
};

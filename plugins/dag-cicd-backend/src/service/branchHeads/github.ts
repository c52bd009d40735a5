import { GithubIntegration } from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import { apiPath, unsupportedRepository } from './repositoryPath';

interface GithubBranch {
  name?: unknown;
  commit?: { sha?: unknown };
}

/**
 * GitHub and GitHub Enterprise: `GET /repos/{owner}/{repo}/branches/{branch}`
 * answers the branch with its head as `commit.sha`. Not `/commits/{ref}`,
 * which also takes a tag or a SHA for a ref: only a branch is a branch.
 */
export const githubBranchHeads: BranchHeadHost<GithubIntegration> = {
  lookup({ url, ref, repository: { owner, repository }, integration, scm }) {
    const { apiBaseUrl, host } = integration.config;
    // github.com has one by default; an Enterprise host must be given one.
    if (!apiBaseUrl) {
      throw unsupportedRepository(
        ref,
        `the GitHub integration for ${host} has no apiBaseUrl in app-config`,
      );
    }
    return {
      async request() {
        const { headers } = await scm.githubCredentials.getCredentials({
          url: url.href,
        });
        return {
          url: `${apiBaseUrl}${apiPath`/repos/${owner}/${repository}/branches/${ref}`}`,
          headers: { ...headers, Accept: 'application/vnd.github+json' },
        };
      },
      head: answer => {
        const branch = (answer ?? {}) as GithubBranch;
        // A renamed branch answers with a redirect to its new name: the
        // branch asked for is gone.
        if (typeof branch.name === 'string' && branch.name !== ref) {
          return undefined;
        }
        return { commit: branch.commit?.sha };
      },
    };
  },
};

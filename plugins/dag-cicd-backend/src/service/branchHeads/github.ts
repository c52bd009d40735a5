import { BranchHeadHost } from './BranchHeadHost';
import { apiPath, ownerAndRepository } from './repositoryPath';

/** `acme/orders` from `https://github.com/acme/orders/tree/main/dags`. */
export function githubRepository(url: URL): { owner: string; repo: string } {
  return ownerAndRepository(url, 'owner');
}

/**
 * GitHub and GitHub Enterprise: `GET /repos/{owner}/{repo}/commits/{ref}`
 * with the sha media type answers the bare SHA.
 */
export const githubBranchHeads: BranchHeadHost = {
  integrationKey: 'github',
  hosts: integrations => integrations.github.list().map(i => i.config.host),
  lookup(url, ref, scm) {
    const integration = scm.integrations.github.byUrl(url.href);
    if (!integration) return undefined;
    const { owner, repo } = githubRepository(url);
    return {
      repository: `${owner}/${repo}`,
      async request() {
        const { headers } = await scm.githubCredentials.getCredentials({
          url: url.href,
        });
        return {
          url: `${
            integration.config.apiBaseUrl
          }${apiPath`/repos/${owner}/${repo}/commits/${ref}`}`,
          headers: { ...headers, Accept: 'application/vnd.github.sha' },
        };
      },
      // GitHub answers 422 "No commit found for SHA" for an unknown ref.
      notFoundStatuses: [404, 422],
      answer: 'text',
      head: sha => ({ commit: sha }),
    };
  },
};

import { getGiteaRequestOptions } from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import { apiPath, ownerAndRepository } from './repositoryPath';

/**
 * `acme/orders` from `{baseUrl}/acme/orders/src/branch/main/dags`, below the
 * instance's base path when it is served under one.
 */
export function giteaRepository(
  url: URL,
  basePath = '',
): { owner: string; repo: string } {
  return ownerAndRepository(url, 'owner', basePath);
}

/**
 * Gitea: `GET /api/v1/repos/{owner}/{repo}/branches/{name}`
 * answers the branch with its head as `commit.id`.
 */
export const giteaBranchHeads: BranchHeadHost = {
  integrationKey: 'gitea',
  hosts: integrations => integrations.gitea.list().map(i => i.config.host),
  lookup(url, ref, scm) {
    const integration = scm.integrations.gitea.byUrl(url.href);
    if (!integration) return undefined;
    const { config } = integration;
    // Defaulted to https://{host} and trimmed by the integration's config.
    const baseUrl = config.baseUrl!;
    const { owner, repo } = giteaRepository(url, new URL(baseUrl).pathname);
    return {
      repository: `${owner}/${repo}`,
      request: async () => ({
        url: `${baseUrl}${apiPath`/api/v1/repos/${owner}/${repo}/branches/${ref}`}`,
        // No `headers` at all when the integration has no password.
        headers: getGiteaRequestOptions(config).headers ?? {},
      }),
      head: answer => ({
        commit: (answer as { commit?: { id?: unknown } } | null)?.commit?.id,
      }),
    };
  },
};

import { getBitbucketCloudRequestOptions } from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import { apiPath, ownerAndRepository } from './repositoryPath';

/** `acme/orders` from `https://bitbucket.org/acme/orders/src/main/dags`. */
export function bitbucketCloudRepository(url: URL): {
  workspace: string;
  repo: string;
} {
  const { owner, repo } = ownerAndRepository(url, 'workspace');
  return { workspace: owner, repo };
}

/**
 * Bitbucket Cloud: `GET /repositories/{workspace}/{repo}/refs/branches/{name}`
 * answers the branch with its head commit as `target.hash`.
 */
export const bitbucketCloudBranchHeads: BranchHeadHost = {
  integrationKey: 'bitbucketCloud',
  hosts: integrations =>
    integrations.bitbucketCloud.list().map(i => i.config.host),
  lookup(url, ref, scm) {
    const integration = scm.integrations.bitbucketCloud.byUrl(url.href);
    if (!integration) return undefined;
    const { config } = integration;
    const { workspace, repo } = bitbucketCloudRepository(url);
    return {
      repository: `${workspace}/${repo}`,
      request: async () => ({
        url: `${
          config.apiBaseUrl
        }${apiPath`/repositories/${workspace}/${repo}/refs/branches/${ref}`}`,
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

import { AzureIntegration } from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import { apiPath } from './repositoryPath';

interface AzureRefs {
  value?: Array<{ name?: unknown; objectId?: unknown }>;
}

/**
 * Azure DevOps: `GET …/_apis/git/repositories/{repo}/refs?filter=heads/{name}`.
 * The filter is a prefix, so only the ref named exactly `refs/heads/{name}`
 * counts.
 */
export const azureDevOpsBranchHeads: BranchHeadHost<AzureIntegration> = {
  lookup({ url, ref, repository: { base, owner, repository }, scm }) {
    const query = new URLSearchParams({
      filter: `heads/${ref}`,
      'api-version': '7.1',
    });
    return {
      async request() {
        // undefined for a server with no credentials: anonymous access
        const credentials = await scm.azureCredentials.getCredentials({
          url: url.href,
        });
        // The organization or collection (Azure DevOps Server) has as many
        // segments as it needs; the project is the owner.
        const scope = [...base, owner].map(encodeURIComponent).join('/');
        return {
          url: `${
            url.origin
          }/${scope}${apiPath`/_apis/git/repositories/${repository}/refs`}?${query}`,
          headers: credentials?.headers ?? {},
        };
      },
      head: answer => {
        const { value } = (answer ?? {}) as AzureRefs;
        // Not a list of refs: no SHA to be found in it.
        if (!Array.isArray(value)) return { commit: undefined };
        const branch = value.find(r => r.name === `refs/heads/${ref}`);
        return branch && { commit: branch.objectId };
      },
    };
  },
};

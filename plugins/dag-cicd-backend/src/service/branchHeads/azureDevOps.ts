import { BranchHeadHost } from './BranchHeadHost';
import {
  apiPath,
  pathSegments,
  repositorySegment,
  unusableSource,
} from './repositoryPath';

/**
 * The organization or collection path, project and repository of an Azure
 * DevOps URL `…/{project}/_git/{repo}`. On Azure DevOps Services the URL may
 * leave out a project that has the repository's name
 * (`dev.azure.com/{org}/_git/{repo}`); the API needs it, so it is put back.
 */
export function azureRepository(url: URL): {
  collection: string[];
  project: string;
  repo: string;
} {
  // Azure DevOps Services has the organization as the first segment on
  // dev.azure.com and as the host on {org}.visualstudio.com; a server has a
  // collection path (`tfs/DefaultCollection`) of its own.
  let organizationSegments: number | undefined;
  let expected = '…/{collection}/{project}/_git/{repository}';
  if (url.hostname === 'dev.azure.com') {
    organizationSegments = 1;
    expected = 'dev.azure.com/{organization}/{project}/_git/{repository}';
  } else if (url.hostname.endsWith('.visualstudio.com')) {
    organizationSegments = 0;
    expected = `${url.hostname}/{project}/_git/{repository}`;
  }

  const segments = pathSegments(url);
  const git = segments.indexOf('_git');
  const before = git === -1 ? [] : segments.slice(0, git);
  const projectLeftOut = before.length === organizationSegments;
  const fits =
    git !== -1 &&
    (organizationSegments === undefined
      ? before.length >= 2
      : projectLeftOut || before.length === organizationSegments + 1);
  if (!fits) throw unusableSource(url, `expected ${expected}`);

  const repo = repositorySegment(url, 'repository name', segments[git + 1]);
  const path = before.map(s =>
    repositorySegment(url, 'organization or project', s),
  );
  return projectLeftOut
    ? { collection: path, project: repo, repo }
    : {
        collection: path.slice(0, -1),
        project: path[path.length - 1],
        repo,
      };
}

interface AzureRefs {
  value?: Array<{ name?: unknown; objectId?: unknown }>;
}

/**
 * Azure DevOps: `GET …/_apis/git/repositories/{repo}/refs?filter=heads/{name}`.
 * The filter is a prefix, so only the ref named exactly `refs/heads/{name}`
 * counts.
 */
export const azureDevOpsBranchHeads: BranchHeadHost = {
  integrationKey: 'azure',
  hosts: integrations => integrations.azure.list().map(i => i.config.host),
  lookup(url, ref, scm) {
    if (!scm.integrations.azure.byUrl(url.href)) return undefined;
    const { collection, project, repo } = azureRepository(url);
    const query = new URLSearchParams({
      filter: `heads/${ref}`,
      'api-version': '7.1',
    });
    return {
      repository: `${project}/${repo}`,
      async request() {
        // undefined for a server with no credentials: anonymous access
        const credentials = await scm.azureCredentials.getCredentials({
          url: url.href,
        });
        // The collection (Azure DevOps Server) has as many segments as it needs.
        const scope = [...collection, project]
          .map(encodeURIComponent)
          .join('/');
        return {
          url: `${
            url.origin
          }/${scope}${apiPath`/_apis/git/repositories/${repo}/refs`}?${query}`,
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

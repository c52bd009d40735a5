import {
  getGitLabIntegrationRelativePath,
  getGitLabRequestOptions,
} from '@backstage/integration';
import { BranchHeadHost } from './BranchHeadHost';
import {
  apiPath,
  pathSegments,
  repositorySegment,
  stripGit,
  unusableSource,
} from './repositoryPath';

/**
 * `group/sub/project` from a GitLab URL: what precedes `/-/` (or, in older
 * URLs, `/blob/` or `/tree/`) below the instance's own path, without `.git`.
 */
export function gitlabProject(url: URL, instancePath = ''): string {
  const segments = pathSegments(url, instancePath);
  let end = segments.indexOf('-');
  if (end === -1) end = segments.length;
  // A project has a namespace, so `blob` in second place is a project name.
  const legacy = segments.findIndex(
    (s, i) => i >= 2 && i < end && (s === 'blob' || s === 'tree'),
  );
  if (legacy !== -1) end = legacy;
  const path = segments.slice(0, end);
  if (path.length < 2) {
    throw unusableSource(url, 'expected …/{namespace}/{project}/-/…');
  }
  path[path.length - 1] = stripGit(path[path.length - 1])!;
  return path.map(s => repositorySegment(url, 'project path', s)).join('/');
}

/**
 * GitLab: `GET /projects/{path}/repository/branches/{name}`, the project
 * addressed by its URL-encoded full path.
 */
export const gitlabBranchHeads: BranchHeadHost = {
  integrationKey: 'gitlab',
  hosts: integrations => integrations.gitlab.list().map(i => i.config.host),
  lookup(url, ref, scm) {
    const integration = scm.integrations.gitlab.byUrl(url.href);
    if (!integration) return undefined;
    const { config } = integration;
    const project = gitlabProject(
      url,
      getGitLabIntegrationRelativePath(config),
    );
    return {
      repository: project,
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

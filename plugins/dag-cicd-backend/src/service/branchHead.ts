import { CustomErrorBase, InputError, NotFoundError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  getGitLabIntegrationRelativePath,
  getGitLabRequestOptions,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { dagCicdEnvironmentReadPermission } from '@dag-cicd/plugin-dag-cicd-common';
import { Caller } from './EnvironmentService';
import { EntityAccess } from './entityAccess';
import { entitySourceUrl } from './entityRepository';

/** A branch and the full SHA it points at. */
export interface BranchHead {
  ref: string;
  commit: string;
}

/**
 * The SCM host could not answer: unreachable, slow, a 5xx, or the
 * integration's credentials refused. A 502, not a 401: it is the plugin's
 * credentials that failed, not the caller's session.
 */
export class ScmUnavailableError extends CustomErrorBase {
  name = 'ScmUnavailableError' as const;
  readonly statusCode = 502;
}

const MAX_REF_LENGTH = 255;
const FULL_SHA = /^[0-9a-f]{40}$/;
// Control characters, space and what git forbids anywhere in a ref name
// (git check-ref-format): ~ ^ : ? * [ \
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\x00-\x20\x7f~^:?*[\\]/;

/**
 * Why a branch name is not one git would accept, or undefined when it is.
 * The rules of `git check-ref-format --branch`, so that nothing the host
 * would misread (a range `a..b`, an option `-x`, a path trick) reaches it.
 */
export function branchNameProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'it is empty';
  if (ref.length > MAX_REF_LENGTH) {
    return `it is longer than ${MAX_REF_LENGTH} characters`;
  }
  if (FORBIDDEN.test(ref)) {
    return 'it contains a space, a control character or one of ~ ^ : ? * [ \\';
  }
  if (ref.startsWith('-')) return 'it starts with "-"';
  if (ref.includes('..')) return 'it contains ".."';
  if (ref.includes('@{') || ref === '@') return 'it contains "@{" or is "@"';
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) {
    return 'it has an empty path component';
  }
  if (ref.split('/').some(part => part.startsWith('.'))) {
    return 'a component starts with "."';
  }
  if (ref.endsWith('.') || ref.endsWith('.lock')) {
    return 'it ends with "." or ".lock"';
  }
  return undefined;
}

/**
 * Asks the SCM host of a repository which commit a branch points at now,
 * through the Backstage integration configured for that host (its API URL
 * and credentials). GitHub and GitLab are supported.
 *
 * @param repositoryUrl - any URL inside the repository, e.g. an entity's
 * source location
 * @throws InputError (invalid branch name, no supported integration for the
 * URL), NotFoundError (no such branch), ScmUnavailableError (the host could
 * not answer)
 */
export async function resolveBranchHead(
  repositoryUrl: string | undefined,
  ref: string,
  scm: {
    integrations: ScmIntegrationRegistry;
    githubCredentials?: GithubCredentialsProvider;
  },
): Promise<BranchHead> {
  const problem = branchNameProblem(ref);
  if (problem) {
    throw new InputError(
      `ref ${JSON.stringify(ref)} is not a valid branch name: ${problem}`,
    );
  }
  const unsupported = (why: string) =>
    new InputError(
      `A branch cannot be resolved for this DAG's repository (${why}); give the commit SHA instead (git rev-parse ${ref})`,
    );
  if (!repositoryUrl) {
    throw unsupported('its catalog entity has no source location URL');
  }
  const url = new URL(repositoryUrl);

  const github = scm.integrations.github.byUrl(repositoryUrl);
  if (github) {
    const [owner, repo] = url.pathname.split('/').filter(Boolean);
    if (!owner || !repo)
      throw unsupported(`${repositoryUrl} names no repository`);
    const { headers } = await (
      scm.githubCredentials ??
      DefaultGithubCredentialsProvider.fromIntegrations(scm.integrations)
    )
      .getCredentials({ url: repositoryUrl })
      .catch(error => {
        // e.g. a GitHub App with no installation for this owner
        throw new ScmUnavailableError(
          `No credentials for ${url.host}/${owner}: ${error.message}`,
          error,
        );
      });
    const response = await call(
      `${github.config.apiBaseUrl}/repos/${owner}/${stripGit(
        repo,
      )}/commits/${encodeURIComponent(ref)}`,
      { ...headers, Accept: 'application/vnd.github.sha' },
      url.host,
    );
    // GitHub answers 422 "No commit found for SHA" for an unknown ref.
    if (response.status === 404 || response.status === 422) {
      throw notFound(ref, `${owner}/${stripGit(repo)}`, url.host);
    }
    await expectOk(response, url.host);
    return { ref, commit: sha(await response.text(), url.host) };
  }

  const gitlab = scm.integrations.gitlab.byUrl(repositoryUrl);
  if (gitlab) {
    const project = gitlabProjectPath(
      url.pathname.slice(
        getGitLabIntegrationRelativePath(gitlab.config).length,
      ),
    );
    if (!project) throw unsupported(`${repositoryUrl} names no project`);
    const response = await call(
      `${gitlab.config.apiBaseUrl}/projects/${encodeURIComponent(
        project,
      )}/repository/branches/${encodeURIComponent(ref)}`,
      getGitLabRequestOptions(gitlab.config).headers as Record<string, string>,
      url.host,
    );
    if (response.status === 404) throw notFound(ref, project, url.host);
    await expectOk(response, url.host);
    const body = (await response.json()) as { commit?: { id?: string } };
    return { ref, commit: sha(body.commit?.id ?? '', url.host) };
  }

  throw unsupported(
    `no GitHub or GitLab integration is configured for ${url.host}`,
  );
}

/**
 * Branch heads of DAG entities, for a caller allowed to read the entity's
 * environments: knowing a branch's head tells no more than the environments
 * built from it.
 */
export class BranchHeadService {
  constructor(
    private readonly options: {
      access: EntityAccess;
      integrations: ScmIntegrationRegistry;
      githubCredentials?: GithubCredentialsProvider;
    },
  ) {}

  async resolve(
    entityRef: string,
    ref: string,
    caller: Caller,
  ): Promise<BranchHead> {
    const { entity } = await this.options.access.require({
      entityRef,
      permission: dagCicdEnvironmentReadPermission,
      credentials: caller.credentials,
    });
    return resolveBranchHead(entitySourceUrl(entity), ref, this.options);
  }
}

// `group/sub/project` from a GitLab URL path: what precedes `/-/` (or, in
// older URLs, `/blob/` or `/tree/`), without `.git`.
function gitlabProjectPath(pathname: string): string | undefined {
  const path = pathname
    .split('/-/')[0]
    .replace(/\/(blob|tree)\/.*$/, '')
    .replace(/^\/+|\/+$/g, '');
  return path ? stripGit(path) : undefined;
}

function stripGit(name: string): string {
  return name.replace(/\.git$/, '');
}

function notFound(ref: string, repository: string, host: string) {
  return new NotFoundError(
    `No branch ${JSON.stringify(ref)} in ${repository} on ${host}`,
  );
}

async function call(
  url: string,
  headers: Record<string, string>,
  host: string,
): Promise<Response> {
  try {
    // A create dialog waits on this: a host that hangs is a host that failed.
    return await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new ScmUnavailableError(
      `${host} could not be reached to resolve the branch`,
      error,
    );
  }
}

async function expectOk(response: Response, host: string): Promise<void> {
  if (response.ok) return;
  const detail = (await response.text().catch(() => '')).slice(0, 200);
  throw new ScmUnavailableError(
    `${host} answered ${response.status} when asked for the branch${
      response.status === 401 || response.status === 403
        ? ', refusing the integration credentials (integrations in app-config)'
        : ''
    }${detail ? `: ${detail}` : ''}`,
  );
}

function sha(value: string, host: string): string {
  const commit = value.trim().toLowerCase();
  if (!FULL_SHA.test(commit)) {
    throw new ScmUnavailableError(
      `${host} answered with ${JSON.stringify(
        value.slice(0, 80),
      )}, not a commit SHA`,
    );
  }
  return commit;
}

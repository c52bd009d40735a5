import { InputError } from '@backstage/errors';
import { dagCicdEnvironmentReadPermission } from '@dag-cicd/plugin-dag-cicd-common';
import { Caller } from './EnvironmentService';
import { EntityAccess } from './entityAccess';
import { entitySourceUrl } from './entityRepository';
import { azureDevOpsBranchHeads } from './branchHeads/azureDevOps';
import { bitbucketCloudBranchHeads } from './branchHeads/bitbucketCloud';
import { bitbucketServerBranchHeads } from './branchHeads/bitbucketServer';
import {
  BranchHeadHost,
  ScmAccess,
  scmAccess,
} from './branchHeads/BranchHeadHost';
import { fetchBranchHead } from './branchHeads/fetchBranchHead';
import { githubBranchHeads } from './branchHeads/github';
import { gitlabBranchHeads } from './branchHeads/gitlab';
import { giteaBranchHeads } from './branchHeads/gitea';

export { ScmUnavailableError } from './branchHeads/fetchBranchHead';
export type { ScmAccess } from './branchHeads/BranchHeadHost';

/** A branch and the full SHA it points at. */
export interface BranchHead {
  ref: string;
  commit: string;
}

const MAX_REF_LENGTH = 255;
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

// In the order a host is looked up: the first kind with an integration
// configured for the URL's host answers.
const HOSTS: BranchHeadHost[] = [
  githubBranchHeads,
  gitlabBranchHeads,
  bitbucketCloudBranchHeads,
  bitbucketServerBranchHeads,
  azureDevOpsBranchHeads,
  giteaBranchHeads,
];

/**
 * Asks the SCM host of a repository which commit a branch points at now,
 * through the Backstage integration configured for that host (its API URL
 * and credentials). GitHub, GitLab, Bitbucket Cloud, Bitbucket Server, Azure
 * DevOps and Gitea are supported.
 *
 * @param repositoryUrl - any URL inside the repository, e.g. an entity's
 * source location
 * @throws InputError (invalid branch name, a URL that names no repository,
 * no supported integration for the URL), NotFoundError (no such branch),
 * ScmUnavailableError (the host could not answer)
 */
export async function resolveBranchHead(
  repositoryUrl: string | undefined,
  ref: string,
  scm: ScmAccess,
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
  let url: URL;
  try {
    url = new URL(repositoryUrl);
  } catch {
    throw unsupported(`its source location ${repositoryUrl} is not a URL`);
  }

  for (const host of HOSTS) {
    const lookup = host.lookup(url, ref, scm);
    if (lookup) {
      return { ref, commit: await fetchBranchHead(lookup, ref, url.host) };
    }
  }
  const configured = HOSTS.flatMap(host => {
    const names = host.hosts(scm.integrations);
    return names.length ? [`${host.integrationKey}: ${names.join(', ')}`] : [];
  });
  throw unsupported(
    `no integration in app-config covers ${
      url.host
    }; integrations configured are ${configured.join('; ') || 'none'}`,
  );
}

/**
 * Branch heads of DAG entities, for a caller allowed to read the entity's
 * environments: knowing a branch's head tells no more than the environments
 * built from it.
 */
export class BranchHeadService {
  private readonly access: EntityAccess;
  private readonly scm: ScmAccess;

  constructor(
    options: Pick<ScmAccess, 'integrations'> &
      Partial<ScmAccess> & { access: EntityAccess },
  ) {
    const { access, integrations, ...providers } = options;
    this.access = access;
    this.scm = scmAccess(integrations, providers);
  }

  async resolve(
    entityRef: string,
    ref: string,
    caller: Caller,
  ): Promise<BranchHead> {
    const { entity } = await this.access.require({
      entityRef,
      permission: dagCicdEnvironmentReadPermission,
      credentials: caller.credentials,
    });
    return resolveBranchHead(entitySourceUrl(entity), ref, this.scm);
  }
}

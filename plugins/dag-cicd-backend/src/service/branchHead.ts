import { InputError } from '@backstage/errors';
import {
  dagCicdEnvironmentReadPermission,
  entitySourceUrl,
  invalidBranchNameMessage,
} from '@dag-cicd/plugin-dag-cicd-common';
import { Caller } from './EnvironmentService';
import { EntityAccess } from './entityAccess';
import { ScmAccess, scmAccess } from './branchHeads/BranchHeadHost';
import { branchLookup } from './branchHeads/branchLookup';
import { fetchBranchHead } from './branchHeads/fetchBranchHead';
import { unsupportedRepository } from './branchHeads/repositoryPath';

export { ScmUnavailableError } from './branchHeads/fetchBranchHead';
export type { ScmAccess } from './branchHeads/BranchHeadHost';

/** A branch and the full SHA it points at. */
export interface BranchHead {
  ref: string;
  commit: string;
}

/**
 * Asks the SCM host of a repository which commit a branch points at now,
 * through the Backstage SCM integration that owns the repository's URL (its
 * type, API URL and credentials). Integrations of type GitHub, GitLab,
 * Bitbucket Cloud, Bitbucket Server, Azure DevOps and Gitea are supported.
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
  const invalid = invalidBranchNameMessage(ref);
  if (invalid) throw new InputError(`ref ${invalid}`);
  if (!repositoryUrl) {
    throw unsupportedRepository(
      ref,
      'its catalog entity has no source location URL',
    );
  }
  let url: URL;
  try {
    url = new URL(repositoryUrl);
  } catch {
    throw unsupportedRepository(
      ref,
      `its source location ${repositoryUrl} is not a URL`,
    );
  }
  const lookup = branchLookup(url, ref, scm);
  return { ref, commit: await fetchBranchHead(lookup, ref, url.host) };
}

/**
 * Branch heads of DAG entities, for a caller allowed to read the entity's
 * environments: knowing a branch's head tells no more than the environments
 * built from it.
 */
export class BranchHeadService {
  private readonly access: EntityAccess;
  private readonly scm: ScmAccess;

  constructor(options: {
    access: EntityAccess;
    integrations: ScmAccess['integrations'];
  }) {
    this.access = options.access;
    // Built once: the credential providers cache tokens between requests.
    this.scm = scmAccess(options.integrations);
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

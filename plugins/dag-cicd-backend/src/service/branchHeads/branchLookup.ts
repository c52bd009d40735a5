import {
  ScmIntegration,
  ScmIntegrationRegistry,
  ScmIntegrationsGroup,
} from '@backstage/integration';
import {
  isScmHostType,
  integrationBasePath,
  readRepositoryUrl,
  SCM_HOST_TYPES,
  ScmHostType,
} from '@dag-cicd/plugin-dag-cicd-common';
import { azureDevOpsBranchHeads } from './azureDevOps';
import { bitbucketCloudBranchHeads } from './bitbucketCloud';
import { bitbucketServerBranchHeads } from './bitbucketServer';
import { BranchHeadHost, BranchLookup, ScmAccess } from './BranchHeadHost';
import { giteaBranchHeads } from './gitea';
import { githubBranchHeads } from './github';
import { gitlabBranchHeads } from './gitlab';
import { unsupportedRepository, unusableSource } from './repositoryPath';

/** The integration class of a type, as its group in the registry holds it. */
type IntegrationOf<T extends ScmHostType> =
  ScmIntegrationRegistry[T] extends ScmIntegrationsGroup<infer I> ? I : never;

/** How to ask each type of integration for a branch; one for every type. */
const HOSTS: { [T in ScmHostType]: BranchHeadHost<IntegrationOf<T>> } = {
  github: githubBranchHeads,
  gitlab: gitlabBranchHeads,
  bitbucketCloud: bitbucketCloudBranchHeads,
  bitbucketServer: bitbucketServerBranchHeads,
  azure: azureDevOpsBranchHeads,
  gitea: giteaBranchHeads,
};

/**
 * How to ask for branch `ref` of the repository `url` is inside: on the
 * host of the SCM integration that owns the URL, which is how a GitHub
 * Enterprise at `git.acme.corp` is told from a GitLab.
 *
 * @param ref - a valid branch name
 * @throws InputError when no integration owns the URL, its type has no
 * branches to ask for, or the URL names no repository
 */
export function branchLookup(
  url: URL,
  ref: string,
  scm: ScmAccess,
): BranchLookup {
  const integration = scm.integrations.byUrl(url.href);
  if (!integration) {
    throw unsupportedRepository(
      ref,
      `no integration in app-config covers ${
        url.host
      }; integrations configured are ${configured(scm.integrations) || 'none'}`,
    );
  }
  if (!isScmHostType(integration.type)) {
    throw unsupportedRepository(
      ref,
      `the integration for ${url.host} is of type ${
        integration.type
      }, which has no branches to ask for; branches are resolved on ${SCM_HOST_TYPES.join(
        ', ',
      )}`,
    );
  }
  return lookupOn(integration.type, integration, url, ref, scm);
}

function lookupOn<T extends ScmHostType>(
  type: T,
  owning: ScmIntegration,
  url: URL,
  ref: string,
  scm: ScmAccess,
): BranchLookup {
  const host: BranchHeadHost<IntegrationOf<T>> = HOSTS[type];
  // The registry answered the integration of its group for this type: an
  // instance of that type's class.
  const integration = owning as IntegrationOf<T>;
  const read = readRepositoryUrl(url, type, integrationBasePath(integration));
  if ('problem' in read) throw unusableSource(url, read.problem);
  const { coordinates } = read;
  return {
    repository: `${coordinates.owner}/${coordinates.repository}`,
    ...host.lookup({ url, ref, repository: coordinates, integration, scm }),
  };
}

/** `github: github.com; gitlab: gitlab.example.com, gitlab.com; …` */
function configured(integrations: ScmIntegrationRegistry): string {
  return SCM_HOST_TYPES.flatMap(type => {
    const group: ScmIntegrationsGroup<ScmIntegration> = integrations[type];
    const hosts = group.list().map(i => i.title);
    return hosts.length ? [`${type}: ${hosts.join(', ')}`] : [];
  }).join('; ');
}

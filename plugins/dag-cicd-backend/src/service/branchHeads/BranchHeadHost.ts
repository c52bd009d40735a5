import {
  AzureDevOpsCredentialsProvider,
  DefaultAzureDevOpsCredentialsProvider,
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegration,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { RepositoryCoordinates } from '@dag-cicd/plugin-dag-cicd-common';

/** The integrations of the app, and credential providers that keep tokens. */
export interface ScmAccess {
  integrations: ScmIntegrationRegistry;
  githubCredentials: GithubCredentialsProvider;
  azureCredentials: AzureDevOpsCredentialsProvider;
}

/**
 * The access of the app's integrations, with the credential providers
 * built from them. Built once per app: the providers cache tokens (GitHub
 * App installations, Azure identities) between requests.
 */
export function scmAccess(integrations: ScmIntegrationRegistry): ScmAccess {
  return {
    integrations,
    githubCredentials:
      DefaultGithubCredentialsProvider.fromIntegrations(integrations),
    azureCredentials:
      DefaultAzureDevOpsCredentialsProvider.fromIntegrations(integrations),
  };
}

/** One HTTP request to an SCM host's API. */
export interface ScmRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * How to ask one host for one branch of one repository, as built by a
 * {@link BranchHeadHost}; `fetchBranchHead` sends it and classifies the
 * answer the same way for every host.
 */
export interface BranchLookup {
  /** The repository as the host names it (`acme/orders`), for messages */
  repository: string;
  /** Async because some credentials need a token exchange first */
  request(): Promise<ScmRequest>;
  /** Statuses that mean "no such branch"; 404 unless said otherwise */
  notFoundStatuses?: number[];
  /** How the body is read; JSON unless said otherwise */
  answer?: 'json' | 'text';
  /**
   * The branch's head as the answer names it, validated by the caller; or
   * undefined when the answer lists no branch of exactly that name (hosts
   * that only offer a filter, which also matches longer names).
   */
  head(answer: unknown): { commit: unknown } | undefined;
}

/** A branch of a repository, on the integration that owns its URL. */
export interface BranchTarget<I extends ScmIntegration> {
  /** The repository URL, inside the integration's host */
  url: URL;
  /** A valid branch name */
  ref: string;
  repository: RepositoryCoordinates;
  integration: I;
  scm: ScmAccess;
}

/**
 * One type of SCM integration that can tell a branch's head commit, given
 * the integration of that type that owns the repository's URL.
 */
export interface BranchHeadHost<I extends ScmIntegration> {
  /** How to ask for the branch; the repository is named by the caller. */
  lookup(target: BranchTarget<I>): Omit<BranchLookup, 'repository'>;
}

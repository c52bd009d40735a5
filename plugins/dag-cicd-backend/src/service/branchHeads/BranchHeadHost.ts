import {
  AzureDevOpsCredentialsProvider,
  DefaultAzureDevOpsCredentialsProvider,
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';

/** The integrations of the app, and credential providers that keep tokens. */
export interface ScmAccess {
  integrations: ScmIntegrationRegistry;
  githubCredentials: GithubCredentialsProvider;
  azureCredentials: AzureDevOpsCredentialsProvider;
}

/**
 * The access of the app's integrations, with the credential providers
 * built from them unless given. Built once per app: the providers cache
 * tokens (GitHub App installations, Azure identities) between requests.
 */
export function scmAccess(
  integrations: ScmIntegrationRegistry,
  providers: Partial<Omit<ScmAccess, 'integrations'>> = {},
): ScmAccess {
  return {
    integrations,
    githubCredentials:
      providers.githubCredentials ??
      DefaultGithubCredentialsProvider.fromIntegrations(integrations),
    azureCredentials:
      providers.azureCredentials ??
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

/** One kind of SCM integration that can tell a branch's head commit. */
export interface BranchHeadHost {
  /** The integration's name, as app-config's `integrations.<key>` */
  readonly integrationKey: string;
  /** The hosts for which an integration of this kind is configured */
  hosts(integrations: ScmIntegrationRegistry): string[];
  /**
   * How to ask for `ref` in the repository that `url` is inside, or
   * undefined when no integration of this kind is configured for its host.
   *
   * @throws InputError when the URL names no repository
   */
  lookup(url: URL, ref: string, scm: ScmAccess): BranchLookup | undefined;
}

import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { branchNameProblem } from '@dag-cicd/plugin-dag-cicd-common';
import fc from 'fast-check';
import { ScmAccess } from './BranchHeadHost';
import { branchLookup } from './branchLookup';

const scm: ScmAccess = {
  integrations: ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [{ host: 'github.com' }],
        gitlab: [
          {
            host: 'gitlab.example.com',
            apiBaseUrl: 'https://gitlab.example.com/api/v4',
          },
          {
            host: 'example.com',
            baseUrl: 'https://example.com/gitlab',
            apiBaseUrl: 'https://example.com/gitlab/api/v4',
          },
        ],
        bitbucketServer: [{ host: 'bb.example.com' }],
        azure: [{ host: 'dev.azure.com' }, { host: 'acme.visualstudio.com' }],
        gitea: [
          {
            host: 'gitea.example.com',
            baseUrl: 'https://gitea.example.com/git',
          },
        ],
      },
    }),
  ),
  githubCredentials: {
    getCredentials: async () => ({ headers: {}, type: 'token' }),
  },
  azureCredentials: { getCredentials: async () => undefined },
};

async function requestUrl(href: string, ref = 'main') {
  const lookup = branchLookup(new URL(href), ref, scm);
  return { repository: lookup.repository, url: (await lookup.request()).url };
}

describe('branchLookup', () => {
  it.each([
    [
      'https://github.com/acme/orders.git',
      'acme/orders',
      'https://api.github.com/repos/acme/orders/branches/main',
    ],
    [
      'https://gitlab.example.com/data/pipelines/orders/-/blob/main/x.yaml',
      'data/pipelines/orders',
      'https://gitlab.example.com/api/v4/projects/data%2Fpipelines%2Forders/repository/branches/main',
    ],
    // below the path the GitLab instance is served under
    [
      'https://example.com/gitlab/data/orders/-/tree/main',
      'data/orders',
      'https://example.com/gitlab/api/v4/projects/data%2Forders/repository/branches/main',
    ],
    [
      'https://bitbucket.org/acme/orders/src/main/dags/',
      'acme/orders',
      'https://api.bitbucket.org/2.0/repositories/acme/orders/refs/branches/main',
    ],
    // a Bitbucket Server clone URL
    [
      'https://bb.example.com/scm/DATA/orders.git',
      'DATA/orders',
      'https://bb.example.com/rest/api/1.0/projects/DATA/repos/orders/branches?filterText=main&boostMatches=true',
    ],
    [
      'https://bb.example.com/users/jd/repos/orders/browse',
      '~jd/orders',
      'https://bb.example.com/rest/api/1.0/projects/~jd/repos/orders/branches?filterText=main&boostMatches=true',
    ],
    [
      'https://dev.azure.com/acme/_git/orders',
      'orders/orders',
      'https://dev.azure.com/acme/orders/_apis/git/repositories/orders/refs?filter=heads%2Fmain&api-version=7.1',
    ],
    // Azure DevOps Services on its older host, the organization in its name
    [
      'https://acme.visualstudio.com/Data%20Platform/_git/orders',
      'Data Platform/orders',
      'https://acme.visualstudio.com/Data%20Platform/_apis/git/repositories/orders/refs?filter=heads%2Fmain&api-version=7.1',
    ],
    // below the base path of the Gitea instance
    [
      'https://gitea.example.com/git/acme/orders/src/branch/main/dags',
      'acme/orders',
      'https://gitea.example.com/git/api/v1/repos/acme/orders/branches/main',
    ],
  ])('asks for a branch of %s', async (href, repository, url) =>
    expect(await requestUrl(href)).toEqual({ repository, url }),
  );

  it.each([
    [
      'https://github.com/acme',
      /^A branch cannot be resolved for this DAG's repository: its source URL https:\/\/github.com\/acme does not name a repository \(it names no repository name\); fix the entity's backstage.io\/source-location annotation, or give the commit SHA instead$/,
    ],
    [
      'https://example.com/other/data/orders',
      /not below \/gitlab, where the integration for example.com is configured/,
    ],
    [
      'https://github.com/acme%2F..%2Fadmin/orders',
      /owner "acme\/..\/admin" contains a path separator/,
    ],
    ['https://github.com/acme/a%E0%A4', /broken percent-encoding/],
    [
      'https://dev.azure.com/acme/data/orders',
      /expected dev.azure.com\/\{organization\}\/\{project\}\/_git\/\{repository\}/,
    ],
  ])('refuses %s with an InputError saying what to fix', (href, message) => {
    const error = (() => {
      try {
        return branchLookup(new URL(href), 'main', scm);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });
});

// Every host, given a repository URL with any owner and name, either refuses
// it with an InputError or asks exactly the API path it documents, each name
// in its own segment: no name can steer the request elsewhere.
describe('the request path', () => {
  // [integration type, repository URL, the request path's segments]
  const cases: Array<
    [
      string,
      (a: string, b: string) => string,
      (a: string, b: string, ref: string) => string[],
    ]
  > = [
    [
      'github',
      (a, b) => `https://github.com/${a}/${b}/tree/main`,
      (a, b, ref) => ['repos', a, b, 'branches', ref],
    ],
    [
      'gitlab',
      (a, b) => `https://gitlab.example.com/${a}/${b}/-/tree/main`,
      (a, b, ref) => [
        'api',
        'v4',
        'projects',
        `${a}/${b}`,
        'repository',
        'branches',
        ref,
      ],
    ],
    [
      'bitbucketCloud',
      (a, b) => `https://bitbucket.org/${a}/${b}/src/main/`,
      (a, b, ref) => ['2.0', 'repositories', a, b, 'refs', 'branches', ref],
    ],
    [
      'bitbucketServer',
      (a, b) => `https://bb.example.com/projects/${a}/repos/${b}/browse`,
      (a, b) => ['rest', 'api', '1.0', 'projects', a, 'repos', b, 'branches'],
    ],
    [
      'azure',
      (a, b) => `https://dev.azure.com/acme/${a}/_git/${b}`,
      (a, b) => ['acme', a, '_apis', 'git', 'repositories', b, 'refs'],
    ],
    [
      'gitea',
      (a, b) => `https://gitea.example.com/git/${a}/${b}/src/branch/main`,
      (a, b, ref) => ['git', 'api', 'v1', 'repos', a, b, 'branches', ref],
    ],
  ];

  const name = fc.oneof(
    fc.constantFrom(
      '.',
      '..',
      '',
      '%2F',
      '%2e%2e',
      'a/b',
      'a\\b',
      '?x',
      '#x',
      '~u',
      'a b',
      '_git',
      'projects',
      '-',
    ),
    fc.string({ maxLength: 12, unit: 'grapheme' }),
  );
  const ref = fc
    .string({ minLength: 1, maxLength: 20 })
    .filter(r => branchNameProblem(r) === undefined);

  it.each(cases)('%s', async (_, repositoryUrl, expectedPath) => {
    let asked = 0;
    await fc.assert(
      fc.asyncProperty(
        name,
        name,
        ref,
        fc.boolean(),
        async (a, b, r, encode) => {
          let href: string;
          try {
            href = encode
              ? repositoryUrl(encodeURIComponent(a), encodeURIComponent(b))
              : repositoryUrl(a, b);
          } catch {
            return; // a lone surrogate: no URL to read
          }
          let parsed: URL;
          try {
            parsed = new URL(href);
          } catch {
            return; // not a URL: rejected before any host is asked
          }
          let lookup;
          try {
            lookup = branchLookup(parsed, r, scm);
          } catch (error) {
            // a refusal is fine, as long as it says what to fix
            if (error instanceof InputError) return;
            throw error;
          }
          expect(lookup).toBeDefined();
          const request = new URL((await lookup!.request()).url);
          const segments = request.pathname
            .split('/')
            .slice(1)
            .map(decodeURIComponent);
          const [first, second] = lookup!.repository.split(/\/(?=[^/]*$)/);
          expect(segments).toEqual(expectedPath(first, second, r));
          asked++;
          // the names the request carries are names the URL gave
          expect(href).toContain(encode ? encodeURIComponent(second) : second);
        },
      ),
      { numRuns: 300 },
    );
    // not vacuous: many names were fine and were asked for
    expect(asked).toBeGreaterThan(30);
  });
});

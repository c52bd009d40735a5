import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import fc from 'fast-check';
import { branchNameProblem } from '../branchHead';
import { azureDevOpsBranchHeads, azureRepository } from './azureDevOps';
import { BranchHeadHost, ScmAccess } from './BranchHeadHost';
import {
  bitbucketCloudBranchHeads,
  bitbucketCloudRepository,
} from './bitbucketCloud';
import {
  bitbucketServerBranchHeads,
  bitbucketServerRepository,
} from './bitbucketServer';
import { giteaBranchHeads, giteaRepository } from './gitea';
import { githubBranchHeads, githubRepository } from './github';
import { gitlabBranchHeads, gitlabProject } from './gitlab';

const url = (href: string) => new URL(href);

describe('githubRepository', () => {
  it.each([
    ['https://github.com/acme/orders/tree/main/dags', 'orders'],
    ['https://github.com/acme/orders.git', 'orders'],
    ['https://github.com/acme/orders', 'orders'],
  ])('reads acme/%s', (href, repo) =>
    expect(githubRepository(url(href))).toEqual({ owner: 'acme', repo }),
  );

  it('asks for a repository when the URL names only an owner', () =>
    expect(() => githubRepository(url('https://github.com/acme'))).toThrow(
      /source URL https:\/\/github.com\/acme does not name a repository \(it names no repository name\); fix the entity's backstage.io\/source-location/,
    ));
});

describe('gitlabProject', () => {
  it.each([
    [
      'https://gitlab.com/data/pipelines/orders/-/blob/main/x.yaml',
      'data/pipelines/orders',
    ],
    ['https://gitlab.com/data/orders/blob/main/x.yaml', 'data/orders'],
    ['https://gitlab.com/data/orders.git', 'data/orders'],
    // a project may be called `tree` once it has a namespace
    ['https://gitlab.com/data/tree/-/tree/main', 'data/tree'],
  ])('reads %s as %s', (href, project) =>
    expect(gitlabProject(url(href))).toBe(project),
  );

  it('reads below the path the instance is served under', () =>
    expect(
      gitlabProject(
        url('https://example.com/gitlab/data/orders/-/tree/main'),
        '/gitlab',
      ),
    ).toBe('data/orders'));

  it('refuses a project without a namespace', () =>
    expect(() =>
      gitlabProject(url('https://gitlab.com/orders/-/tree/main')),
    ).toThrow(/expected …\/\{namespace\}\/\{project\}/));

  it('refuses a URL outside the path the instance is served under', () =>
    expect(() =>
      gitlabProject(url('https://example.com/other/data/orders'), '/gitlab'),
    ).toThrow(/not below \/gitlab, where the integration for example.com/));
});

describe('bitbucketCloudRepository', () => {
  it.each([
    'https://bitbucket.org/acme/orders/src/main/dags/',
    'https://bitbucket.org/acme/orders.git',
  ])('reads acme/orders from %s', href =>
    expect(bitbucketCloudRepository(url(href))).toEqual({
      workspace: 'acme',
      repo: 'orders',
    }),
  );

  it('asks for a repository when the URL names only a workspace', () =>
    expect(() =>
      bitbucketCloudRepository(url('https://bitbucket.org/acme/')),
    ).toThrow(/names no repository name/));
});

describe('bitbucketServerRepository', () => {
  it.each([
    [
      'https://bb.example.com/projects/DATA/repos/orders/browse/dags?at=refs/heads/main',
      'DATA',
    ],
    [
      'https://bb.example.com/bitbucket/projects/DATA/repos/orders/browse',
      'DATA',
    ],
    ['https://bb.example.com/scm/DATA/orders.git', 'DATA'],
    ['https://bb.example.com/users/jd/repos/orders/browse', '~jd'],
  ])('reads %s as project %s, repository orders', (href, project) =>
    expect(bitbucketServerRepository(url(href))).toEqual({
      project,
      repo: 'orders',
    }),
  );

  it('says which URL shapes it reads', () =>
    expect(() =>
      bitbucketServerRepository(url('https://bb.example.com/DATA/orders')),
    ).toThrow(/expected …\/projects\/\{key\}\/repos\/\{slug\}\/…/));
});

describe('azureRepository', () => {
  it.each([
    [
      'https://dev.azure.com/acme/Data%20Platform/_git/orders?path=/dags&version=GBmain',
      { collection: ['acme'], project: 'Data Platform', repo: 'orders' },
    ],
    [
      'https://dev.azure.com/acme/_git/orders',
      { collection: ['acme'], project: 'orders', repo: 'orders' },
    ],
    [
      'https://acme.visualstudio.com/data/_git/orders',
      { collection: [], project: 'data', repo: 'orders' },
    ],
    [
      'https://acme.visualstudio.com/_git/orders',
      { collection: [], project: 'orders', repo: 'orders' },
    ],
    [
      'https://tfs.example.com/tfs/DefaultCollection/data/_git/orders',
      {
        collection: ['tfs', 'DefaultCollection'],
        project: 'data',
        repo: 'orders',
      },
    ],
  ])('reads %s', (href, coordinates) =>
    expect(azureRepository(url(href))).toEqual(coordinates),
  );

  it.each([
    [
      'https://dev.azure.com/acme/data/orders',
      /expected dev.azure.com\/\{organization\}\/\{project\}\/_git\/\{repository\}/,
    ],
    [
      'https://dev.azure.com/acme/a/b/_git/orders',
      /expected dev.azure.com\/\{organization\}/,
    ],
    ['https://dev.azure.com/acme/data/_git/', /names no repository name/],
    [
      'https://tfs.example.com/data/_git/orders',
      /expected …\/\{collection\}\/\{project\}/,
    ],
  ])('refuses %s', (href, message) =>
    expect(() => azureRepository(url(href))).toThrow(message),
  );
});

describe('giteaRepository', () => {
  it('reads below the base path of the instance', () =>
    expect(
      giteaRepository(
        url('https://example.com/git/acme/orders/src/branch/main/dags'),
        '/git',
      ),
    ).toEqual({ owner: 'acme', repo: 'orders' }));
});

describe('repository segments', () => {
  it.each([
    [
      'an encoded slash',
      'https://github.com/acme%2F..%2Fadmin/orders',
      /owner "acme\/..\/admin" contains a path separator/,
    ],
    [
      'an encoded backslash',
      'https://github.com/acme/a%5Cb',
      /contains a path separator/,
    ],
    [
      'dot-dots, which the URL resolves before it is read',
      'https://github.com/acme/orders/%2e%2e/%2E%2E',
      /https:\/\/github.com\/ does not name a repository \(it names no owner\)/,
    ],
    [
      'an encoded control character',
      'https://github.com/acme/a%0Ab',
      /contains a control character/,
    ],
    [
      'a broken escape',
      'https://github.com/acme/a%E0%A4',
      /broken percent-encoding/,
    ],
  ])('refuses %s with an InputError', (_, href, message) => {
    const error = (() => {
      try {
        return githubRepository(url(href));
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
          ],
          bitbucketServer: [{ host: 'bb.example.com' }],
          azure: [{ host: 'dev.azure.com' }],
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

  // [host, repository URL, the request path's segments]
  const cases: Array<
    [
      BranchHeadHost,
      (a: string, b: string) => string,
      (a: string, b: string, ref: string) => string[],
    ]
  > = [
    [
      githubBranchHeads,
      (a, b) => `https://github.com/${a}/${b}/tree/main`,
      (a, b, ref) => ['repos', a, b, 'commits', ref],
    ],
    [
      gitlabBranchHeads,
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
      bitbucketCloudBranchHeads,
      (a, b) => `https://bitbucket.org/${a}/${b}/src/main/`,
      (a, b, ref) => ['2.0', 'repositories', a, b, 'refs', 'branches', ref],
    ],
    [
      bitbucketServerBranchHeads,
      (a, b) => `https://bb.example.com/projects/${a}/repos/${b}/browse`,
      (a, b) => ['rest', 'api', '1.0', 'projects', a, 'repos', b, 'branches'],
    ],
    [
      azureDevOpsBranchHeads,
      (a, b) => `https://dev.azure.com/acme/${a}/_git/${b}`,
      (a, b) => ['acme', a, '_apis', 'git', 'repositories', b, 'refs'],
    ],
    [
      giteaBranchHeads,
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

  it.each(cases.map(c => [c[0].integrationKey, ...c] as const))(
    '%s',
    async (_, host, repositoryUrl, expectedPath) => {
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
              lookup = host.lookup(parsed, r, scm);
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
            expect(href).toContain(
              encode ? encodeURIComponent(second) : second,
            );
          },
        ),
        { numRuns: 300 },
      );
      // not vacuous: many names were fine and were asked for
      expect(asked).toBeGreaterThan(30);
    },
  );
});

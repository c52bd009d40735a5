import {
  integrationBasePath,
  isScmHostType,
  readRepositoryUrl,
  RepositoryCoordinates,
  ScmHostType,
} from './repositoryUrl';

function read(href: string, type: ScmHostType, basePath?: string) {
  return readRepositoryUrl(new URL(href), type, basePath);
}

function coordinates(
  type: ScmHostType,
  owner: string,
  repository: string,
  base: string[] = [],
): { coordinates: RepositoryCoordinates } {
  return { coordinates: { type, base, owner, repository } };
}

describe('readRepositoryUrl', () => {
  describe('GitHub', () => {
    it.each([
      'https://github.com/acme/orders/tree/main/dags',
      'https://github.com/acme/orders.git',
      'https://github.com/acme/orders',
    ])('reads acme/orders from %s', href =>
      expect(read(href, 'github')).toEqual(
        coordinates('github', 'acme', 'orders'),
      ),
    );

    it('names what is missing from a URL that names only an owner', () =>
      expect(read('https://github.com/acme', 'github')).toEqual({
        problem: 'it names no repository name',
      }));
  });

  describe('GitLab', () => {
    it.each([
      [
        'https://gitlab.com/data/pipelines/orders/-/blob/main/x.yaml',
        'data/pipelines',
      ],
      ['https://gitlab.com/data/orders/blob/main/x.yaml', 'data'],
      ['https://gitlab.com/data/orders.git', 'data'],
    ])('reads %s as namespace %s, project orders', (href, namespace) =>
      expect(read(href, 'gitlab')).toEqual(
        coordinates('gitlab', namespace, 'orders'),
      ),
    );

    it('reads a project called `tree` once it has a namespace', () =>
      expect(
        read('https://gitlab.com/data/tree/-/tree/main', 'gitlab'),
      ).toEqual(coordinates('gitlab', 'data', 'tree')));

    it('reads below the path the instance is served under', () =>
      expect(
        read(
          'https://example.com/gitlab/data/orders/-/tree/main',
          'gitlab',
          '/gitlab/',
        ),
      ).toEqual(coordinates('gitlab', 'data', 'orders')));

    it('refuses a project without a namespace', () =>
      expect(read('https://gitlab.com/orders/-/tree/main', 'gitlab')).toEqual({
        problem: 'expected …/{namespace}/{project}/-/…',
      }));

    it('refuses a URL outside the path the instance is served under', () =>
      expect(
        read('https://example.com/other/data/orders', 'gitlab', '/gitlab'),
      ).toEqual({
        problem:
          'its path is not below /gitlab, where the integration for example.com is configured',
      }));
  });

  describe('Bitbucket Cloud', () => {
    it.each([
      'https://bitbucket.org/acme/orders/src/main/dags/',
      'https://bitbucket.org/acme/orders.git',
    ])('reads workspace acme, repository orders from %s', href =>
      expect(read(href, 'bitbucketCloud')).toEqual(
        coordinates('bitbucketCloud', 'acme', 'orders'),
      ),
    );

    it('names what is missing from a URL that names only a workspace', () =>
      expect(read('https://bitbucket.org/acme/', 'bitbucketCloud')).toEqual({
        problem: 'it names no repository name',
      }));
  });

  describe('Bitbucket Server', () => {
    it.each([
      [
        'https://bb.example.com/projects/DATA/repos/orders/browse/dags?at=refs/heads/main',
        'DATA',
        [],
      ],
      [
        'https://bb.example.com/bitbucket/projects/DATA/repos/orders/browse',
        'DATA',
        ['bitbucket'],
      ],
      ['https://bb.example.com/users/jd/repos/orders/browse', '~jd', []],
      // clone URLs, as `git clone` takes them
      ['https://bb.example.com/scm/DATA/orders.git', 'DATA', []],
      ['https://bb.example.com/scm/~jd/orders.git', '~jd', []],
      [
        'https://bb.example.com/bitbucket/scm/DATA/orders.git',
        'DATA',
        ['bitbucket'],
      ],
    ])('reads %s as project %s, repository orders', (href, project, base) =>
      expect(read(href, 'bitbucketServer')).toEqual(
        coordinates('bitbucketServer', project, 'orders', base),
      ),
    );

    it('says which URL shapes it reads', () =>
      expect(
        read('https://bb.example.com/DATA/orders', 'bitbucketServer'),
      ).toEqual({
        problem:
          'expected …/projects/{key}/repos/{slug}/…, …/users/{user}/repos/{slug}/… or …/scm/{key}/{slug}.git',
      }));
  });

  describe('Azure DevOps', () => {
    it.each([
      [
        'https://dev.azure.com/acme/Data%20Platform/_git/orders?path=/dags&version=GBmain',
        ['acme'],
        'Data Platform',
      ],
      // a project with the repository's name may be left out
      ['https://dev.azure.com/acme/_git/orders', ['acme'], 'orders'],
      // the older host, with the organization in the host name
      ['https://acme.visualstudio.com/data/_git/orders', [], 'data'],
      ['https://acme.visualstudio.com/_git/orders', [], 'orders'],
      [
        'https://acme.visualstudio.com/DefaultCollection/data/_git/orders',
        ['DefaultCollection'],
        'data',
      ],
      [
        'https://tfs.example.com/tfs/DefaultCollection/data/_git/orders',
        ['tfs', 'DefaultCollection'],
        'data',
      ],
    ])('reads %s', (href, base, project) =>
      expect(read(href, 'azure')).toEqual(
        coordinates('azure', project, 'orders', base),
      ),
    );

    it.each([
      [
        'https://dev.azure.com/acme/data/orders',
        'expected dev.azure.com/{organization}/{project}/_git/{repository}',
      ],
      [
        'https://dev.azure.com/acme/a/b/_git/orders',
        'expected dev.azure.com/{organization}/{project}/_git/{repository}',
      ],
      ['https://dev.azure.com/acme/data/_git/', 'it names no repository name'],
      [
        'https://acme.visualstudio.com/data/orders',
        'expected acme.visualstudio.com/{project}/_git/{repository}',
      ],
      [
        'https://tfs.example.com/data/_git/orders',
        'expected …/{collection}/{project}/_git/{repository}',
      ],
    ])('refuses %s', (href, problem) =>
      expect(read(href, 'azure')).toEqual({ problem }),
    );
  });

  describe('Gitea', () => {
    it('reads below the base path of the instance', () =>
      expect(
        read(
          'https://example.com/git/acme/orders/src/branch/main/dags',
          'gitea',
          '/git',
        ),
      ).toEqual(coordinates('gitea', 'acme', 'orders')));
  });

  // Each name, percent-encoded back, is exactly one path segment: a URL can
  // name no repository that would steer an API path or a link elsewhere.
  it.each([
    [
      'an encoded slash',
      'https://github.com/acme%2F..%2Fadmin/orders',
      'its owner "acme/../admin" contains a path separator',
    ],
    [
      'an encoded backslash',
      'https://github.com/acme/a%5Cb',
      'its repository name "a\\\\b" contains a path separator',
    ],
    [
      'dot-dots, which the URL resolves before it is read',
      'https://github.com/acme/orders/%2e%2e/%2E%2E',
      'it names no owner',
    ],
    [
      'an encoded dot-dot',
      'https://github.com/acme/%2e%2e.git',
      'its repository name ".." is a relative path',
    ],
    [
      'an encoded control character',
      'https://github.com/acme/a%0Ab',
      'its repository name "a\\nb" contains a control character',
    ],
    [
      'a broken escape',
      'https://github.com/acme/a%E0%A4',
      'its path has a broken percent-encoding',
    ],
    [
      'a Bitbucket Server context path with an encoded slash',
      'https://bb.example.com/a%2Fb/scm/DATA/orders.git',
      'its context path "a/b" contains a path separator',
    ],
  ])('refuses %s', (_, href, problem) => {
    const type = href.includes('bb.example.com') ? 'bitbucketServer' : 'github';
    expect(read(href, type)).toEqual({ problem });
  });
});

describe('isScmHostType', () => {
  it.each([
    'github',
    'gitlab',
    'bitbucketCloud',
    'bitbucketServer',
    'azure',
    'gitea',
  ])('knows %s', type => expect(isScmHostType(type)).toBe(true));

  it.each(['gerrit', 'awsS3', 'bitbucket', undefined])(
    'does not read %s URLs',
    type => expect(isScmHostType(type)).toBe(false),
  );
});

describe('integrationBasePath', () => {
  it.each([
    ['gitlab', 'https://code.acme.corp/gitlab/', '/gitlab'],
    ['gitea', 'https://tea.acme.corp/tools/git', '/tools/git'],
    ['gitlab', 'https://gitlab.com', ''],
    ['gitea', 'https://tea.acme.corp', ''],
  ])('reads the path a %s at %s is served under: %j', (type, baseUrl, path) =>
    expect(integrationBasePath({ type, config: { baseUrl } })).toBe(path),
  );

  it.each([
    // Their URLs show where the repository starts.
    { type: 'bitbucketServer', config: { baseUrl: 'https://bb.acme.corp/bb' } },
    { type: 'github', config: {} },
    { type: 'gitlab' },
    { type: 'gitea', config: { baseUrl: 'not a url' } },
  ])('has none for %j', integration =>
    expect(integrationBasePath(integration)).toBe(''),
  );
});

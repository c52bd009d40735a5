import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { Entity } from '@backstage/catalog-model';
import { ScmIntegrations } from '@backstage/integration';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import express from 'express';
import { http, HttpResponse, JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { ordersEntity } from '../__testUtils__/environmentApp';
import { dagCicdEnvironmentRules } from '../permissions';
import {
  BranchHeadService,
  resolveBranchHead,
  ScmUnavailableError,
} from './branchHead';
import { scmAccess } from './branchHeads/BranchHeadHost';
import { EntityAccess } from './entityAccess';
import { createRouter } from './router';
import { Stages } from './stages';

const SHA = '0123456789abcdef0123456789abcdef01234567';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [{ host: 'github.com', token: 'gh-token' }],
      gitlab: [
        {
          host: 'gitlab.example.com',
          apiBaseUrl: 'https://gitlab.example.com/api/v4',
          token: 'gl-token',
        },
      ],
      bitbucketCloud: [{ username: 'bb-user', appPassword: 'bb-password' }],
      bitbucketServer: [
        {
          host: 'bitbucket.example.com',
          apiBaseUrl: 'https://bitbucket.example.com/rest/api/1.0',
          token: 'bbs-token',
        },
      ],
      azure: [
        {
          host: 'dev.azure.com',
          credentials: [{ personalAccessToken: 'az-pat' }],
        },
      ],
      gitea: [
        {
          host: 'gitea.example.com',
          baseUrl: 'https://gitea.example.com/git',
          username: 'gt-user',
          password: 'gt-password',
        },
      ],
    },
  }),
);
const basic = (credentials: string) =>
  `Basic ${Buffer.from(credentials).toString('base64')}`;

const GITHUB_REPO = 'https://github.com/acme/orders/tree/main/dags/';
const GITLAB_REPO =
  'https://gitlab.example.com/data/pipelines/orders/-/blob/main/catalog-info.yaml';

const server = setupServer();
beforeAll(() =>
  server.listen({
    // supertest's own requests to the app pass; anything else is a bug.
    onUnhandledRequest: (req, print) => {
      if (new URL(req.url).hostname !== '127.0.0.1') print.error();
    },
  }),
);
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// GitHub as it answers `GET /repos/{owner}/{repo}/branches/{branch}`, and
// `GET …/commits/{ref}`, which takes a tag or a SHA for a ref as well.
function github(
  branches: Record<string, string>,
  tags: Record<string, string> = {},
) {
  const seen: Array<{
    url: string;
    accept: string | null;
    auth: string | null;
  }> = [];
  server.use(
    http.get(
      'https://api.github.com/repos/acme/orders/branches/:branch',
      ({ request: req, params }) => {
        seen.push({
          url: req.url,
          accept: req.headers.get('accept'),
          auth: req.headers.get('authorization'),
        });
        const name = params.branch as string;
        const commit = branches[name];
        return commit
          ? HttpResponse.json({
              name,
              commit: {
                sha: commit,
                url: `https://api.github.com/…/${commit}`,
              },
              protected: false,
            })
          : HttpResponse.json(
              { message: 'Branch not found', status: '404' },
              { status: 404 },
            );
      },
    ),
    http.get(
      'https://api.github.com/repos/acme/orders/commits/:ref',
      ({ params }) => {
        const commit = { ...branches, ...tags }[params.ref as string];
        return commit
          ? new HttpResponse(commit)
          : HttpResponse.json({ message: 'No commit found' }, { status: 422 });
      },
    ),
  );
  return seen;
}

// GitLab as it answers `GET /projects/:id/repository/branches/:branch`.
function gitlab(branches: Record<string, string>) {
  const seen: Array<{ url: string; auth: string | null }> = [];
  server.use(
    http.get(
      'https://gitlab.example.com/api/v4/projects/:project/repository/branches/:branch',
      ({ request: req, params }) => {
        seen.push({ url: req.url, auth: req.headers.get('authorization') });
        const commit =
          params.project === 'data/pipelines/orders'
            ? branches[params.branch as string]
            : undefined;
        return commit
          ? HttpResponse.json({
              name: params.branch,
              commit: { id: commit, short_id: commit.slice(0, 8) },
              protected: false,
            })
          : HttpResponse.json(
              { message: '404 Branch Not Found' },
              { status: 404 },
            );
      },
    ),
  );
  return seen;
}

describe('resolveBranchHead', () => {
  it("asks GitHub for the branch's SHA with the integration's token", async () => {
    const seen = github({ 'feature/x': SHA });
    await expect(
      resolveBranchHead(GITHUB_REPO, 'feature/x', scmAccess(integrations)),
    ).resolves.toEqual({ ref: 'feature/x', commit: SHA });
    expect(seen).toEqual([
      {
        url: 'https://api.github.com/repos/acme/orders/branches/feature%2Fx',
        accept: 'application/vnd.github+json',
        auth: 'Bearer gh-token',
      },
    ]);
  });

  it('does not take a GitHub tag for a branch', async () => {
    github({ main: SHA }, { 'v1.0': 'f'.repeat(40) });
    const error = await resolveBranchHead(
      GITHUB_REPO,
      'v1.0',
      scmAccess(integrations),
    ).catch(e => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('No branch "v1.0" in acme/orders on github.com');
  });

  it('does not take a renamed GitHub branch for the branch asked', async () => {
    // GitHub redirects the old name to the branch's new one.
    server.use(
      http.get('https://api.github.com/repos/acme/orders/branches/old', () =>
        HttpResponse.json({ name: 'new', commit: { sha: SHA } }),
      ),
    );
    const error = await resolveBranchHead(
      GITHUB_REPO,
      'old',
      scmAccess(integrations),
    ).catch(e => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it('asks GitLab for the branch of the project the URL names', async () => {
    const seen = gitlab({ main: SHA });
    await expect(
      resolveBranchHead(GITLAB_REPO, 'main', scmAccess(integrations)),
    ).resolves.toEqual({ ref: 'main', commit: SHA });
    expect(seen).toEqual([
      {
        url: 'https://gitlab.example.com/api/v4/projects/data%2Fpipelines%2Forders/repository/branches/main',
        auth: 'Bearer gl-token',
      },
    ]);
  });

  it.each([
    ['GitHub', GITHUB_REPO, () => github({})],
    ['GitLab', GITLAB_REPO, () => gitlab({})],
  ])('answers 404 naming a branch %s does not have', async (_, url, host) => {
    host();
    const error = await resolveBranchHead(
      url,
      'nope',
      scmAccess(integrations),
    ).catch(e => e);
    expect(error.name).toBe('NotFoundError');
    expect(error.message).toMatch(/No branch "nope" in .*orders on /);
  });

  it.each([
    ['a host without an integration', 'https://git.example.org/acme/orders'],
    ['an entity without a source URL', undefined],
  ])('answers 400 asking for the SHA for %s', async (_, url) => {
    const error = await resolveBranchHead(
      url,
      'main',
      scmAccess(integrations),
    ).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toMatch(
      /A branch cannot be resolved for this DAG's repository .*give the commit SHA/,
    );
  });

  it('names the integrations that are configured when none is for the host', async () => {
    const error = await resolveBranchHead(
      'https://git.example.org/acme/orders',
      'main',
      scmAccess(integrations),
    ).catch(e => e);
    expect(error.message).toContain(
      'no integration in app-config covers git.example.org; integrations configured are github: github.com; gitlab: gitlab.example.com, gitlab.com; bitbucketCloud: bitbucket.org; bitbucketServer: bitbucket.example.com; azure: dev.azure.com; gitea: gitea.example.com)',
    );
  });

  it.each([
    ['answers 500', () => new HttpResponse('oops', { status: 500 })],
    ['refuses the token', () => new HttpResponse('Bad creds', { status: 401 })],
    ['cannot be reached', () => HttpResponse.error()],
    ['answers no SHA', () => new HttpResponse('<html>')],
  ])('answers 502 naming the host when GitHub %s', async (_, answer) => {
    server.use(
      http.get(
        'https://api.github.com/repos/acme/orders/branches/:branch',
        answer,
      ),
    );
    const error = await resolveBranchHead(
      GITHUB_REPO,
      'main',
      scmAccess(integrations),
    ).catch(e => e);
    expect(error.statusCode).toBe(502);
    expect(error.message).toContain('github.com');
  });

  it.each(['a..b', 'has space', '-rf', 'x'.repeat(256), 'a:b', 'x.lock', ''])(
    'answers 400 for the invalid branch name %j without asking the host',
    async ref => {
      const error = await resolveBranchHead(
        GITHUB_REPO,
        ref,
        scmAccess(integrations),
      ).catch(e => e);
      expect(error.name).toBe('InputError');
      expect(error.message).toMatch(/is not a valid branch name/);
    },
  );
});

// One host name that says nothing of what runs there: the type of the
// integration that owns the URL decides which API is asked.
describe('resolveBranchHead on the integration that owns the URL', () => {
  const host = 'scm.acme.corp';
  const owning = (configured: object) =>
    scmAccess(
      ScmIntegrations.fromConfig(
        new ConfigReader({ integrations: configured }),
      ),
    );

  it.each([
    [
      'github',
      { host, apiBaseUrl: `https://${host}/api/v3` },
      `https://${host}/acme/orders/tree/main`,
      '/api/v3/repos/acme/orders/branches/main',
    ],
    [
      'gitlab',
      { host, apiBaseUrl: `https://${host}/api/v4` },
      `https://${host}/data/orders/-/tree/main`,
      '/api/v4/projects/data%2Forders/repository/branches/main',
    ],
    [
      'bitbucketServer',
      { host },
      `https://${host}/scm/DATA/orders.git`,
      '/rest/api/1.0/projects/DATA/repos/orders/branches',
    ],
    [
      'azure',
      { host },
      `https://${host}/tfs/Main/data/_git/orders`,
      '/tfs/Main/data/_apis/git/repositories/orders/refs',
    ],
    [
      'gitea',
      { host },
      `https://${host}/acme/orders/src/branch/main`,
      '/api/v1/repos/acme/orders/branches/main',
    ],
  ])('asks the API of a %s integration', async (type, config, url, path) => {
    const asked: string[] = [];
    server.use(
      http.get(`https://${host}/*`, ({ request: req }) => {
        asked.push(new URL(req.url).pathname);
        return HttpResponse.json({ message: 'Not Found' }, { status: 404 });
      }),
    );
    const error = await resolveBranchHead(
      url,
      'main',
      owning({ [type]: [config] }),
    ).catch(e => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(asked).toEqual([path]);
  });

  it('answers 400 naming the type of an integration without branches', async () => {
    const error = await resolveBranchHead(
      `https://${host}/c/orders/+/42`,
      'main',
      owning({
        gerrit: [{ host, gitilesBaseUrl: `https://${host}/gitiles` }],
      }),
    ).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toBe(
      `A branch cannot be resolved for this DAG's repository (the integration for ${host} is of type gerrit, which has no branches to ask for; branches are resolved on github, gitlab, bitbucketCloud, bitbucketServer, azure, gitea); give the commit SHA instead (git rev-parse main)`,
    );
  });

  it('answers 400 for a GitHub Enterprise integration without an API URL', async () => {
    const error = await resolveBranchHead(
      `https://${host}/acme/orders`,
      'main',
      owning({ github: [{ host }] }),
    ).catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(
      `the GitHub integration for ${host} has no apiBaseUrl in app-config`,
    );
  });
});

// Each host as its documented API answers a branch request, for the
// repository `acme/orders` (or its host's spelling of it).
interface ScmHost {
  name: string;
  repositoryUrl: string;
  /** msw route of the branch request */
  route: string;
  /** what the host answers for a branch, given its SHA (undefined: none) */
  answer(ref: string, commit: string | undefined): HttpResponse<any>;
  /** the branch the request asks for, as the host reads it */
  requested(url: URL, params: Record<string, unknown>): string;
  /** a 200 answer with no SHA where the branch's head should be */
  withoutSha: JsonBodyType;
  /** the request for `feature/x`, encoded as the host expects */
  featureXUrl: string;
  authorization: string;
}

const hosts: ScmHost[] = [
  {
    name: 'Bitbucket Cloud',
    repositoryUrl: 'https://bitbucket.org/acme/orders/src/main/dags/',
    route:
      'https://api.bitbucket.org/2.0/repositories/acme/orders/refs/branches/:name',
    requested: (_, params) => params.name as string,
    answer: (ref, commit) =>
      commit
        ? HttpResponse.json({
            type: 'branch',
            name: ref,
            target: { type: 'commit', hash: commit },
          })
        : HttpResponse.json(
            { type: 'error', error: { message: `${ref} not found` } },
            { status: 404 },
          ),
    withoutSha: { type: 'branch', name: 'main', target: { type: 'commit' } },
    featureXUrl:
      'https://api.bitbucket.org/2.0/repositories/acme/orders/refs/branches/feature%2Fx',
    authorization: basic('bb-user:bb-password'),
  },
  {
    name: 'Bitbucket Server',
    repositoryUrl:
      'https://bitbucket.example.com/projects/DATA/repos/orders/browse/dags?at=refs%2Fheads%2Fmain',
    route:
      'https://bitbucket.example.com/rest/api/1.0/projects/DATA/repos/orders/branches',
    requested: url => url.searchParams.get('filterText')!,
    // The filter matches substrings: a longer name that contains the branch
    // comes back too, and first, unless boosted.
    answer: (ref, commit) =>
      HttpResponse.json({
        size: commit ? 2 : 1,
        limit: 25,
        isLastPage: true,
        start: 0,
        values: [
          {
            id: `refs/heads/old-${ref}`,
            displayId: `old-${ref}`,
            type: 'BRANCH',
            latestCommit: 'f'.repeat(40),
          },
          ...(commit
            ? [
                {
                  id: `refs/heads/${ref}`,
                  displayId: ref,
                  type: 'BRANCH',
                  latestCommit: commit,
                },
              ]
            : []),
        ],
      }),
    // not a page of branches at all
    withoutSha: { errors: [] },
    featureXUrl:
      'https://bitbucket.example.com/rest/api/1.0/projects/DATA/repos/orders/branches?filterText=feature%2Fx&boostMatches=true',
    authorization: 'Bearer bbs-token',
  },
  {
    name: 'Azure DevOps',
    repositoryUrl:
      'https://dev.azure.com/acme/data/_git/orders?path=/dags&version=GBmain',
    route: 'https://dev.azure.com/acme/data/_apis/git/repositories/orders/refs',
    requested: url => url.searchParams.get('filter')!.replace(/^heads\//, ''),
    // The filter is a prefix: `refs/heads/{ref}-old` comes back too.
    answer: (ref, commit) => {
      const value = [
        { name: `refs/heads/${ref}-old`, objectId: 'f'.repeat(40) },
        ...(commit ? [{ name: `refs/heads/${ref}`, objectId: commit }] : []),
      ].sort((a, b) => b.name.localeCompare(a.name));
      return HttpResponse.json({ value, count: value.length });
    },
    withoutSha: { value: [{ name: 'refs/heads/main' }], count: 1 },
    featureXUrl:
      'https://dev.azure.com/acme/data/_apis/git/repositories/orders/refs?filter=heads%2Ffeature%2Fx&api-version=7.1',
    authorization: basic(':az-pat'),
  },
  {
    name: 'Gitea',
    repositoryUrl:
      'https://gitea.example.com/git/acme/orders/src/branch/main/dags',
    route:
      'https://gitea.example.com/git/api/v1/repos/acme/orders/branches/:name',
    requested: (_, params) => params.name as string,
    answer: (ref, commit) =>
      commit
        ? HttpResponse.json({
            name: ref,
            commit: { id: commit, message: 'Add orders DAG' },
            protected: false,
          })
        : HttpResponse.json(
            { message: 'branch does not exist', url: '' },
            { status: 404 },
          ),
    withoutSha: { name: 'main', commit: {} },
    featureXUrl:
      'https://gitea.example.com/git/api/v1/repos/acme/orders/branches/feature%2Fx',
    // As Backstage's Gitea integration sends it.
    authorization: `basic ${Buffer.from('gt-user:gt-password').toString(
      'base64',
    )}`,
  },
];

describe.each(hosts)('resolveBranchHead on $name', host => {
  function serve(branches: Record<string, string>) {
    const seen: Array<{ url: string; auth: string | null }> = [];
    server.use(
      http.get(host.route, ({ request: req, params }) => {
        seen.push({ url: req.url, auth: req.headers.get('authorization') });
        const ref = host.requested(new URL(req.url), params);
        return host.answer(ref, branches[ref]);
      }),
    );
    return seen;
  }
  const resolve = (ref: string) =>
    resolveBranchHead(host.repositoryUrl, ref, scmAccess(integrations));

  it("answers a branch's head, asked with the integration's credentials", async () => {
    const seen = serve({ 'feature/x': SHA });
    await expect(resolve('feature/x')).resolves.toEqual({
      ref: 'feature/x',
      commit: SHA,
    });
    expect(seen).toEqual([{ url: host.featureXUrl, auth: host.authorization }]);
  });

  it('answers 404 naming a branch it does not have', async () => {
    serve({ main: SHA });
    const error = await resolve('nope').catch(e => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toMatch(/^No branch "nope" in \S*orders on \S+$/);
  });

  it.each([
    [
      'answers 503',
      () => new HttpResponse('maintenance', { status: 503 }),
      /answered 503 .*: maintenance/,
    ],
    [
      'refuses the credentials',
      () => new HttpResponse('', { status: 401 }),
      /answered 401 .*refusing the integration credentials/,
    ],
    ['cannot be reached', () => HttpResponse.error(), /could not be reached/],
    [
      'answers HTML',
      () => new HttpResponse('<html>'),
      /answered with something that is not JSON/,
    ],
  ])('answers 502 when the host %s', async (_, answer, message) => {
    server.use(http.get(host.route, answer));
    const error = await resolve('main').catch(e => e);
    expect(error).toBeInstanceOf(ScmUnavailableError);
    expect(error.statusCode).toBe(502);
    expect(error.message).toContain(new URL(host.repositoryUrl).host);
    expect(error.message).toMatch(message);
  });

  it('answers 502 when the answer names no SHA for the branch', async () => {
    server.use(http.get(host.route, () => HttpResponse.json(host.withoutSha)));
    const error = await resolve('main').catch(e => e);
    expect(error).toBeInstanceOf(ScmUnavailableError);
    expect(error.message).toMatch(
      /answered without a 40-hex commit SHA \(found nothing\) when asked for branch "main" of \S*orders$/,
    );
  });

  it('answers 502 when the SHA is not a full one', async () => {
    serve({ main: 'abc1234' });
    const error = await resolve('main').catch(e => e);
    expect(error).toBeInstanceOf(ScmUnavailableError);
    expect(error.message).toMatch(
      /answered without a 40-hex commit SHA \(found "abc1234"\)/,
    );
  });
});

describe('resolveBranchHead with a Bitbucket Cloud OAuth client', () => {
  const oauth = scmAccess(
    ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          bitbucketCloud: [{ clientId: 'client', clientSecret: 'secret' }],
        },
      }),
    ),
  );
  const tokenUrl = 'https://bitbucket.org/site/oauth2/access_token';
  const url = 'https://bitbucket.org/acme/orders/src/main/';

  // In this order: the integration caches a token it was given, module-wide.
  it('answers 502 when the client is refused, without asking for the branch', async () => {
    let asked = false;
    server.use(
      http.post(tokenUrl, () =>
        HttpResponse.json({ error: 'invalid_client' }, { status: 401 }),
      ),
      http.get(hosts[0].route, () => {
        asked = true;
        return HttpResponse.json({});
      }),
    );
    const error = await resolveBranchHead(url, 'main', oauth).catch(e => e);
    expect(error).toBeInstanceOf(ScmUnavailableError);
    expect(error.message).toMatch(
      /^No credentials for bitbucket.org\/acme\/orders from its integration \(integrations in app-config\): .*401/,
    );
    expect(asked).toBe(false);
  });

  it("sends the client's access token", async () => {
    let auth: string | null = null;
    server.use(
      http.post(tokenUrl, async ({ request: req }) =>
        req.headers.get('authorization') === basic('client:secret') &&
        (await req.text()) === 'grant_type=client_credentials'
          ? HttpResponse.json({ access_token: 'oauth-token', expires_in: 7200 })
          : HttpResponse.json({ error: 'invalid_client' }, { status: 401 }),
      ),
      http.get(hosts[0].route, ({ request: req, params }) => {
        auth = req.headers.get('authorization');
        return hosts[0].answer(params.name as string, SHA);
      }),
    );
    await expect(resolveBranchHead(url, 'main', oauth)).resolves.toEqual({
      ref: 'main',
      commit: SHA,
    });
    expect(auth).toBe('Bearer oauth-token');
  });
});

describe('GET /commits/resolve', () => {
  const withSource: Entity = {
    ...ordersEntity,
    metadata: {
      ...ordersEntity.metadata,
      annotations: {
        ...ordersEntity.metadata.annotations,
        'backstage.io/source-location': `url:${GITHUB_REPO}`,
      },
    },
  };

  async function app(decision: PolicyDecision) {
    const auth = mockServices.auth();
    const access = new EntityAccess(
      catalogServiceMock({ entities: [withSource] }),
      {
        authorize: async requests => requests.map(() => decision as any),
        authorizeConditional: async requests => requests.map(() => decision),
      },
      auth,
      Stages.fromConfig(new ConfigReader({})),
      {
        getRuleByName: (name: string) =>
          Object.values(dagCicdEnvironmentRules).find(r => r.name === name)!,
      } as any,
    );
    // Only this route is exercised; the other services are never called.
    const unused = {} as any;
    const router = await createRouter({
      httpAuth: mockServices.httpAuth({ pluginId: 'dag-cicd' }),
      auth,
      auditor: mockServices.auditor.mock(),
      environments: unused,
      runs: unused,
      dags: unused,
      branchHeads: new BranchHeadService({ access, integrations }),
      validatorOptions: { validatorOptions: { validateResponses: true } },
    });
    return express().use(router).use(mockErrorHandler());
  }

  const user = mockCredentials.user.header();

  it("answers the branch's head for a reader of the entity", async () => {
    github({ main: SHA });
    const res = await request(await app({ result: AuthorizeResult.ALLOW }))
      .get('/commits/resolve')
      .query({ entityRef: 'component:default/orders', ref: 'main' })
      .set('authorization', user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ref: 'main', commit: SHA });
  });

  it('answers 403 to a caller who may not read its environments', async () => {
    const seen = github({ main: SHA });
    const res = await request(await app({ result: AuthorizeResult.DENY }))
      .get('/commits/resolve')
      .query({ entityRef: 'component:default/orders', ref: 'main' })
      .set('authorization', user);
    expect(res.status).toBe(403);
    expect(seen).toEqual([]);
  });

  it('answers 400 for a ref longer than a branch name can be', async () => {
    const res = await request(await app({ result: AuthorizeResult.ALLOW }))
      .get('/commits/resolve')
      .query({ entityRef: 'component:default/orders', ref: 'x'.repeat(256) })
      .set('authorization', user);
    expect(res.status).toBe(400);
  });
});

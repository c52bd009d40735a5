import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { ScmIntegrations } from '@backstage/integration';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import express from 'express';
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import request from 'supertest';
import { ordersEntity } from '../__testUtils__/environmentApp';
import { dagCicdEnvironmentRules } from '../permissions';
import {
  BranchHeadService,
  branchNameProblem,
  resolveBranchHead,
} from './branchHead';
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
    },
  }),
);

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

// GitHub as it answers `GET /repos/{owner}/{repo}/commits/{ref}`: the bare
// SHA with the sha media type, 422 for a ref it does not know.
function github(branches: Record<string, string>) {
  const seen: Array<{
    ref: string;
    accept: string | null;
    auth: string | null;
  }> = [];
  server.use(
    http.get(
      'https://api.github.com/repos/acme/orders/commits/:ref',
      ({ request: req, params }) => {
        const ref = params.ref as string;
        seen.push({
          ref,
          accept: req.headers.get('accept'),
          auth: req.headers.get('authorization'),
        });
        const commit = branches[ref];
        return commit
          ? new HttpResponse(commit, {
              headers: { 'content-type': 'application/vnd.github.sha' },
            })
          : HttpResponse.json(
              { message: `No commit found for SHA: ${ref}`, status: '422' },
              { status: 422 },
            );
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
      resolveBranchHead(GITHUB_REPO, 'feature/x', { integrations }),
    ).resolves.toEqual({ ref: 'feature/x', commit: SHA });
    expect(seen).toEqual([
      {
        ref: 'feature/x',
        accept: 'application/vnd.github.sha',
        auth: 'Bearer gh-token',
      },
    ]);
  });

  it('asks GitLab for the branch of the project the URL names', async () => {
    const seen = gitlab({ main: SHA });
    await expect(
      resolveBranchHead(GITLAB_REPO, 'main', { integrations }),
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
    const error = await resolveBranchHead(url, 'nope', { integrations }).catch(
      e => e,
    );
    expect(error.name).toBe('NotFoundError');
    expect(error.message).toMatch(/No branch "nope" in .*orders on /);
  });

  it.each([
    [
      'a host without an integration',
      'https://bitbucket.org/acme/orders/src/main/',
    ],
    ['an entity without a source URL', undefined],
  ])('answers 400 asking for the SHA for %s', async (_, url) => {
    const error = await resolveBranchHead(url, 'main', { integrations }).catch(
      e => e,
    );
    expect(error.name).toBe('InputError');
    expect(error.message).toMatch(
      /A branch cannot be resolved for this DAG's repository .*give the commit SHA/,
    );
  });

  it.each([
    ['answers 500', () => new HttpResponse('oops', { status: 500 })],
    ['refuses the token', () => new HttpResponse('Bad creds', { status: 401 })],
    ['cannot be reached', () => HttpResponse.error()],
    ['answers no SHA', () => new HttpResponse('<html>')],
  ])('answers 502 naming the host when GitHub %s', async (_, answer) => {
    server.use(
      http.get('https://api.github.com/repos/acme/orders/commits/:ref', answer),
    );
    const error = await resolveBranchHead(GITHUB_REPO, 'main', {
      integrations,
    }).catch(e => e);
    expect(error.statusCode).toBe(502);
    expect(error.message).toContain('github.com');
  });

  it.each(['a..b', 'has space', '-rf', 'x'.repeat(256), 'a:b', 'x.lock', ''])(
    'answers 400 for the invalid branch name %j without asking the host',
    async ref => {
      const error = await resolveBranchHead(GITHUB_REPO, ref, {
        integrations,
      }).catch(e => e);
      expect(error.name).toBe('InputError');
      expect(error.message).toMatch(/is not a valid branch name/);
    },
  );
});

describe('branchNameProblem', () => {
  // Whatever passes can be put in a URL path segment and read back as the
  // same single ref: no range, no option, no whitespace, no traversal.
  it('never accepts a name git or a host would read as something else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), ref => {
        if (branchNameProblem(ref) !== undefined) return;
        expect(ref.length).toBeGreaterThan(0);
        expect(ref.length).toBeLessThanOrEqual(255);
        expect(ref).not.toMatch(/\.\.|\s|^-|^\/|\/$|\/\/|\\/);
        expect(ref.split('/')).not.toContain('..');
      }),
    );
  });

  it.each(['main', 'feature/x', 'release-1.2', 'user/jd/fix_42'])(
    'accepts %s',
    ref => expect(branchNameProblem(ref)).toBeUndefined(),
  );
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

import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  createEnvironmentApp,
  listFiles,
  ORDERS,
  stalledSeeder,
  writeFile,
} from '../__testUtils__/environmentApp';
import { dagCicdEnvironmentConditions } from '../permissions';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const SHA = 'ab12cd3'.padEnd(40, '0');
const OTHER_SHA = 'ffee000'.padEnd(40, '1');
const user = mockCredentials.user.header();

async function setup(
  options: Partial<Parameters<typeof createEnvironmentApp>[0]> = {},
) {
  const knex = await databases.init('SQLITE_3');
  const app = await createEnvironmentApp({
    knex,
    auditor: mockServices.auditor.mock(),
    ...options,
  });
  writeFile(
    app.root,
    'lake/raw/orders/dt=2026-11-23/part-0.csv',
    'id,amount\n1,10\n2,20\n',
  );
  writeFile(
    app.root,
    'lake/raw/orders/dt=2026-11-24/part-0.csv',
    'id,amount\n3,30\n',
  );
  writeFile(app.root, 'lake/orders_daily/orders.csv', 'id,amount\n1,10\n');
  writeFile(
    app.root,
    'fixtures/orders_daily/small/orders/part-0.csv',
    'id,amount\n9,90\n',
  );
  return app;
}

const create = (
  app: Awaited<ReturnType<typeof setup>>['app'],
  body: object,
  auth = user,
) => request(app).post('/environments').set('Authorization', auth).send(body);

describe('environments API', () => {
  it('creates an environment, provisions it in the background and records every step', async () => {
    const env = await setup();
    const created = await create(env.app, {
      entityRef: ORDERS,
      commit: SHA,
      profile: 'sample',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'ci_ab12cd3',
      stage: 'ci',
      commit: SHA,
      status: 'provisioning',
      profile: 'sample',
      dataNamespace: `${env.storeRoot}default/orders_daily/ci_ab12cd3/`,
      artifacts: { etl_py: `s3://artifacts/orders/${SHA}/etl.py` },
      connections: { spark_default: 'spark_ci' },
      createdBy: 'user:default/mock',
    });
    // A per-commit environment expires after the default TTL of three days.
    expect(
      Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt),
    ).toBe(3 * 24 * 3600_000);

    await env.provisioner.settled();
    const ready = await request(env.app)
      .get(`/environments/${created.body.id}`)
      .set('Authorization', user);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.inputs).toEqual({
      orders: {
        uri: `${env.storeRoot}default/orders_daily/ci_ab12cd3/inputs/orders/`,
        mode: 'copy',
      },
    });
    expect(listFiles(path.join(env.root, 'envs'))).toEqual([
      'default/orders_daily/ci_ab12cd3/_dag_cicd/conf.json',
      'default/orders_daily/ci_ab12cd3/_dag_cicd/environment.json',
      'default/orders_daily/ci_ab12cd3/inputs/orders/dt=2026-11-23/part-0.csv',
      'default/orders_daily/ci_ab12cd3/inputs/orders/dt=2026-11-24/part-0.csv',
    ]);
    const conf = JSON.parse(
      fs.readFileSync(
        path.join(
          env.root,
          'envs/default/orders_daily/ci_ab12cd3/_dag_cicd/conf.json',
        ),
        'utf8',
      ),
    );
    expect(conf.dag_cicd).toMatchObject({
      environment: 'ci_ab12cd3',
      entity: ORDERS,
      namespace: created.body.dataNamespace,
      inputs: ready.body.inputs,
      seed: created.body.seed,
    });

    const history = await request(env.app)
      .get(`/environments/${created.body.id}/history`)
      .set('Authorization', user);
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: any) => e.to ?? e.step)).toEqual([
      'provisioning',
      'namespace',
      'inputs',
      'artifacts',
      'connections',
      'registration',
      'ready',
    ]);
    expect(new Set(history.body.items.map((e: any) => e.actor))).toEqual(
      new Set(['user:default/mock']),
    );
    expect(env.auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'environment-transition',
        meta: expect.objectContaining({ status: 'ready' }),
      }),
    );
  });

  it('is idempotent: the same request returns the same environment, concurrently too', async () => {
    const env = await setup();
    const body = {
      entityRef: ORDERS,
      commit: SHA,
      profile: 'production-readonly',
    };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => create(env.app, body)),
    );
    expect(responses.map(r => r.status).sort()).toEqual([
      200, 200, 200, 200, 200, 201,
    ]);
    expect(new Set(responses.map(r => r.body.id)).size).toBe(1);
    const again = await create(env.app, body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(responses[0].body.id);

    const different = await create(env.app, { ...body, profile: 'empty' });
    expect(different.status).toBe(409);
    expect(different.body.error.message).toMatch(
      /ci_ab12cd3 .* already exists in stage ci .*tear it down first or choose another name/,
    );
    const page = await request(env.app)
      .get('/environments')
      .query({ entityRef: ORDERS })
      .set('Authorization', user);
    expect(page.body.totalCount).toBe(1);
  });

  it('points production-readonly inputs at production, copying nothing', async () => {
    const env = await setup();
    const created = await create(env.app, {
      entityRef: ORDERS,
      commit: SHA,
      profile: 'production-readonly',
    });
    await env.provisioner.settled();
    const got = await request(env.app)
      .get(`/environments/${created.body.id}`)
      .set('Authorization', user);
    expect(got.body.inputs).toEqual({
      orders: { uri: `file://${env.root}/lake/raw/orders/`, mode: 'read-only' },
    });
    expect(
      listFiles(path.join(env.root, 'envs')).filter(f => f.includes('inputs/')),
    ).toEqual([]);
  });

  it('accepts a short SHA only when it resolves to one known commit', async () => {
    const env = await setup();
    const unknown = await create(env.app, {
      entityRef: ORDERS,
      commit: 'ab12cd3',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(
      /cannot be resolved.*full 40-hex SHA/,
    );
    await create(env.app, { entityRef: ORDERS, commit: SHA }).expect(201);
    const short = await create(env.app, {
      entityRef: ORDERS,
      commit: 'AB12CD3',
      name: 'ci_short',
    });
    expect(short.status).toBe(201);
    expect(short.body.commit).toBe(SHA);
  });

  it('tears an environment down: its namespace goes, production and neighbours stay', async () => {
    const env = await setup();
    const a = await create(env.app, {
      entityRef: ORDERS,
      commit: SHA,
      profile: 'sample',
    });
    const b = await create(env.app, {
      entityRef: ORDERS,
      commit: OTHER_SHA,
      profile: 'sample',
      name: 'ci_ab12cd30',
    });
    await env.provisioner.settled();
    const before = listFiles(env.root);

    const torn = await request(env.app)
      .delete(`/environments/${a.body.id}`)
      .set('Authorization', user);
    expect(torn.status).toBe(202);
    expect(torn.body.status).toBe('tearing-down');
    await env.provisioner.settled();

    const after = listFiles(env.root);
    expect(after).toEqual(
      before.filter(
        f => !f.startsWith('envs/default/orders_daily/ci_ab12cd3/'),
      ),
    );
    expect(
      after.some(f => f.startsWith('envs/default/orders_daily/ci_ab12cd30/')),
    ).toBe(true);
    expect(after).toContain('lake/orders_daily/orders.csv');
    const gone = await request(env.app)
      .get(`/environments/${a.body.id}`)
      .set('Authorization', user);
    expect(gone.body.status).toBe('deleted');
    // Tearing down twice is not an error; the name is free again.
    const twice = await request(env.app)
      .delete(`/environments/${a.body.id}`)
      .set('Authorization', user);
    expect(twice.status).toBe(202);
    expect(twice.body.status).toBe('deleted');
    expect(
      (await create(env.app, { entityRef: ORDERS, commit: SHA })).status,
    ).toBe(201);
    expect(b.status).toBe(201);
  });

  it('never tears down production, and never lets the TTL touch it', async () => {
    let now = new Date('2026-11-24T10:00:00Z');
    const env = await setup({ now: () => now });
    const prod = await create(env.app, {
      entityRef: ORDERS,
      commit: SHA,
      stage: 'production',
    });
    expect(prod.status).toBe(201);
    expect(prod.body).toMatchObject({
      name: 'production',
      dataNamespace: `file://${env.root}/lake/orders_daily/`,
      expiresAt: null,
      profile: 'production-readonly',
    });
    const ci = await create(env.app, {
      entityRef: ORDERS,
      commit: SHA,
      ttl: 'PT6H',
      profile: 'sample',
    });
    await env.provisioner.settled();
    // The backend writes nothing into production's prefix.
    expect(listFiles(path.join(env.root, 'lake/orders_daily'))).toEqual([
      'orders.csv',
    ]);

    const refused = await request(env.app)
      .delete(`/environments/${prod.body.id}`)
      .set('Authorization', user);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(
      /production environments are never torn down/,
    );

    now = new Date('2026-11-24T15:59:00Z');
    await expect(env.provisioner.expire()).resolves.toBe(0);
    now = new Date('2026-11-24T16:01:00Z');
    await expect(env.provisioner.expire()).resolves.toBe(1);
    const got = async (id: string) =>
      (
        await request(env.app)
          .get(`/environments/${id}`)
          .set('Authorization', user)
      ).body;
    expect((await got(ci.body.id)).status).toBe('deleted');
    expect((await got(prod.body.id)).status).toBe('ready');
    expect(listFiles(path.join(env.root, 'lake'))).toContain(
      'orders_daily/orders.csv',
    );
    const history = await request(env.app)
      .get(`/environments/${ci.body.id}/history`)
      .set('Authorization', user);
    expect(history.body.items.at(-2)).toMatchObject({
      to: 'tearing-down',
      actor: 'system:dag-cicd',
      detail: { reason: 'ttl-expired' },
    });
  });

  it('removes everything a failed provisioning wrote and records why', async () => {
    const env = await setup({
      seeder: async options => {
        writeFile(
          env.root,
          'envs/default/orders_daily/ci_ab12cd3/inputs/orders/half.csv',
          'id\n',
        );
        throw new Error(`disk full while seeding ${options.namespace}`);
      },
    });
    const created = await create(env.app, {
      entityRef: ORDERS,
      commit: SHA,
      profile: 'sample',
    });
    await env.provisioner.settled();
    const got = await request(env.app)
      .get(`/environments/${created.body.id}`)
      .set('Authorization', user);
    expect(got.body.status).toBe('failed');
    expect(got.body.error).toMatch(/disk full/);
    expect(listFiles(path.join(env.root, 'envs'))).toEqual([]);
  });

  it('resumes on another replica what a stopped one left half done', async () => {
    let now = new Date('2026-11-24T10:00:00Z');
    const clock = () => now;
    // Replica A stops for good in the middle of seeding.
    const stalled = stalledSeeder();
    const a = await setup({ now: clock, seeder: stalled.seeder });
    const created = await create(a.app, {
      entityRef: ORDERS,
      commit: SHA,
      profile: 'sample',
      seed: 7,
    });
    await stalled.entered;
    expect((await a.store.get(created.body.id))?.stepsDone).toEqual([
      'namespace',
    ]);

    const b = await createEnvironmentApp({
      knex: (a.store as any).db,
      root: a.root,
      now: clock,
      instanceId: 'replica-b',
    });
    // Within A's lease, B leaves it alone.
    await expect(b.provisioner.resumeAbandoned()).resolves.toBe(0);
    now = new Date('2026-11-24T10:06:00Z');
    await expect(b.provisioner.resumeAbandoned()).resolves.toBe(1);
    await b.provisioner.settled();
    const record = await b.store.get(created.body.id);
    expect(record?.status).toBe('ready');
    expect(record?.stepsDone).toEqual([
      'namespace',
      'inputs',
      'artifacts',
      'connections',
      'registration',
    ]);
    expect(listFiles(path.join(a.root, 'envs'))).toContain(
      'default/orders_daily/ci_ab12cd3/inputs/orders/dt=2026-11-24/part-0.csv',
    );
    const history = await b.store.history(created.body.id);
    expect(
      history
        .filter(e => e.actor === 'system:dag-cicd')
        .map(e => e.step ?? e.to),
    ).toEqual(['inputs', 'artifacts', 'connections', 'registration', 'ready']);
  });

  describe('permissions', () => {
    it('forbids a caller without the permission', async () => {
      const env = await setup({
        decide: () => ({ result: AuthorizeResult.DENY }),
      });
      const denied = await create(env.app, { entityRef: ORDERS, commit: SHA });
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(
        'Not allowed: dag-cicd.environment.create on component:default/orders in stage ci',
      );
      expect(listFiles(env.root).filter(f => f.startsWith('envs/'))).toEqual(
        [],
      );
    });

    it('evaluates conditional decisions: owners of the DAG, in the stages the policy names', async () => {
      const conditional = (conditions: any) => (): PolicyDecision => ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'dag-cicd',
        resourceType: 'dag-cicd-environment',
        conditions,
      });
      const owner = await setup({
        decide: conditional({
          allOf: [
            dagCicdEnvironmentConditions.isEntityOwner({
              claims: ['group:default/data'],
            }),
            dagCicdEnvironmentConditions.isInStage({ stages: ['ci'] }),
          ],
        }),
      });
      expect(
        (await create(owner.app, { entityRef: ORDERS, commit: SHA })).status,
      ).toBe(201);
      expect(
        (
          await create(owner.app, {
            entityRef: ORDERS,
            commit: SHA,
            stage: 'staging',
          })
        ).status,
      ).toBe(403);

      const stranger = await setup({
        decide: conditional(
          dagCicdEnvironmentConditions.isEntityOwner({
            claims: ['group:default/web'],
          }),
        ),
      });
      expect(
        (await create(stranger.app, { entityRef: ORDERS, commit: SHA })).status,
      ).toBe(403);
    });

    it('lets a CI service principal create and tear down ci environments only', async () => {
      const env = await setup();
      const service = mockCredentials.service.header({
        onBehalfOf: mockCredentials.service('external:ci-pipeline'),
        targetPluginId: 'dag-cicd',
      });
      const ci = await create(
        env.app,
        { entityRef: ORDERS, commit: SHA },
        service,
      );
      expect(ci.status).toBe(201);
      expect(ci.body.createdBy).toBe('external:ci-pipeline');
      const staging = await create(
        env.app,
        { entityRef: ORDERS, commit: SHA, stage: 'staging' },
        service,
      );
      expect(staging.status).toBe(403);
      expect(staging.body.error.message).toMatch(
        /Service principals may not create environments in stage staging; only in ci/,
      );
      await env.provisioner.settled();
      const torn = await request(env.app)
        .delete(`/environments/${ci.body.id}`)
        .set('Authorization', service);
      expect(torn.status).toBe(202);
    });
  });

  describe('bad input', () => {
    // Each case must be a 4xx naming the problem, and must write nothing:
    // no row, no file anywhere under the store.
    it.each<[string, object, number, RegExp]>([
      ['no entity', { commit: SHA }, 400, /entityRef/],
      ['no commit', { entityRef: ORDERS }, 400, /commit/],
      [
        'unknown entity',
        { entityRef: 'component:default/nope', commit: SHA },
        404,
        /No entity component:default\/nope/,
      ],
      [
        'not a DAG',
        { entityRef: 'component:default/website', commit: SHA },
        400,
        /not an Airflow DAG/,
      ],
      [
        'malformed entity ref',
        { entityRef: 'component:/../x', commit: SHA },
        400,
        /entity ref/,
      ],
      [
        'unknown stage',
        { entityRef: ORDERS, commit: SHA, stage: 'prod' },
        400,
        /Unknown stage "prod"/,
      ],
      ['bad SHA', { entityRef: ORDERS, commit: 'not-a-sha' }, 400, /commit/],
      ['SHA too long', { entityRef: ORDERS, commit: `${SHA}0` }, 400, /commit/],
      [
        'name escaping',
        { entityRef: ORDERS, commit: SHA, name: '../../lake' },
        400,
        /name/,
      ],
      [
        'name absolute',
        { entityRef: ORDERS, commit: SHA, name: '/etc' },
        400,
        /name/,
      ],
      [
        'name encoded',
        { entityRef: ORDERS, commit: SHA, name: 'ci%2f..' },
        400,
        /name/,
      ],
      [
        'name look-alike',
        { entityRef: ORDERS, commit: SHA, name: 'ci\u2024\u2024' },
        400,
        /name/,
      ],
      [
        'name too long',
        { entityRef: ORDERS, commit: SHA, name: `c${'x'.repeat(63)}` },
        400,
        /name/,
      ],
      [
        'unknown profile',
        { entityRef: ORDERS, commit: SHA, profile: 'everything' },
        400,
        /profile/,
      ],
      [
        'profile escaping',
        { entityRef: ORDERS, commit: SHA, profile: 'fixtures:../../lake' },
        400,
        /profile|fixture/,
      ],
      [
        'missing fixture set',
        { entityRef: ORDERS, commit: SHA, profile: 'fixtures:big' },
        400,
        /fixture set big not found/,
      ],
      [
        'missing source environment',
        { entityRef: ORDERS, commit: SHA, profile: 'from:ci_gone' },
        400,
        /no ready environment named ci_gone/,
      ],
      [
        'TTL too long',
        { entityRef: ORDERS, commit: SHA, ttl: 'P365D' },
        400,
        /ttl P365D is out of range/,
      ],
      [
        'TTL too short',
        { entityRef: ORDERS, commit: SHA, ttl: 'PT1M' },
        400,
        /out of range/,
      ],
      [
        'TTL not a duration',
        { entityRef: ORDERS, commit: SHA, ttl: '3 days' },
        400,
        /ISO 8601 duration/,
      ],
      [
        'TTL in production',
        { entityRef: ORDERS, commit: SHA, stage: 'production', ttl: 'P1D' },
        400,
        /production environments do not expire/,
      ],
      [
        'sampling production',
        {
          entityRef: ORDERS,
          commit: SHA,
          stage: 'production',
          profile: 'sample',
        },
        400,
        /use production-readonly/,
      ],
      [
        'unknown template variable',
        {
          entityRef: ORDERS,
          commit: SHA,
          artifacts: { jar: 's3://a/{comit}/x.jar' },
        },
        400,
        /artifacts.jar: unknown template variable \{comit\}/,
      ],
      [
        'artifact not a URI',
        { entityRef: ORDERS, commit: SHA, artifacts: { jar: '{commit}.jar' } },
        400,
        /not a URI/,
      ],
      [
        'bad conn_id',
        {
          entityRef: ORDERS,
          commit: SHA,
          connections: { spark_default: 'spark ci' },
        },
        400,
        /conn_id/,
      ],
      [
        'unknown field',
        { entityRef: ORDERS, commit: SHA, namespace: 'file:///' },
        400,
        /unknown field "namespace"/,
      ],
      [
        'seed out of range',
        { entityRef: ORDERS, commit: SHA, seed: -1 },
        400,
        /seed/,
      ],
    ])('%s', async (_, body, status, message) => {
      const env = await setup();
      const files = listFiles(env.root);
      const response = await create(env.app, body);
      expect(response.status).toBe(status);
      expect(response.body.error.message).toMatch(message);
      await env.provisioner.settled();
      expect(listFiles(env.root)).toEqual(files);
      const rows = await (env.store as any)
        .db('dag_cicd_environments')
        .count({ n: '*' });
      expect(Number(rows[0].n)).toBe(0);
    });

    it('refuses a namespace that would overlap production', async () => {
      const knex = await databases.init('SQLITE_3');
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-overlap-'));
      const env = await createEnvironmentApp({
        knex,
        root,
        config: {
          // Misconfigured: production's prefix contains every environment.
          dags: [
            {
              entityRef: ORDERS,
              productionPrefix: `file://${root}/envs/default/`,
            },
          ],
        },
      });
      const response = await create(env.app, {
        entityRef: ORDERS,
        commit: SHA,
      });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(
        /would overlap the production prefix/,
      );
      expect(listFiles(root)).toEqual([]);
    });

    it('never answers 5xx nor writes outside the namespace, whatever the fields hold', async () => {
      const env = await setup();
      const outside = listFiles(env.root).filter(f => !f.startsWith('envs/'));
      const hostile = fc.oneof(
        fc.constantFrom(
          '..',
          '../..',
          '/etc',
          '%2e%2e',
          'ci\\..',
          '\u2024\u2024',
          'a/../../b',
          '',
          ' ',
          'ci_1/',
          'file:///etc/',
        ),
        fc.string({ maxLength: 80 }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.record(
            {
              name: hostile,
              profile: fc.oneof(
                hostile,
                hostile.map(h => `fixtures:${h}`),
                hostile.map(h => `from:${h}`),
              ),
              stage: hostile,
              ttl: hostile,
              artifacts: fc.dictionary(hostile, hostile, { maxKeys: 2 }),
              connections: fc.dictionary(hostile, hostile, { maxKeys: 2 }),
            },
            { requiredKeys: [] },
          ),
          async fields => {
            const response = await create(env.app, {
              entityRef: ORDERS,
              commit: SHA,
              ...fields,
            });
            expect(response.status).toBeLessThan(500);
            await env.provisioner.settled();
            // Whatever was accepted lives where it must, and goes again.
            const namespace: string =
              response.body.dataNamespace ??
              `${env.storeRoot}default/orders_daily/`;
            expect(
              namespace.startsWith(`${env.storeRoot}default/orders_daily/`),
            ).toBe(true);
            if (response.status < 300) {
              await request(env.app)
                .delete(`/environments/${response.body.id}`)
                .set('Authorization', user);
              await env.provisioner.settled();
            }
            expect(
              listFiles(env.root).filter(f => !f.startsWith('envs/')),
            ).toEqual(outside);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('answers an oversize body with a 4xx, not 500', async () => {
      const env = await setup();
      const response = await create(env.app, {
        entityRef: ORDERS,
        commit: SHA,
        artifacts: Object.fromEntries(
          Array.from({ length: 60 }, (_, i) => [
            `a${i}`,
            `s3://x/${'y'.repeat(2000)}`,
          ]),
        ),
      });
      expect([400, 413]).toContain(response.status);
      expect(response.body.error.message).toMatch(/too large/);
    });

    it('answers an unknown or malformed environment id with 404 or 400', async () => {
      const env = await setup();
      const missing = await request(env.app)
        .get('/environments/3b241101-e2bb-4255-8caf-4136c566a962')
        .set('Authorization', user);
      expect(missing.status).toBe(404);
      const malformed = await request(env.app)
        .delete('/environments/..%2F..%2Fetc')
        .set('Authorization', user);
      expect(malformed.status).toBe(400);
    });
  });
});

describe('stages API', () => {
  const stages = (
    app: Awaited<ReturnType<typeof setup>>['app'],
    auth: string,
  ) => request(app).get('/stages').set('Authorization', auth);

  it('answers the configured stages in lane order, production flagged', async () => {
    // Production in the middle: the order is the configuration's, and the
    // flag is the configured one, not "the last stage".
    const env = await setup({
      config: {
        stages: [
          { name: 'dev' },
          { name: 'live', production: true },
          { name: 'sandbox', connections: { spark_default: 'spark_sb' } },
        ],
      },
    });
    const response = await stages(env.app, user);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      items: [
        { name: 'dev', production: false },
        { name: 'live', production: true },
        { name: 'sandbox', production: false },
      ],
    });
  });

  it('makes the last stage production when none is flagged, and answers CI services too', async () => {
    const env = await setup();
    const ciService = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('external:ci-pipeline'),
      targetPluginId: 'dag-cicd',
    });
    const response = await stages(env.app, ciService);
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      { name: 'ci', production: false },
      { name: 'staging', production: false },
      { name: 'production', production: true },
    ]);
  });

  it('answers 401 without credentials', async () => {
    const env = await setup();
    const response = await stages(env.app, mockCredentials.none.header());
    expect(response.status).toBe(401);
  });
});

import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import request from 'supertest';
import { createEnvironmentApp, ORDERS } from '../__testUtils__/environmentApp';
import { environmentRecord } from '../__testUtils__/records';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { EnvironmentRecord } from '../database/EnvironmentStore';
import { dagCicdEnvironmentConditions } from '../permissions';
import { RunStore } from '../runs/RunStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const user = mockCredentials.user.header();
const BILLING = 'component:default/billing';
const GHOST = 'component:default/ghost';
const WEBSITE = 'component:default/website';
const lease = { owner: 'replica-a', until: new Date('2026-11-20T10:05:00Z') };
const minute = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m));

// A second DAG, owned by another team.
const billingEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'billing',
    namespace: 'default',
    annotations: {
      'airflow.apache.org/dag-id': 'billing_hourly',
      'airflow.apache.org/instance': 'local',
    },
  },
  spec: { type: 'airflow-dag', owner: 'group:default/web', lifecycle: 'x' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/web' }],
};

const conditional = (conditions: any) => (): PolicyDecision => ({
  result: AuthorizeResult.CONDITIONAL,
  pluginId: 'dag-cicd',
  resourceType: 'dag-cicd-environment',
  conditions,
});

// Environments of two DAGs the catalog knows, one it does not know any more
// and one entity that is not a DAG; each older than the one before.
const seeded: Array<Partial<EnvironmentRecord>> = [
  { entityRef: ORDERS, stage: 'ci', name: 'ci_aaa1111', status: 'ready' },
  { entityRef: ORDERS, stage: 'ci', name: 'ci_bbb2222', status: 'failed' },
  {
    entityRef: ORDERS,
    stage: 'staging',
    name: 'staging',
    status: 'ready',
    expiresAt: undefined,
  },
  { entityRef: BILLING, stage: 'ci', name: 'ci_ccc3333', status: 'ready' },
  {
    entityRef: BILLING,
    stage: 'production',
    name: 'production',
    status: 'ready',
    expiresAt: undefined,
  },
  { entityRef: GHOST, stage: 'ci', name: 'ci_ddd4444', status: 'ready' },
  { entityRef: WEBSITE, stage: 'ci', name: 'ci_eee5555', status: 'ready' },
];

describe.each(databases.eachSupportedId())(
  'GET /environments across entities on %s',
  (databaseId: TestDatabaseId) => {
    async function setup(decide?: () => PolicyDecision) {
      const knex = await databases.init(databaseId);
      const env = await createEnvironmentApp({
        knex,
        decide,
        entities: [billingEntity],
      });
      const records = seeded.map((overrides, i) =>
        environmentRecord({
          ...overrides,
          createdAt: minute(50 - i),
          updatedAt: minute(50 - i),
          ...('expiresAt' in overrides
            ? {}
            : { expiresAt: new Date(Date.UTC(2026, 10, 27, i)) }),
        }),
      );
      for (const record of records) await env.store.insert(record, lease);
      const list = (query: Record<string, unknown> = {}) =>
        request(env.app)
          .get('/environments')
          .query(query)
          .set('Authorization', user);
      return { ...env, knex, records, list };
    }
    const names = (body: { items: Array<{ name: string }> }) =>
      body.items.map(e => e.name);

    it('lists the environments of every DAG the caller may see, newest first', async () => {
      const env = await setup();
      const all = await env.list();
      expect(all.status).toBe(200);
      // Not the DAG gone from the catalog, nor the entity that is no DAG.
      expect(names(all.body)).toEqual([
        'ci_aaa1111',
        'ci_bbb2222',
        'staging',
        'ci_ccc3333',
        'production',
      ]);
      expect(all.body.totalCount).toBe(5);

      // Pages neither repeat nor skip, and count the same total.
      const pages = await Promise.all(
        [0, 2, 4].map(offset => env.list({ limit: 2, offset })),
      );
      expect(pages.flatMap(p => names(p.body))).toEqual(names(all.body));
      expect(pages.map(p => p.body.totalCount)).toEqual([5, 5, 5]);
    });

    it('filters by stage, status and name; "_" and "%" are text, not wildcards', async () => {
      const env = await setup();
      expect(names((await env.list({ stage: 'ci' })).body)).toEqual([
        'ci_aaa1111',
        'ci_bbb2222',
        'ci_ccc3333',
      ]);
      expect(names((await env.list({ status: 'failed' })).body)).toEqual([
        'ci_bbb2222',
      ]);
      expect(names((await env.list({ name: 'CCC' })).body)).toEqual([
        'ci_ccc3333',
      ]);
      expect(names((await env.list({ name: 'i_' })).body)).toEqual([
        'ci_aaa1111',
        'ci_bbb2222',
        'ci_ccc3333',
      ]);
      expect((await env.list({ name: '%' })).body).toEqual({
        items: [],
        totalCount: 0,
      });
    });

    it('orders by a named field either way; environments that never expire come last', async () => {
      const env = await setup();
      expect(
        names((await env.list({ orderBy: 'name', order: 'asc' })).body),
      ).toEqual([
        'ci_aaa1111',
        'ci_bbb2222',
        'ci_ccc3333',
        'production',
        'staging',
      ]);
      expect(
        names((await env.list({ orderBy: 'expiresAt', order: 'asc' })).body),
      ).toEqual([
        'ci_aaa1111',
        'ci_bbb2222',
        'ci_ccc3333',
        'staging',
        'production',
      ]);
      expect(
        names((await env.list({ orderBy: 'expiresAt', order: 'desc' })).body),
      ).toEqual([
        'ci_ccc3333',
        'ci_bbb2222',
        'ci_aaa1111',
        'staging',
        'production',
      ]);
      const byStage = await env.list({ orderBy: 'stage', order: 'desc' });
      expect(byStage.body.items.map((e: any) => e.stage)).toEqual([
        'staging',
        'production',
        'ci',
        'ci',
        'ci',
      ]);
      const bad = await env.list({ orderBy: 'created_at; drop table x' });
      expect(bad.status).toBe(400);
    });

    it('applies a conditional decision to the query: owners, stages, and both', async () => {
      const owner = await setup(
        conditional(
          dagCicdEnvironmentConditions.isEntityOwner({
            claims: ['group:default/web'],
          }),
        ),
      );
      expect(names((await owner.list()).body)).toEqual([
        'ci_ccc3333',
        'production',
      ]);

      const ci = await setup(
        conditional(dagCicdEnvironmentConditions.isInStage({ stages: ['ci'] })),
      );
      const ciPage = await ci.list({ limit: 2 });
      expect(names(ciPage.body)).toEqual(['ci_aaa1111', 'ci_bbb2222']);
      expect(ciPage.body.totalCount).toBe(3);

      const either = await setup(
        conditional({
          anyOf: [
            dagCicdEnvironmentConditions.isProduction(),
            {
              allOf: [
                dagCicdEnvironmentConditions.isEntityOwner({
                  claims: ['group:default/data'],
                }),
                {
                  not: dagCicdEnvironmentConditions.isInStage({
                    stages: ['staging'],
                  }),
                },
              ],
            },
          ],
        }),
      );
      expect(names((await either.list()).body)).toEqual([
        'ci_aaa1111',
        'ci_bbb2222',
        'production',
      ]);
      // Each environment listed can be read by id too.
      for (const item of (await either.list()).body.items) {
        const one = await request(either.app)
          .get(`/environments/${item.id}`)
          .set('Authorization', user);
        expect(one.status).toBe(200);
      }
    });

    it('answers an empty page to a caller who may read nothing', async () => {
      const env = await setup(() => ({ result: AuthorizeResult.DENY }));
      const denied = await env.list();
      expect(denied.status).toBe(200);
      expect(denied.body).toEqual({ items: [], totalCount: 0 });
    });

    it('shows each environment its newest run, read for the whole page at once', async () => {
      const env = await setup();
      const [withRuns, withOne] = env.records;
      const runs = new RunStore(env.knex);
      const run = (environmentId: string, m: number, state: any) => ({
        id: `00000000-0000-4000-8000-${String(m).padStart(12, '0')}`,
        environmentId,
        instance: 'local',
        dagId: 'orders_daily',
        dagRunId: `run_${m}`,
        state,
        conf: {},
        tasks: [],
        startedBy: 'user:default/alice',
        createdAt: minute(m),
        updatedAt: minute(m),
        ...(state === 'success' && { endDate: minute(m + 1) }),
      });
      await runs.insert(run(withRuns.id, 1, 'success'));
      await runs.insert(run(withRuns.id, 3, 'running'));
      await runs.insert(run(withRuns.id, 2, 'failed'));
      await runs.insert(run(withOne.id, 4, 'success'));

      const queries: string[] = [];
      env.knex.on('query', (q: { sql: string }) => queries.push(q.sql));
      const page = await env.list();
      env.knex.removeAllListeners('query');
      const byName = Object.fromEntries(
        page.body.items.map((e: any) => [e.name, e]),
      );
      expect(byName.ci_aaa1111.lastRun).toEqual({
        id: run(withRuns.id, 3, 'running').id,
        dagRunId: 'run_3',
        state: 'running',
        createdAt: minute(3).toISOString(),
        endDate: null,
      });
      expect(byName.ci_bbb2222.lastRun).toMatchObject({
        dagRunId: 'run_4',
        state: 'success',
        endDate: minute(5).toISOString(),
      });
      expect(byName.staging.lastRun).toBeUndefined();
      expect(
        queries.filter(sql => /from [`"]?dag_cicd_runs[`"]?/i.test(sql)),
      ).toHaveLength(1);

      const one = await request(env.app)
        .get(`/environments/${withRuns.id}`)
        .set('Authorization', user);
      expect(one.body.lastRun).toMatchObject({ dagRunId: 'run_3' });
    });
  },
);

describe('PATCH /environments/{id}', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const HOUR = 3_600_000;

  async function setup(
    overrides: Partial<EnvironmentRecord> = {},
    decide?: () => PolicyDecision,
  ) {
    const auditor = mockServices.auditor.mock();
    const env = await createEnvironmentApp({
      knex: await databases.init('SQLITE_3'),
      now: () => now,
      auditor,
      decide,
      config: { environments: { maxTtl: { days: 7 } } },
    });
    const record = environmentRecord(overrides);
    await env.store.insert(record, lease);
    const patch = (body: object) =>
      request(env.app)
        .patch(`/environments/${record.id}`)
        .set('Authorization', user)
        .send(body);
    return { ...env, auditor, record, patch };
  }

  it('sets the expiry to now plus the TTL, records and audits it', async () => {
    const env = await setup();
    const patched = await env.patch({ ttl: 'P2DT6H' });
    expect(patched.status).toBe(200);
    expect(patched.body.expiresAt).toBe(
      new Date(now.getTime() + 54 * HOUR).toISOString(),
    );
    const history = await request(env.app)
      .get(`/environments/${env.record.id}/history`)
      .set('Authorization', user);
    expect(history.status).toBe(200);
    expect(history.body.items.at(-1)).toMatchObject({
      type: 'expiry',
      actor: 'user:default/mock',
      at: now.toISOString(),
      detail: {
        ttl: 'P2DT6H',
        previous: env.record.expiresAt!.toISOString(),
        expiresAt: patched.body.expiresAt,
      },
    });
    expect(env.auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'environment-update',
        meta: { id: env.record.id, ttl: 'P2DT6H' },
      }),
    );
  });

  it.each([
    ['P8D', /out of range.*168 hours \(dagCicd.environments.maxTtl\)/],
    ['PT1M', /out of range/],
    ['6 hours', /ttl "6 hours" is not an ISO 8601 duration/],
  ])('refuses ttl %s with 400', async (ttl, message) => {
    const env = await setup();
    const refused = await env.patch({ ttl });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(message);
    await expect(env.store.get(env.record.id)).resolves.toEqual(env.record);
  });

  it('refuses a TTL for production, which never expires', async () => {
    const env = await setup({
      stage: 'production',
      name: 'production',
      expiresAt: undefined,
    });
    const refused = await env.patch({ ttl: 'PT6H' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(
      /production environments do not expire/,
    );
  });

  it.each(['failed', 'tearing-down', 'deleted'] as const)(
    'answers 409 for an environment that is %s',
    async status => {
      const env = await setup({ status });
      const refused = await env.patch({ ttl: 'PT6H' });
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toBe(
        `ci_ab12cd3 is ${status}; only a provisioning or ready environment gets a new TTL`,
      );
    },
  );

  it('needs dag-cicd.environment.create on the entity in the stage', async () => {
    const env = await setup(
      {},
      conditional(
        dagCicdEnvironmentConditions.isInStage({ stages: ['staging'] }),
      ),
    );
    const denied = await env.patch({ ttl: 'PT6H' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/dag-cicd.environment.create/);
  });

  it('refuses unknown fields and a missing ttl', async () => {
    const env = await setup();
    expect((await env.patch({})).status).toBe(400);
    expect((await env.patch({ ttl: 'PT6H', name: 'x' })).status).toBe(400);
  });
});

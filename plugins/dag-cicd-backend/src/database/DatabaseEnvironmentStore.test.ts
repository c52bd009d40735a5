import { TestDatabaseId } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import {
  DatabaseEnvironmentStore,
  EnvironmentRow,
} from './DatabaseEnvironmentStore';
import { applyDatabaseMigrations } from './migrations';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

function row(overrides: Partial<EnvironmentRow>): EnvironmentRow {
  const sha = 'ab12cd3'.padEnd(40, '0');
  return {
    id: randomUUID(),
    entity_ref: 'component:default/orders',
    stage: 'ci',
    name: 'ci_ab12cd3',
    commit_sha: sha,
    data_namespace: 'file:///data/default/orders/ci_ab12cd3/',
    inputs: JSON.stringify({
      events: { uri: 'file:///prod/events/', mode: 'read-only' },
    }),
    artifacts: JSON.stringify({ etl_py: `file:///artifacts/${sha}/etl.py` }),
    connections: JSON.stringify({ spark_default: 'spark_ci' }),
    profile: 'production-readonly',
    status: 'ready',
    error: null,
    created_by: 'user:default/alice',
    created_at: new Date('2026-11-20T10:00:00Z'),
    updated_at: new Date('2026-11-20T10:00:00Z'),
    expires_at: new Date('2026-11-27T10:00:00Z'),
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseEnvironmentStore on %s',
  (databaseId: TestDatabaseId) => {
    let knex: Knex;
    let store: DatabaseEnvironmentStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      store = new DatabaseEnvironmentStore(knex);
    });

    beforeEach(async () => {
      await knex('dag_cicd_environments').delete();
    });

    it('lists nothing for an entity without environments', async () => {
      await expect(
        store.list(
          { entityRef: 'component:default/orders' },
          { limit: 10, offset: 0 },
        ),
      ).resolves.toEqual({ items: [], totalCount: 0 });
    });

    it('maps every column of a stored environment', async () => {
      const stored = row({});
      await knex('dag_cicd_environments').insert(stored);
      const page = await store.list(
        { entityRef: 'component:default/orders' },
        { limit: 10, offset: 0 },
      );
      expect(page.totalCount).toBe(1);
      expect(page.items[0]).toEqual({
        id: stored.id,
        entityRef: 'component:default/orders',
        stage: 'ci',
        name: 'ci_ab12cd3',
        commit: stored.commit_sha,
        dataNamespace: 'file:///data/default/orders/ci_ab12cd3/',
        inputs: { events: { uri: 'file:///prod/events/', mode: 'read-only' } },
        artifacts: { etl_py: `file:///artifacts/${stored.commit_sha}/etl.py` },
        connections: { spark_default: 'spark_ci' },
        profile: 'production-readonly',
        status: 'ready',
        error: undefined,
        createdBy: 'user:default/alice',
        createdAt: new Date('2026-11-20T10:00:00Z'),
        updatedAt: new Date('2026-11-20T10:00:00Z'),
        expiresAt: new Date('2026-11-27T10:00:00Z'),
      });
    });

    it('lists only the given entity, newest first, with the total of all pages', async () => {
      const rows = [1, 2, 3, 4, 5].map(day =>
        row({
          name: `ci_000000${day}`,
          created_at: new Date(`2026-11-0${day}T00:00:00Z`),
        }),
      );
      await knex('dag_cicd_environments').insert([
        ...rows,
        row({ entity_ref: 'component:default/billing' }),
      ]);

      const first = await store.list(
        { entityRef: 'component:default/orders' },
        { limit: 2, offset: 0 },
      );
      const last = await store.list(
        { entityRef: 'component:default/orders' },
        { limit: 2, offset: 4 },
      );

      expect(first.totalCount).toBe(5);
      expect(first.items.map(e => e.name)).toEqual([
        'ci_0000005',
        'ci_0000004',
      ]);
      expect(last.items.map(e => e.name)).toEqual(['ci_0000001']);
    });

    it('filters by stage and status', async () => {
      await knex('dag_cicd_environments').insert([
        row({ name: 'ci_1111111', status: 'ready' }),
        row({ name: 'ci_2222222', status: 'failed', error: 'boom' }),
        row({ name: 'staging', stage: 'staging', status: 'ready' }),
      ]);
      const entityRef = 'component:default/orders';
      const page = { limit: 10, offset: 0 };

      const failed = await store.list({ entityRef, status: 'failed' }, page);
      const staging = await store.list({ entityRef, stage: 'staging' }, page);
      const readyCi = await store.list(
        { entityRef, stage: 'ci', status: 'ready' },
        page,
      );

      expect(failed.items.map(e => [e.name, e.error])).toEqual([
        ['ci_2222222', 'boom'],
      ]);
      expect(staging.items.map(e => e.name)).toEqual(['staging']);
      expect(readyCi.items.map(e => e.name)).toEqual(['ci_1111111']);
    });

    it('refuses a second environment with the same entity, stage and name', async () => {
      await knex('dag_cicd_environments').insert(row({}));
      await expect(
        knex('dag_cicd_environments').insert(
          row({ commit_sha: 'f'.repeat(40) }),
        ),
      ).rejects.toThrow(/unique|UNIQUE/);
    });
  },
);

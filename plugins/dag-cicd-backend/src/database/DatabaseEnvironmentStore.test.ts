import { TestDatabaseId, mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { DatabaseEnvironmentStore } from './DatabaseEnvironmentStore';
import { EnvironmentExistsError } from './EnvironmentStore';
import { applyDatabaseMigrations } from './migrations';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { environmentRecord } from '../__testUtils__/records';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const lease = { owner: 'replica-a', until: new Date('2026-11-20T10:05:00Z') };
const t = (minute: number) =>
  new Date(`2026-11-20T10:${String(minute).padStart(2, '0')}:00Z`);

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
      await knex('dag_cicd_environment_events').delete();
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

    it('round-trips every field of an environment and records its creation', async () => {
      const record = environmentRecord({ status: 'provisioning' });
      await store.insert(record, lease);
      await expect(store.get(record.id)).resolves.toEqual(record);
      await expect(
        store.getLive(record.entityRef, 'ci', 'ci_ab12cd3'),
      ).resolves.toEqual(record);
      const [created] = await store.history(record.id);
      expect(created).toMatchObject({
        type: 'transition',
        to: 'provisioning',
        actor: 'user:default/alice',
        at: record.createdAt,
      });
      expect(created.from).toBeUndefined();
    });

    it('lists only the given entity, newest first, with the total of all pages', async () => {
      for (const day of [1, 2, 3, 4, 5]) {
        await store.insert(
          environmentRecord({
            name: `ci_000000${day}`,
            createdAt: new Date(`2026-11-0${day}T00:00:00Z`),
          }),
          lease,
        );
      }
      await store.insert(
        environmentRecord({ entityRef: 'component:default/billing' }),
        lease,
      );
      const entityRef = 'component:default/orders';
      const first = await store.list({ entityRef }, { limit: 2, offset: 0 });
      const last = await store.list({ entityRef }, { limit: 2, offset: 4 });
      expect(first.totalCount).toBe(5);
      expect(first.items.map(e => e.name)).toEqual([
        'ci_0000005',
        'ci_0000004',
      ]);
      expect(last.items.map(e => e.name)).toEqual(['ci_0000001']);
    });

    it('filters by stage and status', async () => {
      await store.insert(environmentRecord({ name: 'ci_1111111' }), lease);
      await store.insert(
        environmentRecord({
          name: 'ci_2222222',
          status: 'failed',
          error: 'boom',
        }),
        lease,
      );
      await store.insert(
        environmentRecord({ name: 'staging', stage: 'staging' }),
        lease,
      );
      const entityRef = 'component:default/orders';
      const page = { limit: 10, offset: 0 };
      const failed = await store.list({ entityRef, status: 'failed' }, page);
      const staging = await store.list({ entityRef, stage: 'staging' }, page);
      expect(failed.items.map(e => [e.name, e.error])).toEqual([
        ['ci_2222222', 'boom'],
      ]);
      expect(staging.items.map(e => e.name)).toEqual(['staging']);
    });

    it('lets exactly one of many concurrent inserts of a name win', async () => {
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          store.insert(environmentRecord({ requestHash: `h${i}` }), lease),
        ),
      );
      const won = attempts.filter(a => a.status === 'fulfilled');
      const lost = attempts.filter(
        (a): a is PromiseRejectedResult => a.status === 'rejected',
      );
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      const winner = (won[0] as PromiseFulfilledResult<{ id: string }>).value;
      for (const loss of lost) {
        expect(loss.reason).toBeInstanceOf(EnvironmentExistsError);
        expect(loss.reason.existing.id).toBe(winner.id);
      }
      const page = await store.list(
        { entityRef: 'component:default/orders' },
        { limit: 10, offset: 0 },
      );
      expect(page.totalCount).toBe(1);
    });

    it('frees a name once its environment is deleted, keeping the old one and its history', async () => {
      const old = environmentRecord({ status: 'tearing-down' });
      await store.insert(old, lease);
      await store.transition(old.id, {
        from: ['tearing-down'],
        to: 'deleted',
        actor: 'system:dag-cicd',
        at: t(1),
      });
      const again = environmentRecord();
      await expect(store.insert(again, lease)).resolves.toEqual(again);
      expect((await store.get(old.id))?.status).toBe('deleted');
      expect(
        (await store.getLive(again.entityRef, 'ci', 'ci_ab12cd3'))?.id,
      ).toBe(again.id);
    });

    it('applies a transition only from the expected statuses, once', async () => {
      const record = environmentRecord({ status: 'provisioning' });
      await store.insert(record, lease);
      const toReady = {
        from: ['provisioning' as const],
        to: 'ready' as const,
        actor: 'user:default/alice',
        at: t(2),
      };
      const [a, b] = await Promise.all([
        store.transition(record.id, toReady, {
          inputs: { x: { uri: 'file:///x/', mode: 'copy' } },
        }),
        store.transition(record.id, toReady),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const after = await store.get(record.id);
      expect(after?.status).toBe('ready');
      const history = await store.history(record.id);
      expect(
        history.filter(e => e.type === 'transition').map(e => e.to),
      ).toEqual(['provisioning', 'ready']);
      await expect(
        store.transition(record.id, { ...toReady, to: 'failed' }),
      ).resolves.toBeUndefined();
    });

    it('records steps and hands a lease to one claimant at a time', async () => {
      const record = environmentRecord({ status: 'provisioning' });
      await store.insert(record, lease);
      const by = { actor: 'user:default/alice', at: t(1), leaseUntil: t(6) };
      await store.completeSteps(record.id, [{ step: 'namespace' }], by);
      await store.completeSteps(
        record.id,
        [{ step: 'namespace' }, { step: 'inputs', detail: { n: 1 } }],
        by,
      );
      expect((await store.get(record.id))?.stepsDone).toEqual([
        'namespace',
        'inputs',
      ]);

      // Still leased to replica-a until 10:06.
      await expect(
        store.claim(record.id, { owner: 'replica-b', until: t(10), now: t(3) }),
      ).resolves.toBeUndefined();
      expect(await store.findAbandoned(t(3), 10)).toEqual([]);
      // The lease ran out: of two replicas racing, one gets it.
      expect((await store.findAbandoned(t(7), 10)).map(e => e.id)).toEqual([
        record.id,
      ]);
      const claims = await Promise.all(
        ['replica-b', 'replica-c'].map(owner =>
          store.claim(record.id, { owner, until: t(12), now: t(7) }),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('finds expired ready and failed environments, never busy or deleted ones', async () => {
      const past = new Date('2026-11-21T00:00:00Z');
      const now = new Date('2026-11-22T00:00:00Z');
      const ready = environmentRecord({ name: 'ci_1', expiresAt: past });
      const failed = environmentRecord({
        name: 'ci_2',
        status: 'failed',
        expiresAt: past,
      });
      const busy = environmentRecord({
        name: 'ci_3',
        status: 'provisioning',
        expiresAt: past,
      });
      const later = environmentRecord({
        name: 'ci_4',
        expiresAt: new Date('2026-12-01T00:00:00Z'),
      });
      const never = environmentRecord({
        name: 'production',
        stage: 'production',
        expiresAt: undefined,
      });
      for (const r of [ready, failed, busy, later, never]) {
        await store.insert(r, lease);
      }
      const expired = await store.findExpired(now, 10);
      expect(expired.map(e => e.name).sort()).toEqual(['ci_1', 'ci_2']);
    });

    it('resolves commits by prefix within one entity', async () => {
      await store.insert(environmentRecord(), lease);
      await store.insert(
        environmentRecord({
          entityRef: 'component:default/billing',
          commit: 'ab12ffff'.padEnd(40, '1'),
        }),
        lease,
      );
      const found = await store.findByCommitPrefix(
        'component:default/orders',
        'ab12',
      );
      expect(found.map(e => e.commit)).toEqual(['ab12cd3'.padEnd(40, '0')]);
      // LIKE wildcards in the prefix match nothing special.
      await expect(
        store.findByCommitPrefix('component:default/orders', '%'),
      ).resolves.toHaveLength(1);
    });
  },
);

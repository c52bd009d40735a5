import { TestDatabaseId, mockServices } from '@backstage/backend-test-utils';
import { GateDecision } from '@dag-cicd/plugin-dag-cicd-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { DatabaseEnvironmentStore } from '../database/DatabaseEnvironmentStore';
import { EnvironmentRecord } from '../database/EnvironmentStore';
import { applyDatabaseMigrations } from '../database/migrations';
import { RunStore } from '../runs/RunStore';
import { environmentRecord } from '../__testUtils__/records';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseGateContext } from './DatabaseGateContext';
import { builtInGates } from './gates';
import {
  COMMIT,
  OTHER_COMMIT,
  promotionSubject,
  taskManifest,
} from './gates/__testUtils__/gateContext';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const lease = { owner: 'test', until: new Date('2026-11-24T00:00:00Z') };
const at = (hour: number, minute = 0) =>
  new Date(Date.UTC(2026, 10, 23, hour, minute));

describe.each(databases.eachSupportedId())(
  'DatabaseGateContext on %s',
  (databaseId: TestDatabaseId) => {
    let knex: Knex;
    let environments: DatabaseEnvironmentStore;
    let runStore: RunStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      environments = new DatabaseEnvironmentStore(knex);
      runStore = new RunStore(knex);
    });

    beforeEach(async () => {
      await knex('dag_cicd_environments').delete();
    });

    async function environment(
      overrides: Partial<EnvironmentRecord>,
    ): Promise<EnvironmentRecord> {
      const record = environmentRecord({
        id: randomUUID(),
        stage: 'staging',
        name: `env_${randomUUID().slice(0, 8)}`,
        commit: COMMIT,
        createdAt: at(1),
        ...overrides,
      });
      await environments.insert(record, lease);
      return record;
    }

    async function run(
      env: EnvironmentRecord,
      createdAt: Date,
      state: 'success' | 'failed' | 'running' = 'success',
    ): Promise<string> {
      const id = randomUUID();
      await runStore.insert({
        id,
        environmentId: env.id,
        instance: 'local',
        dagId: 'orders',
        dagRunId: `dag_cicd__${env.name}__${createdAt.getTime()}`,
        state,
        conf: {},
        tasks: [],
        startedBy: 'user:default/alice',
        createdAt,
        updatedAt: createdAt,
        ...(state !== 'running' && { endDate: createdAt }),
      });
      return id;
    }

    const context = (
      overrides: Partial<
        ConstructorParameters<typeof DatabaseGateContext>[0]
      > = {},
    ) =>
      new DatabaseGateContext({
        knex,
        promotion: promotionSubject(),
        now: at(12),
        decisions: async () => [],
        groupMembers: async () => [],
        ...overrides,
      });

    it("reads the commit's runs in a stage, newest first, bounded, in environments of every status", async () => {
      const staging = await environment({});
      const torn = await environment({ status: 'deleted' });
      const chaos = await environment({ profile: 'chaos' });
      const other = await environment({ commit: OTHER_COMMIT });
      const ci = await environment({ stage: 'ci' });
      const billing = await environment({
        entityRef: 'component:default/billing',
      });
      const first = await run(torn, at(2), 'failed');
      const second = await run(staging, at(3));
      const third = await run(chaos, at(4), 'running');
      for (const env of [other, ci, billing]) await run(env, at(5));

      const runs = await context().runs({ stage: 'staging', limit: 10 });
      expect(runs.map(r => r.id)).toEqual([third, second, first]);
      expect(runs[0]).toEqual({
        id: third,
        environmentId: chaos.id,
        environmentName: chaos.name,
        stage: 'staging',
        profile: 'chaos',
        commit: COMMIT,
        dagRunId: expect.stringContaining(chaos.name),
        state: 'running',
        createdAt: at(4),
      });
      expect(runs[1].endDate).toEqual(at(3));
      await expect(
        context().runs({ stage: 'staging', limit: 2 }),
      ).resolves.toHaveLength(2);
      const chaosRuns = await context().runs({
        stage: 'staging',
        profile: 'chaos',
        limit: 10,
      });
      expect(chaosRuns.map(r => r.id)).toEqual([third]);
      await expect(
        context().runs({ stage: 'staging', limit: 1_000_000 }),
      ).rejects.toThrow(/bounded/);
    });

    it('reads the manifests of the runs asked for', async () => {
      const env = await environment({});
      const a = await run(env, at(2));
      const b = await run(env, at(3));
      await runStore.saveSynced(
        [a, b].map(id => ({
          id,
          update: { updatedAt: at(4) },
          manifests: [
            {
              taskId: 'clean_orders',
              manifest: taskManifest(id, [{ key: 'orders.csv' }]).manifest,
            },
          ],
        })),
      );
      const manifests = await context().manifests([b]);
      expect(manifests).toEqual([
        {
          runId: b,
          taskId: 'clean_orders',
          manifest: taskManifest(b, [{ key: 'orders.csv' }]).manifest,
        },
      ]);
      await expect(context().manifests([])).resolves.toEqual([]);
    });

    it("finds production's newest successful run of the entity, whatever its commit", async () => {
      await expect(context().productionBaseline()).resolves.toBeUndefined();
      const production = await environment({
        stage: 'production',
        name: 'production',
        commit: OTHER_COMMIT,
      });
      const green = await run(production, at(2));
      await run(production, at(3), 'failed');
      const billing = await environment({
        entityRef: 'component:default/billing',
        stage: 'production',
      });
      await run(billing, at(4));
      const baseline = await context().productionBaseline();
      expect(baseline).toMatchObject({
        id: green,
        stage: 'production',
        commit: OTHER_COMMIT,
        state: 'success',
      });
      // A promotion between earlier stages still compares with production.
      await expect(
        context({
          promotion: promotionSubject({
            fromStage: 'ci',
            toStage: 'staging',
            toProduction: false,
          }),
        }).productionBaseline(),
      ).resolves.toMatchObject({ id: green });
    });

    it('tells since when the commit has been ready in the source stage', async () => {
      await expect(context().readySince()).resolves.toBeUndefined();
      const env = await environment({ status: 'ready', createdAt: at(1) });
      await expect(context().readySince()).resolves.toEqual(at(1));
      // Re-provisioned: it soaks again from its newest ready transition.
      await knex('dag_cicd_environment_events').insert([
        {
          environment_id: env.id,
          type: 'transition',
          from_status: 'ready',
          to_status: 'provisioning',
          actor: 'x',
          at: at(3),
        },
        {
          environment_id: env.id,
          type: 'transition',
          from_status: 'provisioning',
          to_status: 'ready',
          actor: 'x',
          at: at(4),
        },
      ]);
      await expect(context().readySince()).resolves.toEqual(at(4));
      // Not ready now: no soak at all.
      await knex('dag_cicd_environments')
        .where({ id: env.id })
        .update({ status: 'failed' });
      await expect(context().readySince()).resolves.toBeUndefined();
      await environment({ status: 'ready', commit: OTHER_COMMIT });
      await environment({ status: 'ready', stage: 'ci' });
      await expect(context().readySince()).resolves.toBeUndefined();
    });

    it('reads each thing once per evaluation, so every gate sees one snapshot', async () => {
      const env = await environment({});
      await run(env, at(2));
      let queries = 0;
      const count = () => {
        queries += 1;
      };
      knex.on('query', count);
      const ctx = context();
      const [a, b] = await Promise.all([
        ctx.runs({ stage: 'staging', limit: 100 }),
        ctx.runs({ stage: 'staging', limit: 100 }),
      ]);
      await ctx.productionBaseline();
      await ctx.productionBaseline();
      knex.removeListener('query', count);
      expect(b).toBe(a);
      expect(queries).toBe(2);
      await run(env, at(3));
      await expect(
        ctx.runs({ stage: 'staging', limit: 100 }),
      ).resolves.toHaveLength(1);
      await expect(
        context().runs({ stage: 'staging', limit: 100 }),
      ).resolves.toHaveLength(2);
    });

    it('hands decisions and group members through', async () => {
      const decisions: GateDecision[] = [
        { actor: 'user:default/bob', decision: 'approve', at: at(2) },
      ];
      const ctx = context({
        decisions: async () => decisions,
        groupMembers: async ref => [`${ref}-member`],
      });
      await expect(ctx.decisions()).resolves.toBe(decisions);
      await expect(ctx.groupMembers('group:default/data')).resolves.toEqual([
        'group:default/data-member',
      ]);
    });

    it('lets the built-in gates decide on what is stored', async () => {
      const staging = await environment({ status: 'ready', createdAt: at(1) });
      const production = await environment({
        stage: 'production',
        name: 'production',
        commit: OTHER_COMMIT,
      });
      const source = await run(staging, at(2));
      const prod = await run(production, at(1));
      const chaosEnv = await environment({ profile: 'chaos' });
      await run(chaosEnv, at(3));
      await runStore.saveSynced([
        {
          id: source,
          update: { updatedAt: at(2) },
          manifests: [
            {
              taskId: 't',
              manifest: taskManifest(source, [{ key: 'o.csv', rows: 105 }])
                .manifest,
            },
          ],
        },
        {
          id: prod,
          update: { updatedAt: at(1) },
          manifests: [
            {
              taskId: 't',
              manifest: taskManifest(prod, [{ key: 'o.csv', rows: 100 }], {
                namespace: 'file:///prod/',
              }).manifest,
            },
          ],
        },
      ]);
      const ctx = context();
      const statuses: Record<string, string> = {};
      for (const gate of builtInGates) {
        if (gate.type === 'freeze-window' || gate.type === 'approvals')
          continue;
        const options = gate.validateOptions(
          gate.type === 'soak-time' ? { duration: 'PT6H' } : {},
        );
        statuses[gate.type] = (await gate.evaluate(options, ctx)).status;
      }
      expect(statuses).toEqual({
        'runs-succeeded': 'passed',
        'output-diff': 'passed',
        'chaos-run': 'passed',
        'soak-time': 'passed',
      });
    });

    if (databaseId === 'SQLITE_3') {
      it('reads through indexes, never a scan of runs or manifests', async () => {
        await environment({ stage: 'production', name: 'production' });
        const queries: Array<{ sql: string; bindings: unknown[] }> = [];
        const listen = (q: { sql: string; bindings: unknown[] }) =>
          queries.push(q);
        knex.on('query', listen);
        const ctx = context();
        await ctx.runs({ stage: 'staging', limit: 10 });
        await ctx.productionBaseline();
        await ctx.readySince();
        await ctx.manifests(['a', 'b']);
        knex.removeListener('query', listen);
        const plans = await Promise.all(
          queries.map(async q => {
            const rows: Array<{ detail: string }> = await knex.raw(
              `EXPLAIN QUERY PLAN ${q.sql}`,
              q.bindings as Knex.RawBinding[],
            );
            return rows.map(r => r.detail).join('; ');
          }),
        );
        expect(plans).toEqual([
          expect.stringMatching(
            /SEARCH e USING INDEX dag_cicd_environments_commit_idx.*SEARCH r USING INDEX dag_cicd_runs_env_idx/,
          ),
          expect.stringMatching(
            /SEARCH dag_cicd_environments USING (COVERING )?INDEX dag_cicd_environments_commit_idx/,
          ),
          expect.stringMatching(
            /SEARCH r USING INDEX dag_cicd_runs_env_state_idx/,
          ),
          expect.stringMatching(
            /SEARCH e USING INDEX dag_cicd_environments_commit_idx.*SEARCH ev USING INDEX dag_cicd_environment_events_env_idx/,
          ),
          expect.stringMatching(
            /SEARCH dag_cicd_run_manifests USING INDEX sqlite_autoindex_dag_cicd_run_manifests_1/,
          ),
        ]);
        for (const plan of plans)
          expect(plan).not.toMatch(/SCAN (r|ev|dag_cicd_run)/);
      });
    }
  },
);

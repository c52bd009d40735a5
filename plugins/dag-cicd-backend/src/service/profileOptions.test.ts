import { mockCredentials } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  createEnvironmentApp,
  listFiles,
  ORDERS,
  stalledSeeder,
  writeFile,
} from '../__testUtils__/environmentApp';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const SHA = 'ab12cd3'.padEnd(40, '0');
const user = mockCredentials.user.header();
const INPUTS = 'envs/default/orders_daily/ci_ab12cd3/inputs/orders';

// What the operator allows; requests may only ask for less.
const environments = {
  sample: { maxObjects: 10, maxBytes: 1048576, rowFraction: 0.8 },
  chaos: { nulls: 0.5 },
};

type App = Awaited<ReturnType<typeof createEnvironmentApp>>;

/** Five objects of 100 rows each in production's `orders` input. */
function writeOrders(root: string) {
  for (let part = 0; part < 5; part++) {
    const rows = Array.from({ length: 100 }, (_, i) => `${part * 100 + i},1`);
    writeFile(
      root,
      `lake/raw/orders/part-${part}.csv`,
      `id,amount\n${rows.join('\n')}\n`,
    );
  }
}

const create = (app: App, body: object) =>
  request(app.app).post('/environments').set('Authorization', user).send(body);

/** The seeded `orders` objects: their names and data rows. */
function seeded(app: App): Record<string, number> {
  const dir = path.join(app.root, INPUTS);
  return Object.fromEntries(
    listFiles(dir).map(file => [
      file,
      fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n').length -
        1,
    ]),
  );
}

describe.each(databases.eachSupportedId())(
  'profile options of a create request, on %p',
  databaseId => {
    async function setup(
      options: Partial<Parameters<typeof createEnvironmentApp>[0]> = {},
    ) {
      const app = await createEnvironmentApp({
        knex: await databases.init(databaseId),
        config: { environments },
        ...options,
      });
      writeOrders(app.root);
      return app;
    }

    it('seeds a sample within the requested bounds, and shows them', async () => {
      const app = await setup();
      const body = {
        entityRef: ORDERS,
        commit: SHA,
        profile: 'sample',
        seed: 7,
        sample: { maxObjects: 2, rowFraction: 0.25 },
      };
      const created = await create(app, body);
      expect(created.status).toBe(201);
      expect(created.body.sample).toEqual({ maxObjects: 2, rowFraction: 0.25 });
      expect(created.body.chaos).toBeUndefined();
      await app.provisioner.settled();

      const rows = seeded(app);
      expect(Object.keys(rows)).toHaveLength(2);
      for (const count of Object.values(rows)) {
        // A quarter of 100 rows, give or take the seeded draw; never all.
        expect(count).toBeGreaterThan(5);
        expect(count).toBeLessThan(50);
      }
      const got = await request(app.app)
        .get(`/environments/${created.body.id}`)
        .set('Authorization', user);
      expect(got.body).toMatchObject({
        status: 'ready',
        sample: { maxObjects: 2, rowFraction: 0.25 },
      });
      // What was left out is the configured bound.
      expect((await app.store.get(created.body.id))?.plan.sample).toEqual({
        maxObjects: 2,
        maxBytes: 1048576,
        rowFraction: 0.25,
      });
    });

    it('injects the requested faults instead of the configured ones', async () => {
      const app = await setup();
      const created = await create(app, {
        entityRef: ORDERS,
        commit: SHA,
        profile: 'chaos',
        seed: 7,
        sample: { maxObjects: 1 },
        chaos: { empty: 1 },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        sample: { maxObjects: 1 },
        chaos: { empty: 1 },
      });
      await app.provisioner.settled();
      // Emptied: the header alone, and no configured `nulls` anywhere.
      expect(Object.values(seeded(app))).toEqual([0]);
      const report = fs
        .readFileSync(
          path.join(
            app.root,
            'envs/default/orders_daily/ci_ab12cd3/_chaos/report.jsonl',
          ),
          'utf8',
        )
        .trim()
        .split('\n')
        .map(line => JSON.parse(line))
        .filter(entry => entry.fault);
      expect(report.map(entry => entry.fault)).toEqual(['empty']);
    });

    it('resumes provisioning after a restart with the options it was created with', async () => {
      let now = new Date('2026-11-24T10:00:00Z');
      const clock = () => now;
      // The first backend stops for good in the middle of seeding.
      const stalled = stalledSeeder();
      const a = await setup({ now: clock, seeder: stalled.seeder });
      const created = await create(a, {
        entityRef: ORDERS,
        commit: SHA,
        profile: 'sample',
        seed: 7,
        sample: { maxObjects: 1, rowFraction: 0.5 },
      });
      expect(created.status).toBe(201);
      await stalled.entered;

      // The next one is configured otherwise; the environment keeps its own.
      const b = await createEnvironmentApp({
        knex: (a.store as any).db,
        root: a.root,
        now: clock,
        instanceId: 'replica-b',
        config: { environments: { sample: { maxObjects: 100 } } },
      });
      now = new Date('2026-11-24T10:06:00Z');
      await expect(b.provisioner.resumeAbandoned()).resolves.toBe(1);
      await b.provisioner.settled();
      expect((await b.store.get(created.body.id))?.status).toBe('ready');
      const rows = Object.values(seeded(b));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toBeLessThan(100);
    });

    it('is idempotent with options, and a different set conflicts like any other field', async () => {
      const app = await setup();
      const body = {
        entityRef: ORDERS,
        commit: SHA,
        profile: 'chaos',
        sample: { rowFraction: 0.5, maxObjects: 3 },
        chaos: { nulls: 0.1, drift: 0.2 },
      };
      const first = await create(app, body);
      expect(first.status).toBe(201);
      // The same options written in another order are the same request.
      const again = await create(app, {
        ...body,
        sample: { maxObjects: 3, rowFraction: 0.5 },
        chaos: { drift: 0.2, nulls: 0.1 },
      });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);

      for (const different of [
        { ...body, sample: { rowFraction: 0.5, maxObjects: 2 } },
        { ...body, chaos: { nulls: 0.1 } },
        { ...body, sample: undefined, chaos: undefined },
      ]) {
        const response = await create(app, different);
        expect(response.status).toBe(409);
        expect(response.body.error.message).toMatch(
          /already exists in stage ci .*tear it down first or choose another name/,
        );
      }
      await app.provisioner.settled();
    });

    it('still matches an environment created without options', async () => {
      const app = await setup();
      const body = { entityRef: ORDERS, commit: SHA, profile: 'sample' };
      const first = await create(app, body);
      expect(first.body.sample).toBeUndefined();
      const again = await create(app, body);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      // The configured bounds applied.
      expect((await app.store.get(first.body.id))?.plan.sample).toEqual(
        environments.sample,
      );
      await app.provisioner.settled();
    });

    describe('refuses', () => {
      // Each is a 400 naming the field, and writes nothing.
      it.each<[string, object, RegExp]>([
        [
          'more objects than configured',
          { profile: 'sample', sample: { maxObjects: 11 } },
          /sample.maxObjects 11 is more than the configured maximum 10 /,
        ],
        [
          'more bytes than configured',
          { profile: 'chaos', sample: { maxBytes: 1048577 } },
          /sample.maxBytes 1048577 is more than the configured maximum 1048576 /,
        ],
        [
          'a row fraction of 0',
          { profile: 'sample', sample: { rowFraction: 0 } },
          /sample.rowFraction must be more than 0 and at most 0.8/,
        ],
        [
          'a row fraction above the configured one',
          { profile: 'sample', sample: { rowFraction: 0.9 } },
          /sample.rowFraction must be more than 0 and at most 0.8/,
        ],
        [
          'a fractional object count',
          { profile: 'sample', sample: { maxObjects: 1.5 } },
          /sample\/maxObjects must be integer/,
        ],
        [
          'a negative byte count',
          { profile: 'sample', sample: { maxBytes: -1 } },
          /sample.maxBytes must be a whole number/,
        ],
        [
          'an unknown sample option',
          { profile: 'sample', sample: { maxRows: 5 } },
          /sample.maxRows is not a sample option; use maxObjects, maxBytes, rowFraction/,
        ],
        [
          'sample options with another profile',
          { profile: 'empty', sample: { maxObjects: 1 } },
          /sample: only the sample and chaos profiles take sample options, not profile empty/,
        ],
        [
          'sample options with the default profile',
          { sample: { maxObjects: 1 } },
          /sample: only the sample and chaos profiles/,
        ],
        [
          'fault rates without chaos',
          { profile: 'sample', chaos: { nulls: 0.1 } },
          /chaos: only the chaos profile takes fault rates, not profile sample/,
        ],
        [
          'a rate above 1',
          { profile: 'chaos', chaos: { nulls: 2 } },
          /chaos.nulls must be a probability from 0 to 1, got 2/,
        ],
        [
          'an unknown fault',
          { profile: 'chaos', chaos: { typos: 0.1 } },
          /chaos.typos is not a fault; use one of nulls, /,
        ],
        [
          'a count that is not a number',
          { profile: 'sample', sample: { maxObjects: '5' } },
          /maxObjects/,
        ],
      ])('%s', async (_, fields, message) => {
        const app = await setup();
        const files = listFiles(app.root);
        const response = await create(app, {
          entityRef: ORDERS,
          commit: SHA,
          ...fields,
        });
        expect(response.status).toBe(400);
        expect(response.body.error.message).toMatch(message);
        await app.provisioner.settled();
        expect(listFiles(app.root)).toEqual(files);
        const rows = await (app.store as any)
          .db('dag_cicd_environments')
          .count({ n: '*' });
        expect(Number(rows[0].n)).toBe(0);
      });
    });
  },
);

import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import path from 'node:path';
import request from 'supertest';
import {
  createEnvironmentApp,
  listFiles,
  ORDERS,
  writeFile,
} from '../__testUtils__/environmentApp';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const SHA = 'ab12cd3'.padEnd(40, '0');
const user = mockCredentials.user.header();

describe('Provisioner', () => {
  it('leaves out production objects no namespace can hold, and records which in the inputs step', async () => {
    const env = await createEnvironmentApp({
      knex: await databases.init('SQLITE_3'),
      auditor: mockServices.auditor.mock(),
    });
    // A Hive partition named after a timestamp with a space: a fine key in
    // production, but not one a data namespace can be written under.
    const odd = ['ts=2026-11-24 00:00:00/part-0.csv', 'ts=50%/part-0.csv'];
    for (const key of odd) {
      writeFile(env.root, `lake/raw/orders/${key}`, 'id\n1\n');
    }
    writeFile(env.root, 'lake/raw/orders/dt=2026-11-24/part-0.csv', 'id\n2\n');

    const created = await request(env.app)
      .post('/environments')
      .set('Authorization', user)
      .send({ entityRef: ORDERS, commit: SHA, profile: 'sample' });
    await env.provisioner.settled();

    const got = await request(env.app)
      .get(`/environments/${created.body.id}`)
      .set('Authorization', user);
    expect(got.body.status).toBe('ready');
    expect(
      listFiles(path.join(env.root, 'envs')).filter(f =>
        f.includes('/inputs/'),
      ),
    ).toEqual([
      'default/orders_daily/ci_ab12cd3/inputs/orders/dt=2026-11-24/part-0.csv',
    ]);
    const history = await request(env.app)
      .get(`/environments/${created.body.id}/history`)
      .set('Authorization', user);
    expect(history.status).toBe(200);
    const inputs = history.body.items.find((e: any) => e.step === 'inputs');
    expect(inputs.detail).toEqual({
      inputs: ['orders'],
      skipped: odd.map(key => ({
        input: 'orders',
        key,
        reason: expect.stringContaining('is not a valid path segment'),
      })),
      skippedCount: 2,
    });
  });

  it('records no skipped objects when there are none', async () => {
    const env = await createEnvironmentApp({
      knex: await databases.init('SQLITE_3'),
    });
    writeFile(env.root, 'lake/raw/orders/dt=2026-11-24/part-0.csv', 'id\n2\n');
    const created = await request(env.app)
      .post('/environments')
      .set('Authorization', user)
      .send({ entityRef: ORDERS, commit: SHA, profile: 'sample' });
    await env.provisioner.settled();
    const history = await env.store.history(created.body.id);
    expect(history.find(e => e.step === 'inputs')?.detail).toEqual({
      inputs: ['orders'],
    });
  });
});

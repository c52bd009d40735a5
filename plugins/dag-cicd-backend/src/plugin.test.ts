import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { settledStatus } from './__testUtils__/settled';
import { testDatabaseServices } from './__testUtils__/testDatabases';
import { dagCicdPlugin } from './plugin';

jest.setTimeout(60_000);

const database = testDatabaseServices();

// The plugin as a backend installs it: real migrations on SQLite, the real
// router, file store, scheduler, permission registry, the backend's own auth
// and error handling.
describe('dagCicdPlugin', () => {
  it('creates and serves environments of a DAG entity at /api/dag-cicd', async () => {
    // A root that does not exist yet, as on a fresh checkout.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-plugin-'));
    const root = path.join(tmp, 'data/store');
    const { server } = await startTestBackend({
      features: [
        dagCicdPlugin,
        await database(),
        mockServices.rootConfig.factory({
          data: { dagCicd: { dataStore: { file: { root } } } },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'orders',
                annotations: { 'airflow.apache.org/dag-id': 'orders_daily' },
              },
              spec: { type: 'airflow-dag', owner: 'group:default/data' },
            },
          ],
        }),
      ],
    });

    const anonymous = await request(server)
      .get('/api/dag-cicd/environments')
      .query({ entityRef: 'component:default/orders' })
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);

    const commit = 'ab12cd3'.padEnd(40, '0');
    const created = await request(server)
      .post('/api/dag-cicd/environments')
      .set('Authorization', mockCredentials.user.header())
      .send({ entityRef: 'component:default/orders', commit });
    expect(created.status).toBe(201);
    expect(created.body.dataNamespace).toBe(
      `file://${root}/default/orders_daily/ci_ab12cd3/`,
    );

    expect(
      await settledStatus(
        server,
        created.body.id,
        mockCredentials.user.header(),
      ),
    ).toBe('ready');
    expect(
      fs.existsSync(
        path.join(root, 'default/orders_daily/ci_ab12cd3/_dag_cicd/conf.json'),
      ),
    ).toBe(true);

    const list = await request(server)
      .get('/api/dag-cicd/environments')
      .query({ entityRef: 'component:default/orders' })
      .set('Authorization', mockCredentials.user.header());
    expect(list.body.totalCount).toBe(1);

    // Branches resolve through the SCM integrations; this DAG names no
    // repository, so the answer says to give the SHA instead.
    const branch = await request(server)
      .get('/api/dag-cicd/commits/resolve')
      .query({ entityRef: 'component:default/orders', ref: 'main' })
      .set('Authorization', mockCredentials.user.header());
    expect(branch.status).toBe(400);
    expect(branch.body.error.message).toMatch(/commit SHA/);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});

import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { dagCicdPlugin } from './plugin';

// The plugin as a backend installs it: real migrations on SQLite, the real
// router, the backend's own auth and error handling.
describe('dagCicdPlugin', () => {
  it('serves the environments of a DAG entity at /api/dag-cicd', async () => {
    const { server } = await startTestBackend({
      features: [
        dagCicdPlugin,
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

    const ok = await request(server)
      .get('/api/dag-cicd/environments')
      .query({ entityRef: 'component:default/orders' })
      .set('Authorization', mockCredentials.user.header());
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ items: [], totalCount: 0 });

    const anonymous = await request(server)
      .get('/api/dag-cicd/environments')
      .query({ entityRef: 'component:default/orders' })
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });
});

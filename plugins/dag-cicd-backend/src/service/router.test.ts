import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import express from 'express';
import request from 'supertest';
import {
  EnvironmentRecord,
  EnvironmentStore,
} from '../database/EnvironmentStore';
import { EntityAccess } from './entityAccess';
import { createRouter } from './router';
import { Stages } from './stages';

const orders: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders',
    namespace: 'default',
    annotations: { 'airflow.apache.org/dag-id': 'orders_daily' },
  },
  spec: {
    type: 'airflow-dag',
    owner: 'group:default/data',
    lifecycle: 'production',
  },
};
const website: Entity = {
  ...orders,
  metadata: { name: 'website', namespace: 'default' },
  spec: {
    type: 'website',
    owner: 'group:default/web',
    lifecycle: 'production',
  },
};

const record: EnvironmentRecord = {
  id: '3b241101-e2bb-4255-8caf-4136c566a962',
  entityRef: 'component:default/orders',
  stage: 'ci',
  name: 'ci_ab12cd3',
  commit: 'ab12cd3'.padEnd(40, '0'),
  dataNamespace: 'file:///data/default/orders/ci_ab12cd3/',
  inputs: { events: { uri: 'file:///prod/events/', mode: 'read-only' } },
  artifacts: {},
  connections: { spark_default: 'spark_ci' },
  profile: 'production-readonly',
  status: 'ready',
  createdBy: 'user:default/alice',
  createdAt: new Date('2026-11-20T10:00:00Z'),
  updatedAt: new Date('2026-11-20T10:00:00Z'),
};

async function createApp(options: {
  allow?: boolean;
  records?: EnvironmentRecord[];
}) {
  const list = jest.fn<
    ReturnType<EnvironmentStore['list']>,
    Parameters<EnvironmentStore['list']>
  >(async () => ({
    items: options.records ?? [],
    totalCount: options.records?.length ?? 0,
  }));
  const permissions = mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(() => ({
        result:
          options.allow === false
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })),
  });
  const auditor = mockServices.auditor.mock();
  const router = await createRouter({
    httpAuth: mockServices.httpAuth(),
    auditor,
    stages: Stages.fromConfig(new ConfigReader({})),
    entityAccess: new EntityAccess(
      catalogServiceMock({ entities: [orders, website] }),
      permissions,
    ),
    environments: { list },
    // Every response the tests see is checked against the OpenAPI spec.
    validatorOptions: { validatorOptions: { validateResponses: true } },
  });
  const app = express().use(router).use(mockErrorHandler());
  return { app, list, permissions, auditor };
}

describe('GET /environments', () => {
  it('lists the environments of a DAG entity in the API format', async () => {
    const { app, list } = await createApp({ records: [record] });

    const response = await request(app)
      .get('/environments')
      .query({ entityRef: 'component:default/orders', limit: 10, offset: 0 })
      .set('Authorization', mockCredentials.user.header());

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      totalCount: 1,
      items: [
        {
          id: record.id,
          name: 'ci_ab12cd3',
          entityRef: 'component:default/orders',
          commit: record.commit,
          stage: 'ci',
          dataNamespace: 'file:///data/default/orders/ci_ab12cd3/',
          inputs: {
            events: { uri: 'file:///prod/events/', mode: 'read-only' },
          },
          artifacts: {},
          connections: { spark_default: 'spark_ci' },
          profile: 'production-readonly',
          status: 'ready',
          createdBy: 'user:default/alice',
          createdAt: '2026-11-20T10:00:00.000Z',
          expiresAt: null,
        },
      ],
    });
    expect(list).toHaveBeenCalledWith(
      {
        entityRef: 'component:default/orders',
        stage: undefined,
        status: undefined,
      },
      { limit: 10, offset: 0 },
    );
  });

  it('answers an empty page with defaults when there is nothing', async () => {
    const { app, list } = await createApp({});
    const response = await request(app)
      .get('/environments')
      .query({
        entityRef: 'Component:orders'.replace('orders', 'default/orders'),
      })
      .set('Authorization', mockCredentials.user.header());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [], totalCount: 0 });
    expect(list).toHaveBeenCalledWith(expect.anything(), {
      limit: 50,
      offset: 0,
    });
  });

  it('accepts an entity ref that is not percent-encoded, as curl sends it', async () => {
    const { app, list } = await createApp({});
    const response = await request(app)
      .get('/environments?entityRef=component:default/orders')
      .set('Authorization', mockCredentials.user.header());
    expect(response.status).toBe(200);
    expect(list.mock.calls[0][0].entityRef).toBe('component:default/orders');
  });

  it('passes stage and status filters to the store', async () => {
    const { app, list } = await createApp({});
    await request(app)
      .get('/environments')
      .query({
        entityRef: 'component:default/orders',
        stage: 'staging',
        status: 'failed',
      })
      .set('Authorization', mockCredentials.user.header())
      .expect(200);
    expect(list.mock.calls[0][0]).toEqual({
      entityRef: 'component:default/orders',
      stage: 'staging',
      status: 'failed',
    });
  });

  it('requires a caller', async () => {
    const { app, list } = await createApp({});
    const response = await request(app)
      .get('/environments')
      .query({ entityRef: 'component:default/orders' })
      .set('Authorization', mockCredentials.none.header());
    expect(response.status).toBe(401);
    expect(list).not.toHaveBeenCalled();
  });

  it('forbids a caller without the read permission, and records the failure', async () => {
    const { app, list, auditor } = await createApp({ allow: false });
    const response = await request(app)
      .get('/environments')
      .query({ entityRef: 'component:default/orders' })
      .set('Authorization', mockCredentials.user.header());
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      'Not allowed: dag-cicd.environment.read on component:default/orders',
    );
    expect(list).not.toHaveBeenCalled();
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'environment-fetch' }),
    );
  });

  it.each([
    [{}, 400, /entityRef/],
    [{ entityRef: 'orders' }, 400, /not a full entity ref/],
    [{ entityRef: 'component:default/website' }, 400, /is not an Airflow DAG/],
    [
      { entityRef: 'component:default/unknown' },
      404,
      /No entity component:default\/unknown/,
    ],
    [
      { entityRef: 'component:default/orders', stage: 'prod' },
      400,
      /Unknown stage "prod"; the configured stages are ci, staging, production/,
    ],
    [{ entityRef: 'component:default/orders', stage: '../etc' }, 400, /stage/],
    [{ entityRef: 'component:default/orders', status: 'gone' }, 400, /status/],
    [{ entityRef: 'component:default/orders', limit: 0 }, 400, /limit/],
    [{ entityRef: 'component:default/orders', limit: 501 }, 400, /limit/],
    [{ entityRef: 'component:default/orders', offset: -1 }, 400, /offset/],
    [{ entityRef: 'component:default/orders', extra: 1 }, 400, /extra/],
  ])(
    'answers %j with %d and a message naming the problem',
    async (query, status, message) => {
      const { app, list } = await createApp({});
      const response = await request(app)
        .get('/environments')
        .query(query)
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(status);
      expect(response.body.error.message).toMatch(message);
      expect(list).not.toHaveBeenCalled();
    },
  );
});

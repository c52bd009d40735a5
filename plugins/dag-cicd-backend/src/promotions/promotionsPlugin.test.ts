import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { settledStatus } from '../__testUtils__/settled';
import { testDatabaseServices } from '../__testUtils__/testDatabases';
import { dagCicdPlugin } from '../plugin';

jest.setTimeout(60_000);

const database = testDatabaseServices();

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
const SHA = 'ab12cd3'.padEnd(40, '0');

// Promotions as a backend installs the plugin: the real wiring of gates on
// the plugin's database, approver groups from the catalog, the auditor and
// the notifications service (here a mock of it).
describe('dagCicdPlugin promotions', () => {
  it('promotes a commit through the approvals of the owning group, telling approvers and requester', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-plugin-'));
    const send = jest.fn(async (_options: any) => {});
    const auditor = mockServices.auditor.mock();
    const { server } = await startTestBackend({
      features: [
        dagCicdPlugin,
        await database(),
        auditor.factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send }),
        }),
        mockServices.rootConfig.factory({
          data: {
            dagCicd: {
              dataStore: { file: { root } },
              promotions: {
                policies: {
                  staging: {
                    gates: [{ gate: 'approvals', options: { min: 1 } }],
                  },
                },
              },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'orders',
                namespace: 'default',
                annotations: { 'airflow.apache.org/dag-id': 'orders_daily' },
              },
              spec: { type: 'airflow-dag', owner: 'group:default/data' },
              relations: [{ type: 'ownedBy', targetRef: 'group:default/data' }],
            },
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name: 'data', namespace: 'default' },
              spec: { type: 'team', children: [] },
              relations: [
                { type: 'hasMember', targetRef: ALICE },
                { type: 'hasMember', targetRef: BOB },
              ],
            },
          ],
        }),
      ],
    });
    const as = (user: string) => mockCredentials.user.header(user);

    const created = await request(server)
      .post('/api/dag-cicd/environments')
      .set('Authorization', as(ALICE))
      .send({ entityRef: 'component:default/orders', commit: SHA });
    expect(created.status).toBe(201);
    expect(await settledStatus(server, created.body.id, as(ALICE))).toBe(
      'ready',
    );

    const requested = await request(server)
      .post('/api/dag-cicd/promotions')
      .set('Authorization', as(ALICE))
      .send({
        entityRef: 'component:default/orders',
        commit: SHA,
        toStage: 'staging',
      });
    expect(requested.status).toBe(201);
    expect(requested.body.gates).toEqual([
      expect.objectContaining({
        gate: 'approvals',
        status: 'pending',
        inputs: expect.objectContaining({
          group: 'group:default/data',
          memberCount: 2,
        }),
      }),
    ]);

    const approved = await request(server)
      .post(`/api/dag-cicd/promotions/${requested.body.id}/decisions`)
      .set('Authorization', as(BOB))
      .send({ decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.body.gatesPassed).toBe(true);

    const executed = await request(server)
      .post(`/api/dag-cicd/promotions/${requested.body.id}/execute`)
      .set('Authorization', as(BOB));
    expect(executed.body).toMatchObject({
      status: 'executed',
      deploy: { action: 'none', status: 'succeeded' },
    });

    // Notifications are sent in the background.
    for (let i = 0; i < 50 && send.mock.calls.length < 3; i++) {
      await new Promise(r => setTimeout(r, 20));
    }
    expect(
      send.mock.calls.map(([options]) => [
        options.recipients.entityRef,
        options.payload.title,
      ]),
    ).toEqual([
      [
        'group:default/data',
        'orders: commit ab12cd3 to staging awaits your approval',
      ],
      [ALICE, 'orders: user:default/bob approved your promotion to staging'],
      [ALICE, 'orders: commit ab12cd3 is now in staging'],
    ]);
    expect(
      auditor.createEvent.mock.calls
        .map(([event]) => event)
        .filter(event => event.eventId === 'promotion-history')
        .map(event => event.meta!.step),
    ).toEqual([
      'requested',
      'evaluated',
      'approved',
      'evaluated',
      'evaluated',
      'executing',
      'executed',
    ]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("lets the CI pipeline's static token (app-config.ci.yaml) request a promotion into staging, never approve it nor request production", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-plugin-'));
    const token = 'ci-token-for-the-test';
    const { server } = await startTestBackend({
      features: [
        dagCicdPlugin,
        await database(),
        // The backend's real token handling, as app-config.ci.yaml sets it up.
        authServiceFactory,
        httpAuthServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token, subject: 'ci-pipeline' },
                    accessRestrictions: [{ plugin: 'dag-cicd' }],
                  },
                ],
              },
            },
            dagCicd: {
              dataStore: { file: { root } },
              promotions: {
                policies: {
                  staging: { gates: [{ gate: 'approvals' }] },
                  production: { gates: [], allowSkip: true },
                },
              },
            },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'orders',
                namespace: 'default',
                annotations: { 'airflow.apache.org/dag-id': 'orders_daily' },
              },
              spec: { type: 'airflow-dag', owner: 'group:default/data' },
              relations: [{ type: 'ownedBy', targetRef: 'group:default/data' }],
            },
          ],
        }),
      ],
    });
    const ci = `Bearer ${token}`;

    // CI creates the commit's environment in ci (a stage open to services).
    const created = await request(server)
      .post('/api/dag-cicd/environments')
      .set('Authorization', ci)
      .send({ entityRef: 'component:default/orders', commit: SHA });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('ci-pipeline');
    expect(await settledStatus(server, created.body.id, ci)).toBe('ready');

    const staging = await request(server)
      .post('/api/dag-cicd/promotions')
      .set('Authorization', ci)
      .send({
        entityRef: 'component:default/orders',
        commit: SHA,
        toStage: 'staging',
      });
    expect(staging.status).toBe(201);
    expect(staging.body.requestedBy).toBe('ci-pipeline');

    const approve = await request(server)
      .post(`/api/dag-cicd/promotions/${staging.body.id}/decisions`)
      .set('Authorization', ci)
      .send({ decision: 'approve' });
    expect(approve.status).toBe(403);
    expect(approve.body.error.message).toBe(
      'Service principals cannot approve or reject promotions; a person in the approver group decides',
    );

    const production = await request(server)
      .post('/api/dag-cicd/promotions')
      .set('Authorization', ci)
      .send({
        entityRef: 'component:default/orders',
        commit: SHA,
        fromStage: 'ci',
        toStage: 'production',
      });
    expect(production.status).toBe(403);
    expect(production.body.error.message).toBe(
      'Service principals may request promotions only into staging (dagCicd.promotions.serviceStages), not into production',
    );
    fs.rmSync(root, { recursive: true, force: true });
  });
});

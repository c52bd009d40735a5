import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { createAirflowClient } from '@dag-cicd/plugin-dag-cicd-node';
import {
  airflowMockServer,
  jwt,
  v2,
} from '@dag-cicd/plugin-dag-cicd-node/testUtils';
import { Knex, knex as createKnex } from 'knex';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  createEnvironmentApp,
  ORDERS,
  writeFile,
} from '../__testUtils__/environmentApp';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { RunService } from '../runs/RunService';
import { PolicyFile } from './policy';
import {
  ALICE,
  BOB,
  CAROL,
  DATA_GROUP,
  DAVE,
  promotionsForTest,
  SwitchGate,
  TestDeployAction,
} from './__testUtils__/promotionApp';

jest.setTimeout(60_000);

const msw = airflowMockServer();

const databases = createTestDatabases();
const SHA = 'ab12cd3'.padEnd(40, '0');
const OTHER_SHA = 'ffee000'.padEnd(40, '1');
const as = (userEntityRef: string) =>
  mockCredentials.user.header(userEntityRef);
const ciService = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('external:ci-pipeline'),
  targetPluginId: 'dag-cicd',
});

type App = Awaited<ReturnType<typeof setup>>;

async function setup(
  options: {
    knex?: Knex;
    databaseId?: TestDatabaseId;
    policies?: Record<string, unknown>;
    decide?: () => PolicyDecision;
    members?: Record<string, string[]>;
    notifications?: NotificationService;
    policyFile?: PolicyFile;
    airflow?: ConstructorParameters<typeof RunService>[0]['airflow'];
  } = {},
) {
  const knex =
    options.knex ?? (await databases.init(options.databaseId ?? 'SQLITE_3'));
  const switchGate = new SwitchGate();
  const deploy = new TestDeployAction();
  const auditor = mockServices.auditor.mock();
  const { config, promotions } = promotionsForTest({
    switchGate,
    deploy,
    policies: options.policies,
    members: options.members,
    auditor,
    notifications: options.notifications,
    ...(options.policyFile && { policyFile: () => options.policyFile }),
  });
  const env = await createEnvironmentApp({
    knex,
    auditor,
    config,
    promotions,
    decide: options.decide,
    airflow: options.airflow,
  });
  writeFile(env.root, 'lake/raw/orders/part-0.csv', 'id\n1\n');
  return { ...env, knex, switchGate, deploy, auditor };
}

/** A ready ci environment of the commit. */
async function readyInCi(app: App, commit: string) {
  const created = await request(app.app)
    .post('/environments')
    .set('Authorization', as(ALICE))
    .send({ entityRef: ORDERS, commit });
  expect(created.status).toBe(201);
  await app.provisioner.settled();
  return created.body;
}

const requestPromotion = (app: App, body: object, auth = as(ALICE)) =>
  request(app.app).post('/promotions').set('Authorization', auth).send(body);
const decide = (app: App, id: string, body: object, auth: string) =>
  request(app.app)
    .post(`/promotions/${id}/decisions`)
    .set('Authorization', auth)
    .send(body);
const execute = (app: App, id: string, auth = as(CAROL)) =>
  request(app.app).post(`/promotions/${id}/execute`).set('Authorization', auth);
const pipeline = (app: App) =>
  request(app.app)
    .get('/pipeline')
    .query({ entityRef: ORDERS })
    .set('Authorization', as(ALICE));

/** An open promotion of SHA to staging, approved by Bob. */
async function approvedPromotion(app: App, commit = SHA) {
  await readyInCi(app, commit);
  const requested = await requestPromotion(app, {
    entityRef: ORDERS,
    commit,
    toStage: 'staging',
  });
  expect(requested.status).toBe(201);
  const approved = await decide(
    app,
    requested.body.id,
    { decision: 'approve' },
    as(BOB),
  );
  expect(approved.status).toBe(200);
  return approved.body;
}

describe.each(databases.eachSupportedId())('promotions on %s', databaseId => {
  it('request → approval by a second person → execute → the pipeline shows the commit in staging', async () => {
    const app = await setup({ databaseId });
    await readyInCi(app, SHA);

    const requested = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA.slice(0, 7),
      toStage: 'staging',
      comment: 'ship it',
      commitAuthor: DAVE,
    });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({
      entityRef: ORDERS,
      commit: SHA,
      commitAuthor: DAVE,
      fromStage: 'ci',
      toStage: 'staging',
      status: 'open',
      requestedBy: ALICE,
      comment: 'ship it',
      policy: { source: 'config' },
      gatesPassed: false,
      decisions: [],
    });
    expect(requested.body.gates.map((g: any) => [g.gate, g.status])).toEqual([
      ['switch', 'passed'],
      ['approvals', 'pending'],
    ]);
    const id = requested.body.id;

    // Not yet: the approvals gate is pending, and the answer says so.
    const early = await execute(app, id);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/approvals is pending/);

    const approved = await decide(
      app,
      id,
      { decision: 'approve', comment: 'looks good' },
      as(BOB),
    );
    expect(approved.status).toBe(200);
    expect(approved.body.gatesPassed).toBe(true);
    expect(approved.body.decisions).toEqual([
      expect.objectContaining({
        actor: BOB,
        decision: 'approve',
        comment: 'looks good',
        counts: true,
      }),
    ]);

    const executed = await execute(app, id);
    expect(executed.status).toBe(200);
    expect(executed.body).toMatchObject({
      status: 'executed',
      executedBy: CAROL,
      deploy: { action: 'test-deploy', status: 'succeeded' },
    });
    expect(executed.body.closedAt).toEqual(expect.any(String));
    expect(app.deploy.calls).toEqual([SHA]);

    const stages = (await pipeline(app)).body.stages;
    expect(stages.map((s: any) => s.name)).toEqual([
      'ci',
      'staging',
      'production',
    ]);
    expect(stages[0].environment).toMatchObject({ commit: SHA, stage: 'ci' });
    expect(stages[1]).toMatchObject({
      name: 'staging',
      production: false,
      promotedBy: CAROL,
      promotionId: id,
      openPromotions: [],
    });
    expect(stages[1].since).toEqual(expect.any(String));
    expect(stages[1].commit).toBe(SHA);
    expect(stages[0].commit).toBe(SHA);
    expect(stages[2]).toMatchObject({
      commit: null,
      promotionId: null,
      since: null,
    });

    const history = await request(app.app)
      .get(`/promotions/${id}/history`)
      .set('Authorization', as(DAVE));
    expect(history.body.items.map((e: any) => [e.type, e.actor])).toEqual([
      ['requested', ALICE],
      ['evaluated', ALICE],
      ['evaluated', CAROL],
      ['approved', BOB],
      ['evaluated', BOB],
      ['evaluated', CAROL],
      ['executing', CAROL],
      ['executed', CAROL],
    ]);
    // An evaluation records what every gate read and decided.
    const evaluation = history.body.items[1].detail;
    expect(evaluation.gates[0]).toMatchObject({
      gate: 'switch',
      status: 'passed',
      inputs: { switch: 'on' },
    });
    expect(history.body.items[7].detail.deploy).toMatchObject({
      status: 'succeeded',
    });

    // Closed now: no more decisions, no second execution.
    const late = await decide(app, id, { decision: 'approve' }, as(CAROL));
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(
      /is executed; only an open promotion/,
    );
    expect((await execute(app, id)).status).toBe(409);
    expect(app.auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'promotion-execute' }),
    );
  });

  it('a failed deploy leaves the promotion failed and the target stage where it was', async () => {
    const app = await setup({ databaseId });
    const first = await approvedPromotion(app, SHA);
    expect((await execute(app, first.id)).body.status).toBe('executed');

    const second = await approvedPromotion(app, OTHER_SHA);
    app.deploy.outcome = new Error('the deployment DAG is paused');
    const failed = await execute(app, second.id);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({
      status: 'failed',
      deploy: {
        status: 'failed',
        detail: expect.stringMatching(/the deployment DAG is paused/),
      },
    });
    const staging = (await pipeline(app)).body.stages[1];
    expect(staging.promotionId).toBe(first.id);
    expect(staging.commit).toBe(SHA);
    const history = await request(app.app)
      .get(`/promotions/${second.id}/history`)
      .set('Authorization', as(ALICE));
    expect(history.body.items.at(-1).type).toBe('failed');
  });

  it("shows a promoted stage's commit with the standing environment the promotion went through", async () => {
    const app = await setup({ databaseId });
    // Staging's standing environment, created at an older commit.
    const standing = await request(app.app)
      .post('/environments')
      .set('Authorization', as(ALICE))
      .send({
        entityRef: ORDERS,
        commit: OTHER_SHA,
        stage: 'staging',
        name: 'staging',
      });
    expect(standing.status).toBe(201);
    await app.provisioner.settled();
    const before = (await pipeline(app)).body.stages[1];
    expect(before).toMatchObject({
      commit: OTHER_SHA,
      environment: { id: standing.body.id },
    });

    const promotion = await approvedPromotion(app, SHA);
    expect((await execute(app, promotion.id)).body.status).toBe('executed');
    const after = (await pipeline(app)).body.stages[1];
    // The pointer moved; the environment keeps the commit it was made with.
    expect(after).toMatchObject({
      commit: SHA,
      promotionId: promotion.id,
      environment: { id: standing.body.id, commit: OTHER_SHA },
    });
  });

  it('lets exactly one of two replicas execute promotions of a DAG into a stage at the same time', async () => {
    const replicaA = await setup({ databaseId });
    // A second backend on the same database, with its own pool, as a
    // second replica would be (SQLite is one file: one connection).
    const knexB = databaseId.startsWith('POSTGRES')
      ? createKnex(replicaA.knex.client.config)
      : replicaA.knex;
    const replicaB = await setup({ knex: knexB });
    try {
      const one = await approvedPromotion(replicaA, SHA);
      const two = await approvedPromotion(replicaA, OTHER_SHA);

      // Whichever wins holds its deploy, so the race cannot end early.
      const started = Promise.race([
        replicaA.deploy.hold(),
        replicaB.deploy.hold(),
      ]);
      const answers = [
        execute(replicaA, one.id).then(r => r),
        execute(replicaB, two.id).then(r => r),
      ];
      await started;
      const loser = await Promise.race(answers);
      expect(loser.status).toBe(409);
      expect(loser.body.error.message).toMatch(
        /Another promotion of component:default\/orders to staging \(.+\) is executing/,
      );
      replicaA.deploy.release();
      replicaB.deploy.release();
      const statuses = (await Promise.all(answers)).map(r => r.status);
      expect(statuses.sort()).toEqual([200, 409]);

      const promotions = await request(replicaA.app)
        .get('/promotions')
        .query({ entityRef: ORDERS })
        .set('Authorization', as(ALICE));
      expect(promotions.body.items.map((p: any) => p.status).sort()).toEqual([
        'executed',
        'open',
      ]);
      // The loser is still open and executes once the winner is done.
      const open = promotions.body.items.find((p: any) => p.status === 'open');
      const app = open.id === one.id ? replicaA : replicaB;
      expect((await execute(app, open.id)).body.status).toBe('executed');

      // The loser's evaluation rolled back with its refused execution: the
      // auditors of both replicas heard of exactly the committed history.
      const audited = [replicaA, replicaB].flatMap(replica =>
        replica.auditor.createEvent.mock.calls
          .map(([event]) => event)
          .filter(event => event.eventId === 'promotion-history')
          .map(event => `${event.meta!.promotionId} ${event.meta!.step}`),
      );
      const recorded: string[] = [];
      for (const id of [one.id, two.id]) {
        const history = await request(replicaA.app)
          .get(`/promotions/${id}/history`)
          .set('Authorization', as(ALICE));
        recorded.push(...history.body.items.map((e: any) => `${id} ${e.type}`));
      }
      expect(audited.sort()).toEqual(recorded.sort());
    } finally {
      if (knexB !== replicaA.knex) await knexB.destroy();
    }
  });
});

describe('promotions: bad input and rules', () => {
  it('refuses an unknown stage, the first stage and a stage skip (400)', async () => {
    const app = await setup();
    await readyInCi(app, SHA);
    const unknown = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'qa',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      'Unknown stage "qa"; the configured stages are ci, staging, production',
    );
    const first = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'ci',
    });
    expect(first.status).toBe(400);
    expect(first.body.error.message).toMatch(/first stage/);
    const backwards = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      fromStage: 'production',
      toStage: 'staging',
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/moves forward/);
    const skip = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      fromStage: 'ci',
      toStage: 'production',
    });
    expect(skip.status).toBe(400);
    expect(skip.body.error.message).toBe(
      'Promoting from ci to production skips staging; the promotion policy of production does not allow skipping stages (allowSkip)',
    );
  });

  it('allows a stage skip when the policy does', async () => {
    const app = await setup({
      policies: {
        production: { gates: [{ gate: 'switch' }], allowSkip: true },
      },
    });
    await readyInCi(app, SHA);
    const skip = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      fromStage: 'ci',
      toStage: 'production',
    });
    expect(skip.status).toBe(201);
    expect(skip.body).toMatchObject({ gatesPassed: true, fromStage: 'ci' });
  });

  it('refuses a commit that is not ready in the source stage (409 with the reason)', async () => {
    const app = await setup();
    const none = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    expect(none.status).toBe(409);
    expect(none.body.error.message).toBe(
      'Commit ab12cd3 of component:default/orders has no environment in ci; create one and let it become ready before promoting it',
    );
    // Ready in ci is not ready in staging.
    await readyInCi(app, SHA);
    const fromStaging = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'production',
    });
    expect(fromStaging.status).toBe(409);
    expect(fromStaging.body.error.message).toMatch(
      /has no environment in staging/,
    );
    // An environment that failed says why.
    await app
      .knex('dag_cicd_environments')
      .where({ commit_sha: SHA })
      .update({ status: 'failed', error: 'copying input orders failed' });
    const failed = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    expect(failed.status).toBe(409);
    expect(failed.body.error.message).toBe(
      'Commit ab12cd3 is not ready in ci: environment ci_ab12cd3 is failed (copying input orders failed); promote it once an environment of it is ready',
    );
  });

  it('refuses a second open promotion of the same commit to the same stage (409)', async () => {
    const app = await setup();
    await readyInCi(app, SHA);
    const body = { entityRef: ORDERS, commit: SHA, toStage: 'staging' };
    const first = await requestPromotion(app, body);
    const second = await requestPromotion(app, body, as(BOB));
    expect(second.status).toBe(409);
    expect(second.body.error.message).toBe(
      `component:default/orders already has an open promotion of commit ab12cd3 to staging (${first.body.id}); approve, execute or cancel it instead of requesting another`,
    );
  });

  it('refuses self-approval, a second decision and approvers outside the group', async () => {
    const app = await setup();
    await readyInCi(app, SHA);
    const { body } = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
      commitAuthor: BOB,
    });
    const own = await decide(app, body.id, { decision: 'approve' }, as(ALICE));
    expect(own.status).toBe(400);
    expect(own.body.error.message).toMatch(
      /You cannot approve this promotion: you requested it/,
    );
    const author = await decide(app, body.id, { decision: 'approve' }, as(BOB));
    expect(author.status).toBe(400);
    expect(author.body.error.message).toMatch(/you authored the commit/);
    const outsider = await decide(
      app,
      body.id,
      { decision: 'approve' },
      as(DAVE),
    );
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toBe(
      'Only members of group:default/data may approve or reject promotions of component:default/orders to staging',
    );
    expect(
      (await decide(app, body.id, { decision: 'approve' }, as(CAROL))).status,
    ).toBe(200);
    const twice = await decide(
      app,
      body.id,
      { decision: 'approve' },
      as(CAROL),
    );
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe(
      'You already approved this promotion; a decision is made once',
    );
  });

  it('answers 403 to a decision without the approve permission', async () => {
    let decision: PolicyDecision = { result: AuthorizeResult.ALLOW };
    const app = await setup({ decide: () => decision });
    await readyInCi(app, SHA);
    const { body } = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    decision = { result: AuthorizeResult.DENY };
    const denied = await decide(app, body.id, { decision: 'approve' }, as(BOB));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      'Not allowed: dag-cicd.promotion.approve on component:default/orders in stage staging',
    );
  });

  it('closes a promotion on one rejection', async () => {
    const app = await setup();
    await readyInCi(app, SHA);
    const { body } = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    const rejected = await decide(
      app,
      body.id,
      { decision: 'reject', comment: 'row counts halved' },
      as(BOB),
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      decisions: [{ actor: BOB, decision: 'reject', counts: true }],
    });
    expect((await execute(app, body.id)).status).toBe(409);
    // A rejected commit may be requested again, e.g. after a fix of data.
    const again = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    expect(again.status).toBe(201);
  });

  it('cancels an open promotion, once', async () => {
    const app = await setup();
    await readyInCi(app, SHA);
    const { body } = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    const cancel = () =>
      request(app.app)
        .post(`/promotions/${body.id}/cancel`)
        .set('Authorization', as(ALICE))
        .send({ comment: 'wrong commit' });
    const cancelled = await cancel();
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await cancel();
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(
      /is cancelled; only an open promotion can be cancelled/,
    );
  });

  it('never passes a gate that throws: it is an error, and execution is refused', async () => {
    const app = await setup();
    const promotion = await approvedPromotion(app);
    app.switchGate.outcome = new Error('the run store is unreachable');
    const evaluated = await request(app.app)
      .post(`/promotions/${promotion.id}/evaluate`)
      .set('Authorization', as(DAVE));
    expect(evaluated.status).toBe(200);
    expect(evaluated.body.gatesPassed).toBe(false);
    expect(evaluated.body.gates[0]).toMatchObject({
      status: 'error',
      detail: 'The gate could not be evaluated: the run store is unreachable',
    });
    const refused = await execute(app, promotion.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(
      /switch is error \(The gate could not be evaluated: the run store is unreachable\)/,
    );
    expect(app.deploy.calls).toEqual([]);
  });

  it('lets a CI service request into staging, but never approve, nor request production', async () => {
    const app = await setup({
      policies: {
        staging: { gates: [{ gate: 'approvals' }] },
        production: { gates: [{ gate: 'switch' }], allowSkip: true },
      },
    });
    await readyInCi(app, SHA);
    const staging = await requestPromotion(
      app,
      { entityRef: ORDERS, commit: SHA, toStage: 'staging' },
      ciService,
    );
    expect(staging.status).toBe(201);
    expect(staging.body.requestedBy).toBe('external:ci-pipeline');
    const approve = await decide(
      app,
      staging.body.id,
      { decision: 'approve' },
      ciService,
    );
    expect(approve.status).toBe(403);
    const production = await requestPromotion(
      app,
      {
        entityRef: ORDERS,
        commit: SHA,
        fromStage: 'ci',
        toStage: 'production',
      },
      ciService,
    );
    expect(production.status).toBe(403);
    expect(production.body.error.message).toMatch(
      /Service principals may request promotions only into staging/,
    );
  });

  it('lists the approvals queue: open, approvable by the caller, undecided, not requested by them', async () => {
    const app = await setup();
    await readyInCi(app, SHA);
    await readyInCi(app, OTHER_SHA);
    const mine = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    const bobs = await requestPromotion(
      app,
      { entityRef: ORDERS, commit: OTHER_SHA, toStage: 'staging' },
      as(BOB),
    );
    const queue = async (who: string) =>
      (
        await request(app.app)
          .get('/promotions')
          .query({ awaiting: 'me' })
          .set('Authorization', as(who))
      ).body.items.map((p: any) => p.id);
    expect(await queue(ALICE)).toEqual([bobs.body.id]);
    expect((await queue(CAROL)).sort()).toEqual(
      [mine.body.id, bobs.body.id].sort(),
    );
    expect(await queue(DAVE)).toEqual([]);
    await decide(app, mine.body.id, { decision: 'approve' }, as(CAROL));
    expect(await queue(CAROL)).toEqual([bobs.body.id]);

    const all = await request(app.app)
      .get('/promotions')
      .query({ status: 'open', toStage: 'staging' })
      .set('Authorization', as(DAVE));
    expect(all.body.totalCount).toBe(2);
  });

  it('answers 404 for an unknown promotion', async () => {
    const app = await setup();
    const missing = await request(app.app)
      .get('/promotions/00000000-0000-4000-8000-000000000000')
      .set('Authorization', as(ALICE));
    expect(missing.status).toBe(404);
  });
});

describe('promotions: a backend that stopped mid-execution', () => {
  it('closes a promotion stuck in executing as failed, so the stage is free again', async () => {
    const app = await setup();
    const promotion = await approvedPromotion(app);
    // A replica marks it executing and dies before the deploy result.
    await app
      .knex('dag_cicd_promotions')
      .where({ id: promotion.id })
      .update({
        status: 'executing',
        updated_at: new Date(Date.now() - 3_600_000),
      });
    const service = app.promotions!;
    expect(await service.failStuckExecutions(60_000)).toBe(1);
    const closed = await request(app.app)
      .get(`/promotions/${promotion.id}`)
      .set('Authorization', as(ALICE));
    expect(closed.body).toMatchObject({
      status: 'failed',
      deploy: { status: 'failed', detail: expect.stringMatching(/unknown/) },
    });
    expect((await pipeline(app)).body.stages[1].promotionId).toBeNull();
    expect(await service.failStuckExecutions(60_000)).toBe(0);
  });
});

describe('promotions: execution re-checks every gate', () => {
  it('refuses an execution when a gate stopped passing since it was approved, and deploys nothing', async () => {
    const app = await setup();
    const promotion = await approvedPromotion(app);
    expect(promotion.gatesPassed).toBe(true);
    app.switchGate.outcome = {
      status: 'failed',
      detail: 'The newest run is red',
      inputs: { run: 'r-9' },
    };
    const refused = await execute(app, promotion.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      'Not every gate passes, so component:default/orders cannot be promoted to staging: switch is failed (The newest run is red)',
    );
    expect(app.deploy.calls).toEqual([]);
    const history = await request(app.app)
      .get(`/promotions/${promotion.id}/history`)
      .set('Authorization', as(ALICE));
    // The execution's own evaluation is recorded, and nothing after it.
    expect(history.body.items.at(-1)).toMatchObject({
      type: 'evaluated',
      actor: CAROL,
      detail: { passed: false },
    });
    expect(history.body.items.map((e: any) => e.type)).not.toContain(
      'executing',
    );
    expect((await pipeline(app)).body.stages[1].promotionId).toBeNull();
  });
});

describe('promotions: rollback', () => {
  it('rolls back by promoting an earlier commit again', async () => {
    const app = await setup();
    const first = await approvedPromotion(app, SHA);
    expect((await execute(app, first.id)).body.status).toBe('executed');
    const second = await approvedPromotion(app, OTHER_SHA);
    expect((await execute(app, second.id)).body.status).toBe('executed');
    expect((await pipeline(app)).body.stages[1].promotionId).toBe(second.id);

    // The earlier commit is still ready in ci: promoting it is the rollback.
    const back = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
      comment: 'roll back: ffee000 halves the row counts',
    });
    expect(back.status).toBe(201);
    await decide(app, back.body.id, { decision: 'approve' }, as(BOB));
    expect((await execute(app, back.body.id)).body.status).toBe('executed');
    const staging = (await pipeline(app)).body.stages[1];
    expect(staging).toMatchObject({ promotionId: back.body.id });
    expect(app.deploy.calls).toEqual([SHA, OTHER_SHA, SHA]);
  });
});

describe('promotions: deploy actions as a promotion runs them', () => {
  // A deploy endpoint on a free local port; it answers `status`.
  async function receiver() {
    const bodies: any[] = [];
    const answer = { status: 202 };
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', chunk => (text += chunk));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ deployment: answer.status < 300 ? 'd-1' : null }),
        );
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      answer,
      bodies,
      url: `http://127.0.0.1:${port}/deploy`,
      close: () => new Promise(resolve => server.close(resolve)),
    };
  }

  const switchOnly = (deploy: object) => ({
    staging: { gates: [{ gate: 'switch' }], deploy },
  });

  it('calls the webhook and records its answer; a refusal leaves the promotion failed and the stage unchanged', async () => {
    const hook = await receiver();
    try {
      const app = await setup({
        policies: switchOnly({
          action: 'webhook',
          options: { url: hook.url, timeoutMs: 5000 },
        }),
      });
      await readyInCi(app, SHA);
      await readyInCi(app, OTHER_SHA);
      const first = (
        await requestPromotion(app, {
          entityRef: ORDERS,
          commit: SHA,
          toStage: 'staging',
        })
      ).body.id;
      const executed = await execute(app, first);
      expect(executed.status).toBe(200);
      expect(executed.body).toMatchObject({
        status: 'executed',
        deploy: {
          action: 'webhook',
          status: 'succeeded',
          detail: `The webhook ${hook.url} answered 202`,
          output: { status: 202, body: { deployment: 'd-1' } },
        },
      });
      expect(hook.bodies[0].promotion).toMatchObject({
        id: first,
        commit: SHA,
        toStage: 'staging',
      });

      hook.answer.status = 503;
      const second = (
        await requestPromotion(app, {
          entityRef: ORDERS,
          commit: OTHER_SHA,
          toStage: 'staging',
        })
      ).body.id;
      const failed = await execute(app, second);
      expect(failed.body).toMatchObject({
        status: 'failed',
        deploy: {
          action: 'webhook',
          status: 'failed',
          detail: `The webhook ${hook.url} answered 503 Service Unavailable`,
          output: { status: 503 },
        },
      });
      const history = await request(app.app)
        .get(`/promotions/${second}/history`)
        .set('Authorization', as(ALICE));
      expect(history.body.items.at(-1)).toMatchObject({
        type: 'failed',
        detail: { deploy: { status: 'failed', action: 'webhook' } },
      });
      // Staging still runs the first commit.
      const staging = (await pipeline(app)).body.stages[1];
      expect(staging.promotionId).toBe(first);
    } finally {
      await hook.close();
    }
  });

  function airflow() {
    const mock = msw.mock('v2', 'http://airflow.test');
    mock.tokens(jwt(4_102_444_800));
    const client = createAirflowClient({
      name: 'local',
      baseUrl: 'http://airflow.test',
      apiVersion: 'v2',
      auth: { type: 'simple', username: 'admin', password: 'pw' },
      timeoutMs: 2000,
      retries: 0,
    } as any);
    return { mock, clients: { get: () => client } };
  }

  it('triggers the deployment DAG on the DAG’s Airflow instance with the commit in its conf', async () => {
    const { mock, clients } = airflow();
    mock.on('POST', '/api/v2/dags/{dag_id}/dagRuns', ({ params, body }) => ({
      body: v2.dagRun(params.dag_id, body.dag_run_id, {
        conf: body.conf,
        state: 'queued',
      }),
    }));
    const app = await setup({
      airflow: clients,
      policies: switchOnly({
        action: 'trigger-dag',
        options: { dagId: 'deploy_orders', conf: { target: 'staging' } },
      }),
    });
    await readyInCi(app, SHA);
    const { body } = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    const executed = await execute(app, body.id);
    expect(executed.body).toMatchObject({
      status: 'executed',
      deploy: {
        action: 'trigger-dag',
        status: 'succeeded',
        output: { instance: 'local', dagId: 'deploy_orders' },
      },
    });
    const sent = mock.calls('POST', '/api/v2/dags/{dag_id}/dagRuns');
    expect(sent).toHaveLength(1);
    expect(sent[0].body.conf).toEqual({
      target: 'staging',
      dag_cicd: {
        commit: SHA,
        promotion: expect.objectContaining({ id: body.id, commit: SHA }),
      },
    });
    expect(executed.body.deploy.output.dagRunId).toBe(sent[0].body.dag_run_id);
  });

  it('sets the Airflow Variable; an Airflow that refuses leaves the promotion failed and the stage unchanged', async () => {
    const { mock, clients } = airflow();
    let refuse = false;
    mock.on('PATCH', '/api/v2/variables/{variable_key}', ({ params, body }) =>
      refuse
        ? {
            status: 403,
            body: { detail: 'Forbidden' },
          }
        : {
            body: {
              key: params.variable_key,
              value: body.value,
              is_encrypted: false,
            },
          },
    );
    const app = await setup({
      airflow: clients,
      policies: switchOnly({
        action: 'set-variable',
        options: { key: 'orders_{stage}_commit' },
      }),
    });
    await readyInCi(app, SHA);
    await readyInCi(app, OTHER_SHA);
    const first = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    const executed = await execute(app, first.body.id);
    expect(executed.body.deploy).toEqual({
      action: 'set-variable',
      status: 'succeeded',
      detail: `Set the Airflow Variable orders_staging_commit on local to ${SHA}`,
      output: { instance: 'local', key: 'orders_staging_commit', value: SHA },
    });
    expect(
      mock.calls('PATCH', '/api/v2/variables/{variable_key}')[0].body,
    ).toEqual({ key: 'orders_staging_commit', value: SHA });

    refuse = true;
    const second = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: OTHER_SHA,
      toStage: 'staging',
    });
    const failed = await execute(app, second.body.id);
    expect(failed.body).toMatchObject({
      status: 'failed',
      deploy: { action: 'set-variable', status: 'failed' },
    });
    expect((await pipeline(app)).body.stages[1].promotionId).toBe(
      first.body.id,
    );
  });
});

describe('promotions: permissions and service principals', () => {
  it('makes request and execute each a permission (403 with the permission named)', async () => {
    let decision: PolicyDecision = { result: AuthorizeResult.ALLOW };
    const app = await setup({ decide: () => decision });
    await readyInCi(app, SHA);
    decision = { result: AuthorizeResult.DENY };
    const denied = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      'Not allowed: dag-cicd.promotion.request on component:default/orders in stage staging',
    );
    decision = { result: AuthorizeResult.ALLOW };
    const promotion = await approvedPromotion(app, OTHER_SHA);
    decision = { result: AuthorizeResult.DENY };
    const refused = await execute(app, promotion.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      'Not allowed: dag-cicd.promotion.execute on component:default/orders in stage staging',
    );
    expect(app.deploy.calls).toEqual([]);
  });

  it('never lets a CI service principal execute a production promotion, even with every gate passing', async () => {
    const app = await setup({
      policies: {
        production: {
          gates: [{ gate: 'switch' }],
          deploy: { action: 'test-deploy' },
          allowSkip: true,
        },
      },
    });
    await readyInCi(app, SHA);
    const { body } = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      fromStage: 'ci',
      toStage: 'production',
    });
    expect(body.gatesPassed).toBe(true);
    const byCi = await execute(app, body.id, ciService);
    expect(byCi.status).toBe(403);
    expect(byCi.body.error.message).toBe(
      'Service principals may not execute promotions into production; a person with dag-cicd.promotion.execute does',
    );
    expect(app.deploy.calls).toEqual([]);
    expect((await execute(app, body.id, as(CAROL))).body.status).toBe(
      'executed',
    );
  });
});

describe('promotions: policy file of the DAG', () => {
  it('records that a promotion follows the policy file of its repository', async () => {
    const location = 'https://git.test/acme/orders/promotion-policy.yaml';
    const app = await setup({
      policyFile: {
        location,
        read: async () =>
          'staging:\n  gates:\n    - gate: switch\n      name: from the repository\n',
      },
    });
    await readyInCi(app, SHA);
    const requested = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
    });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({
      policy: { source: 'file', name: location },
      gates: [{ gate: 'from the repository', status: 'passed' }],
      gatesPassed: true,
    });
  });
});

describe('promotions: notifications and the auditor', () => {
  const sent = (send: jest.Mock<Promise<void>, [any]>) =>
    send.mock.calls.map(([options]) => ({
      to: options.recipients.entityRef,
      title: options.payload.title,
    }));

  it('tells the approvers when a promotion waits on them, and the requester of each decision and of the outcome', async () => {
    const send = jest.fn(async (_options: any) => {});
    const app = await setup({ notifications: { send } });
    await readyInCi(app, SHA);
    const requested = await requestPromotion(app, {
      entityRef: ORDERS,
      commit: SHA,
      toStage: 'staging',
      commitAuthor: DAVE,
    });
    const id = requested.body.id;
    await app.promotions!.settled();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({
      recipients: {
        type: 'entity',
        entityRef: DATA_GROUP,
        // Their approvals would not count.
        excludeEntityRef: [ALICE, DAVE],
      },
      payload: expect.objectContaining({
        title: 'orders: commit ab12cd3 to staging awaits your approval',
        link: '/dag-cicd/approvals',
        topic: 'dag-cicd-promotion',
        scope: `promotion:${id}:approval`,
      }),
    });
    // Evaluated again while still waiting: nobody is told twice.
    await request(app.app)
      .post(`/promotions/${id}/evaluate`)
      .set('Authorization', as(BOB));
    await app.promotions!.settled();
    expect(send).toHaveBeenCalledTimes(1);

    await decide(app, id, { decision: 'approve', comment: 'ok' }, as(BOB));
    await execute(app, id, as(CAROL));
    await app.promotions!.settled();
    expect(sent(send).slice(1)).toEqual([
      {
        to: ALICE,
        title: 'orders: user:default/bob approved your promotion to staging',
      },
      { to: ALICE, title: 'orders: commit ab12cd3 is now in staging' },
    ]);
    expect(send.mock.calls[1][0].payload).toMatchObject({
      description: expect.stringMatching(/Every gate passes/),
      link: '/catalog/default/component/orders/ci-cd',
    });

    // A failed deploy and a rejection reach the requester as high severity.
    const failing = await approvedPromotion(app, OTHER_SHA);
    app.deploy.outcome = new Error('the deployment DAG is paused');
    await execute(app, failing.id, as(CAROL));
    await app.promotions!.settled();
    expect(send.mock.calls.at(-1)![0]).toMatchObject({
      recipients: { entityRef: ALICE },
      payload: {
        title: 'orders: commit ffee000 failed to reach staging',
        severity: 'high',
        description: expect.stringMatching(/the deployment DAG is paused/),
      },
    });
  });

  it('tells the requester of a rejection, nobody of their own action, and never fails a promotion over a notification', async () => {
    const send = jest.fn(async (_options: any): Promise<void> => {
      throw new Error('the notifications backend is not installed');
    });
    const app = await setup({ notifications: { send } });
    await readyInCi(app, SHA);
    const { body } = await requestPromotion(
      app,
      { entityRef: ORDERS, commit: SHA, toStage: 'staging' },
      as(BOB),
    );
    expect(body.status).toBe('open');
    const rejected = await decide(
      app,
      body.id,
      { decision: 'reject', comment: 'row counts halved' },
      as(CAROL),
    );
    expect(rejected.status).toBe(200);
    await app.promotions!.settled();
    expect(send.mock.calls.at(-1)![0]).toMatchObject({
      recipients: { entityRef: BOB },
      payload: {
        title: 'orders: user:default/carol rejected your promotion to staging',
        severity: 'high',
      },
    });

    // Alice executes her own promotion: she is not told what she did.
    const own = await approvedPromotion(app, OTHER_SHA);
    send.mockClear();
    await execute(app, own.id, as(ALICE));
    await app.promotions!.settled();
    expect(send).not.toHaveBeenCalled();
  });

  it('audits every entry of the history once it is committed', async () => {
    const app = await setup();
    const promotion = await approvedPromotion(app);
    await execute(app, promotion.id);
    const history = await request(app.app)
      .get(`/promotions/${promotion.id}/history`)
      .set('Authorization', as(ALICE));
    const audited = app.auditor.createEvent.mock.calls
      .map(([event]) => event)
      .filter(event => event.eventId === 'promotion-history');
    expect(audited.map(e => [e.meta!.step, e.meta!.actor])).toEqual(
      history.body.items.map((e: any) => [e.type, e.actor]),
    );
    expect(audited[0].meta).toMatchObject({
      promotionId: promotion.id,
      detail: { entityRef: ORDERS, commit: SHA, toStage: 'staging' },
    });
    const evaluation = audited.find(e => e.meta!.step === 'evaluated')!;
    expect(evaluation.meta!.detail).toMatchObject({
      gates: [
        expect.objectContaining({ gate: 'switch', inputs: { switch: 'on' } }),
        expect.objectContaining({ gate: 'approvals' }),
      ],
    });
    expect(audited.at(-1)).toMatchObject({
      severityLevel: 'high',
      meta: { step: 'executed', detail: { deploy: { status: 'succeeded' } } },
    });
  });
});

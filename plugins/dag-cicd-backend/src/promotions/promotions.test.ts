import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { Knex, knex as createKnex } from 'knex';
import request from 'supertest';
import {
  createEnvironmentApp,
  ORDERS,
  writeFile,
} from '../__testUtils__/environmentApp';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import {
  ALICE,
  BOB,
  CAROL,
  DAVE,
  promotionsForTest,
  SwitchGate,
  TestDeployAction,
} from './__testUtils__/promotionApp';

jest.setTimeout(60_000);

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
  } = {},
) {
  const knex =
    options.knex ?? (await databases.init(options.databaseId ?? 'SQLITE_3'));
  const switchGate = new SwitchGate();
  const deploy = new TestDeployAction();
  const { config, promotions } = promotionsForTest({
    switchGate,
    deploy,
    policies: options.policies,
    members: options.members,
  });
  const auditor = mockServices.auditor.mock();
  const env = await createEnvironmentApp({
    knex,
    auditor,
    config,
    promotions,
    decide: options.decide,
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
    expect(stages[2]).toMatchObject({ promotionId: null, since: null });

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
    const history = await request(app.app)
      .get(`/promotions/${second.id}/history`)
      .set('Authorization', as(ALICE));
    expect(history.body.items.at(-1).type).toBe('failed');
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

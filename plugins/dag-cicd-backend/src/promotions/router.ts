import { Environment, Promotion } from '@dag-cicd/plugin-dag-cicd-common';
import { EnvironmentRecord } from '../database/EnvironmentStore';
import { createOpenApiRouter } from '../schema/openapi';
import { RequestContext } from '../service/requestContext';
import { PromotionService, PromotionView } from './PromotionService';
import { PromotionEvent } from './PromotionStore';

type ApiRouter = Awaited<ReturnType<typeof createOpenApiRouter>>;

const iso = (d?: Date) => d?.toISOString() ?? null;

export function toApiPromotion(view: PromotionView): Promotion {
  return {
    id: view.id,
    entityRef: view.entityRef,
    commit: view.commit,
    commitAuthor: view.commitAuthor ?? null,
    fromStage: view.fromStage,
    toStage: view.toStage,
    status: view.status,
    sourceEnvironmentId: view.sourceEnvironmentId,
    targetEnvironmentId: view.targetEnvironmentId ?? null,
    policy: {
      source: view.policy.source,
      ...(view.policy.name && { name: view.policy.name }),
    },
    requestedBy: view.requestedBy,
    requestedAt: view.requestedAt.toISOString(),
    ...(view.comment && { comment: view.comment }),
    gates: view.gates.map(g => ({
      gate: g.gate,
      type: g.type,
      status: g.status,
      detail: g.detail,
      inputs: g.inputs,
      evaluatedAt: g.evaluatedAt.toISOString(),
    })),
    gatesPassed: view.gatesPassed,
    decisions: view.decisions.map(d => ({
      actor: d.actor,
      decision: d.decision,
      ...(d.comment && { comment: d.comment }),
      at: d.at.toISOString(),
      counts: d.counts,
      ...(d.reason && { reason: d.reason }),
    })),
    ...(view.deploy && { deploy: view.deploy }),
    executedBy: view.executedBy ?? null,
    closedAt: iso(view.closedAt),
  };
}

function toApiEvent(event: PromotionEvent) {
  return {
    id: event.id,
    type: event.type,
    actor: event.actor,
    at: event.at.toISOString(),
    ...(event.detail && { detail: event.detail }),
  };
}

/**
 * The promotion routes (`/promotions*`, `/pipeline`) on the plugin's
 * OpenAPI router: each validates through the spec, names the caller, audits
 * and calls the {@link PromotionService}.
 */
export function addPromotionRoutes(
  router: ApiRouter,
  context: RequestContext & {
    toApiEnvironment: (record: EnvironmentRecord) => Environment;
  },
  promotions: PromotionService,
) {
  const { caller, audited, toApiEnvironment } = context;

  router.get('/pipeline', async (req, res) => {
    const { entityRef } = req.query;
    const pipeline = await audited(
      req,
      'promotion-fetch',
      { queryType: 'pipeline', entityRef },
      async () => promotions.pipeline(entityRef, await caller(req)),
    );
    res.json({
      entityRef: pipeline.entityRef,
      stages: pipeline.stages.map(stage => ({
        name: stage.name,
        production: stage.production,
        commit: stage.commit ?? null,
        ...(stage.environment && {
          environment: toApiEnvironment(stage.environment),
        }),
        since: iso(stage.pointer?.since),
        promotedBy: stage.pointer?.promotedBy ?? null,
        promotionId: stage.pointer?.promotionId ?? null,
        openPromotions: stage.openPromotions.map(toApiPromotion),
      })),
    });
  });

  router.get('/promotions', async (req, res) => {
    const {
      entityRef,
      status,
      toStage,
      awaiting,
      limit = 50,
      offset = 0,
    } = req.query;
    const page = await audited(
      req,
      'promotion-fetch',
      {
        queryType: 'list',
        entityRef,
        status,
        toStage,
        awaiting,
      },
      async () =>
        promotions.list(
          { entityRef, status, toStage, awaiting },
          { limit: Number(limit), offset: Number(offset) },
          await caller(req),
        ),
    );
    res.json({
      items: page.items.map(toApiPromotion),
      totalCount: page.totalCount,
    });
  });

  router.post('/promotions', async (req, res) => {
    const body = req.body;
    const promotion = await audited(
      req,
      'promotion-request',
      {
        entityRef: body.entityRef,
        commit: body.commit,
        fromStage: body.fromStage,
        toStage: body.toStage,
      },
      async () => promotions.request(body, await caller(req)),
    );
    res.status(201).json(toApiPromotion(promotion));
  });

  router.get('/promotions/:id', async (req, res) => {
    const promotion = await audited(
      req,
      'promotion-fetch',
      { queryType: 'by-id', id: req.params.id },
      async () => promotions.get(req.params.id, await caller(req)),
    );
    res.json(toApiPromotion(promotion));
  });

  router.get('/promotions/:id/history', async (req, res) => {
    const events = await audited(
      req,
      'promotion-fetch',
      { queryType: 'history', id: req.params.id },
      async () => promotions.history(req.params.id, await caller(req)),
    );
    res.json({ items: events.map(toApiEvent) });
  });

  router.post('/promotions/:id/evaluate', async (req, res) => {
    const promotion = await audited(
      req,
      'promotion-evaluate',
      { id: req.params.id },
      async () => promotions.evaluate(req.params.id, await caller(req)),
    );
    res.json(toApiPromotion(promotion));
  });

  router.post('/promotions/:id/decisions', async (req, res) => {
    const promotion = await audited(
      req,
      'promotion-decide',
      { id: req.params.id, decision: req.body.decision },
      async () => promotions.decide(req.params.id, req.body, await caller(req)),
    );
    res.json(toApiPromotion(promotion));
  });

  router.post('/promotions/:id/execute', async (req, res) => {
    const promotion = await audited(
      req,
      'promotion-execute',
      { id: req.params.id },
      async () => promotions.execute(req.params.id, await caller(req)),
    );
    res.json(toApiPromotion(promotion));
  });

  router.post('/promotions/:id/cancel', async (req, res) => {
    const promotion = await audited(
      req,
      'promotion-cancel',
      { id: req.params.id },
      async () =>
        promotions.cancel(req.params.id, req.body ?? {}, await caller(req)),
    );
    res.json(toApiPromotion(promotion));
  });
}

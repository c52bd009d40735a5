import {
  AuditorService,
  AuthService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import express from 'express';
import {
  EnvironmentEvent,
  EnvironmentRecord,
} from '../database/EnvironmentStore';
import { createOpenApiRouter } from '../schema/openapi';
import { RunService, RunView } from '../runs/RunService';
import { BranchHeadService } from './branchHead';
import { DagStatusService } from './DagStatusService';
import { EnvironmentService } from './EnvironmentService';
import { createRequestContext } from './requestContext';
import { addPromotionRoutes } from '../promotions/router';
import { PromotionService } from '../promotions/PromotionService';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  auth: AuthService;
  auditor: AuditorService;
  environments: EnvironmentService;
  runs: RunService;
  dags: DagStatusService;
  /** Resolving a branch to its head commit through the SCM integrations. */
  branchHeads: BranchHeadService;
  /** Promotions and the pipeline; without it those routes answer 404. */
  promotions?: PromotionService;
  /** Options of the OpenAPI validator; tests turn on response validation. */
  validatorOptions?: Parameters<typeof createOpenApiRouter>[0];
}

function toApiEnvironment(
  record: EnvironmentRecord,
  lastRun?: RunView,
): Environment {
  return {
    id: record.id,
    name: record.name,
    entityRef: record.entityRef,
    commit: record.commit,
    stage: record.stage,
    dataNamespace: record.dataNamespace,
    inputs: record.inputs,
    artifacts: record.artifacts,
    connections: record.connections,
    profile: record.profile,
    seed: record.seed,
    ...(record.profileOptions?.sample && {
      sample: record.profileOptions.sample,
    }),
    ...(record.profileOptions?.chaos && {
      chaos: record.profileOptions.chaos,
    }),
    status: record.status,
    ...(record.error && { error: record.error }),
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    ...(lastRun && {
      lastRun: {
        id: lastRun.id,
        dagRunId: lastRun.dagRunId,
        state: lastRun.state,
        ...(lastRun.uiUrl && { uiUrl: lastRun.uiUrl }),
        createdAt: lastRun.createdAt.toISOString(),
        endDate: lastRun.endDate?.toISOString() ?? null,
      },
    }),
  };
}

function toApiEvent(event: EnvironmentEvent) {
  return {
    id: event.id,
    type: event.type,
    ...(event.from && { from: event.from }),
    ...(event.to && { to: event.to }),
    ...(event.step && { step: event.step }),
    actor: event.actor,
    at: event.at.toISOString(),
    ...(event.detail && { detail: event.detail }),
  };
}

function toApiRun(run: RunView, commit?: string) {
  const iso = (d?: Date) => d?.toISOString() ?? null;
  return {
    id: run.id,
    environmentId: run.environmentId,
    instance: run.instance,
    dagId: run.dagId,
    dagRunId: run.dagRunId,
    state: run.state,
    ...(run.bundleVersion && { bundleVersion: run.bundleVersion }),
    bundleMatchesCommit:
      run.bundleVersion && commit ? run.bundleVersion === commit : null,
    ...(run.error && { error: run.error }),
    ...(run.uiUrl && { uiUrl: run.uiUrl }),
    startedBy: run.startedBy,
    createdAt: run.createdAt.toISOString(),
    startDate: iso(run.startDate),
    endDate: iso(run.endDate),
    tasks: run.tasks,
    manifests: run.manifests,
  };
}

/**
 * The HTTP API, generated from `src/schema/openapi.yaml`: the spec validates
 * every request before a handler runs; handlers only authenticate, audit and
 * call the {@link EnvironmentService}.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, auth, auditor, environments, runs, dags } = options;
  const router = await createOpenApiRouter(options.validatorOptions);

  const { caller, audited } = createRequestContext({ httpAuth, auth, auditor });

  // Environments with their newest run: one query for the whole page.
  const withLastRuns = async (records: EnvironmentRecord[]) => {
    const lastRuns = await runs.lastRuns(records.map(r => r.id));
    return records.map(r => toApiEnvironment(r, lastRuns.get(r.id)));
  };

  router.get('/environments', async (req, res) => {
    const { entityRef, stage, status, name, orderBy, order } = req.query;
    const { limit = 50, offset = 0 } = req.query;
    const page = await audited(
      req,
      'environment-fetch',
      {
        queryType: entityRef === undefined ? 'all' : 'by-entity',
        ...(entityRef !== undefined && { entityRef }),
        ...(stage && { stage }),
        ...(status && { status }),
        ...(name !== undefined && { name }),
      },
      async () =>
        environments.list(
          { entityRef, stage, status, name },
          {
            limit: Number(limit),
            offset: Number(offset),
            orderBy,
            order,
          },
          await caller(req),
        ),
    );
    res.json({
      items: await withLastRuns(page.items),
      totalCount: page.totalCount,
    });
  });

  router.post('/environments', async (req, res) => {
    const body = req.body;
    const { environment, created } = await audited(
      req,
      'environment-create',
      {
        entityRef: body.entityRef,
        stage: body.stage,
        name: body.name,
        commit: body.commit,
        profile: body.profile,
      },
      async () => environments.create(body, await caller(req)),
    );
    res.status(created ? 201 : 200).json(toApiEnvironment(environment));
  });

  router.get('/environments/:id', async (req, res) => {
    const environment = await audited(
      req,
      'environment-fetch',
      { queryType: 'by-id', id: req.params.id },
      async () => environments.get(req.params.id, await caller(req)),
    );
    const [answer] = await withLastRuns([environment]);
    res.json(answer);
  });

  router.patch('/environments/:id', async (req, res) => {
    const environment = await audited(
      req,
      'environment-update',
      { id: req.params.id, ttl: req.body.ttl },
      async () =>
        environments.updateTtl(req.params.id, req.body.ttl, await caller(req)),
    );
    const [answer] = await withLastRuns([environment]);
    res.json(answer);
  });

  router.delete('/environments/:id', async (req, res) => {
    const environment = await audited(
      req,
      'environment-teardown',
      { id: req.params.id },
      async () => environments.teardown(req.params.id, await caller(req)),
    );
    res.status(202).json(toApiEnvironment(environment));
  });

  router.get('/environments/:id/history', async (req, res) => {
    const events = await audited(
      req,
      'environment-fetch',
      { queryType: 'history', id: req.params.id },
      async () => environments.history(req.params.id, await caller(req)),
    );
    res.json({ items: events.map(toApiEvent) });
  });

  router.post('/environments/:id/runs', async (req, res) => {
    const run = await audited(
      req,
      'run-start',
      { environmentId: req.params.id },
      async () => runs.start(req.params.id, await caller(req)),
    );
    res.status(201).json(toApiRun(run, commitOf(run)));
  });

  router.get('/environments/:id/runs', async (req, res) => {
    const items = await audited(
      req,
      'environment-fetch',
      { queryType: 'runs', id: req.params.id },
      async () =>
        runs.list(req.params.id, await caller(req), {
          // The validator checks the type; query strings arrive as text.
          refresh: String(req.query.refresh) === 'true',
        }),
    );
    res.json({ items: items.map(run => toApiRun(run, commitOf(run))) });
  });

  router.get('/environments/:id/conf', async (req, res) => {
    const view = await audited(
      req,
      'environment-fetch',
      { queryType: 'conf', id: req.params.id },
      async () => runs.environmentConf(req.params.id, await caller(req)),
    );
    res.json({
      conf: view.conf,
      isolationEnforced: view.isolationEnforced ?? null,
      faultReport: view.faultReport ?? null,
    });
  });

  router.get('/stages', async (req, res) => {
    const stages = await audited(
      req,
      'environment-fetch',
      { queryType: 'stages' },
      async () => {
        // Configuration, not data: any signed-in user or service may read it
        // (401 otherwise); no permission guards it, as none guards app-config.
        await caller(req);
        return environments.stages();
      },
    );
    res.json({
      items: stages.map(({ name, production }) => ({ name, production })),
    });
  });

  router.get('/dags/status', async (req, res) => {
    const { entityRef } = req.query;
    const status = await audited(
      req,
      'environment-fetch',
      { queryType: 'dag-status', entityRef },
      async () => dags.get(entityRef, await caller(req)),
    );
    res.json(status);
  });

  router.get('/commits/resolve', async (req, res) => {
    const { entityRef, ref } = req.query;
    const head = await audited(
      req,
      'environment-fetch',
      { queryType: 'branch-head', entityRef, ref },
      async () =>
        options.branchHeads.resolve(entityRef, ref, await caller(req)),
    );
    res.json(head);
  });

  if (options.promotions) {
    addPromotionRoutes(
      router,
      { caller, audited, toApiEnvironment: r => toApiEnvironment(r) },
      options.promotions,
    );
  }

  return router;
}

// The commit a run was started for, as its conf says.
function commitOf(run: RunView): string | undefined {
  const conf = run.conf.dag_cicd as { commit?: string } | undefined;
  return conf?.commit;
}

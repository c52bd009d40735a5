import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import { JsonObject } from '@backstage/types';
import express, { Request } from 'express';
import {
  EnvironmentEvent,
  EnvironmentRecord,
} from '../database/EnvironmentStore';
import { createOpenApiRouter } from '../schema/openapi';
import { Caller, EnvironmentService } from './EnvironmentService';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  auth: AuthService;
  auditor: AuditorService;
  environments: EnvironmentService;
  /** Options of the OpenAPI validator; tests turn on response validation. */
  validatorOptions?: Parameters<typeof createOpenApiRouter>[0];
}

function toApiEnvironment(record: EnvironmentRecord): Environment {
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
    status: record.status,
    ...(record.error && { error: record.error }),
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
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

/**
 * The HTTP API, generated from `src/schema/openapi.yaml`: the spec validates
 * every request before a handler runs; handlers only authenticate, audit and
 * call the {@link EnvironmentService}.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, auth, auditor, environments } = options;
  const router = await createOpenApiRouter(options.validatorOptions);

  // How history and `createdBy` name a caller: a user's entity ref, or the
  // subject of a service token (`external:ci-pipeline`).
  async function caller(req: Request<any, any, any, any>): Promise<Caller> {
    const credentials: BackstageCredentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (auth.isPrincipal(credentials, 'user')) {
      return { credentials, actor: credentials.principal.userEntityRef };
    }
    const { subject } = credentials.principal as { subject?: string };
    return { credentials, actor: subject ?? 'unknown' };
  }

  // Every request is one auditor event, failed or succeeded.
  async function audited<T>(
    req: Request<any, any, any, any>,
    eventId: string,
    meta: JsonObject,
    work: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      request: req,
      severityLevel: eventId === 'environment-fetch' ? 'low' : 'medium',
      meta,
    });
    try {
      const result = await work();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.get('/environments', async (req, res) => {
    const { entityRef, stage, status, limit = 50, offset = 0 } = req.query;
    const page = await audited(
      req,
      'environment-fetch',
      { queryType: 'by-entity', entityRef, stage, status },
      async () =>
        environments.list(
          { entityRef, stage, status },
          { limit: Number(limit), offset: Number(offset) },
          await caller(req),
        ),
    );
    res.json({
      items: page.items.map(toApiEnvironment),
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
    res.json(toApiEnvironment(environment));
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

  return router;
}

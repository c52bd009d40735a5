import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  dagCicdEnvironmentReadPermission,
  Environment,
} from '@dag-cicd/plugin-dag-cicd-common';
import express from 'express';
import {
  EnvironmentRecord,
  EnvironmentStore,
} from '../database/EnvironmentStore';
import { createOpenApiRouter } from '../schema/openapi';
import { EntityAccess } from './entityAccess';
import { Stages } from './stages';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  entityAccess: EntityAccess;
  environments: EnvironmentStore;
  stages: Stages;
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
    status: record.status,
    ...(record.error && { error: record.error }),
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
  };
}

/**
 * The HTTP API, generated from `src/schema/openapi.yaml`: the spec validates
 * every request before a handler runs; handlers only authenticate, authorise
 * and call the stores and services.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, auditor, entityAccess, environments, stages } = options;
  const router = await createOpenApiRouter(options.validatorOptions);

  router.get('/environments', async (req, res) => {
    const { entityRef, stage, status, limit = 50, offset = 0 } = req.query;
    const auditorEvent = await auditor.createEvent({
      eventId: 'environment-fetch',
      request: req,
      severityLevel: 'low',
      meta: { queryType: 'by-entity', entityRef, stage, status },
    });
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      if (stage) stages.get(stage);
      const ref = await entityAccess.require({
        entityRef,
        permission: dagCicdEnvironmentReadPermission,
        credentials,
      });
      const page = await environments.list(
        { entityRef: ref, stage, status },
        { limit: Number(limit), offset: Number(offset) },
      );
      await auditorEvent.success({ meta: { totalCount: page.totalCount } });
      res.json({
        items: page.items.map(toApiEnvironment),
        totalCount: page.totalCount,
      });
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}

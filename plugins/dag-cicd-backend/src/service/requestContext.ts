import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';
import { Caller } from './EnvironmentService';

/**
 * What every route needs from a request besides its validated input: who is
 * calling, and an auditor event around the work. One place, so that every
 * route names callers and audits the same way.
 */
export interface RequestContext {
  caller(req: Request<any, any, any, any>): Promise<Caller>;
  audited<T>(
    req: Request<any, any, any, any>,
    eventId: string,
    meta: JsonObject,
    work: () => Promise<T>,
  ): Promise<T>;
}

// Events a person reads often and that change nothing.
const LOW_SEVERITY = new Set(['environment-fetch', 'promotion-fetch']);

export function createRequestContext(options: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  auditor: AuditorService;
}): RequestContext {
  const { httpAuth, auth, auditor } = options;
  return {
    // How history and `createdBy` name a caller: a user's entity ref, or the
    // subject of a service token (`external:ci-pipeline`).
    async caller(req) {
      const credentials: BackstageCredentials = await httpAuth.credentials(
        req,
        { allow: ['user', 'service'] },
      );
      if (auth.isPrincipal(credentials, 'user')) {
        return { credentials, actor: credentials.principal.userEntityRef };
      }
      const { subject } = credentials.principal as { subject?: string };
      return { credentials, actor: subject ?? 'unknown' };
    },

    // Every request is one auditor event, failed or succeeded.
    async audited(req, eventId, meta, work) {
      const event = await auditor.createEvent({
        eventId,
        request: req,
        severityLevel: LOW_SEVERITY.has(eventId) ? 'low' : 'medium',
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
    },
  };
}

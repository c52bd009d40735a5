import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { PromotionHistoryListener } from './DatabasePromotionStore';
import { PromotionEventType } from './PromotionStore';

const SEVERITY: Record<PromotionEventType, AuditorServiceEventSeverityLevel> = {
  requested: 'medium',
  evaluated: 'low',
  approved: 'medium',
  rejected: 'medium',
  executing: 'medium',
  executed: 'high',
  failed: 'high',
  cancelled: 'medium',
};

/**
 * Sends every committed entry of a promotion's history to the auditor as a
 * `promotion-history` event: the route events say who asked for what; these
 * say what happened — each evaluation with every gate's inputs and result,
 * each decision, the execution and the deploy result — including what the
 * backend does on its own (closing a promotion stuck in `executing`).
 *
 * A failed deploy is audited as a failed event with the deploy's detail.
 * Auditing never fails the promotion step, which is already committed.
 */
export function auditPromotionHistory(
  auditor: AuditorService,
  logger: LoggerService,
): PromotionHistoryListener {
  return events => {
    for (const event of events) {
      const meta: JsonObject = {
        step: event.type,
        promotionId: event.promotionId,
        actor: event.actor,
        at: event.at.toISOString(),
        ...(event.detail && { detail: event.detail }),
      };
      auditor
        .createEvent({
          eventId: 'promotion-history',
          severityLevel: SEVERITY[event.type],
          meta,
        })
        .then(audit => {
          if (event.type !== 'failed') return audit.success();
          const deploy = event.detail?.deploy as JsonObject | undefined;
          return audit.fail({
            error: new Error(
              String(deploy?.detail ?? 'The promotion failed to deploy'),
            ),
          });
        })
        .catch(error =>
          logger.warn(
            `dag-cicd: could not audit the ${event.type} step of promotion ${event.promotionId}: ${error}`,
          ),
        );
    }
  };
}

import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import { DecisionRecord, PromotionRecord } from './PromotionStore';

const TOPIC = 'dag-cicd-promotion';

const sha7 = (commit: string) => commit.slice(0, 7);

function entityName(ref: string): string {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
}

// Only users get notifications: a CI pipeline's subject is no entity.
function isUserRef(ref: string | undefined): ref is string {
  return ref !== undefined && /^user:/i.test(ref);
}

// The DAG's CI/CD tab, where its pipeline and promotions show.
function promotionLink(promotion: PromotionRecord): string {
  try {
    const { kind, namespace, name } = parseEntityRef(promotion.entityRef);
    return `/catalog/${namespace}/${kind.toLocaleLowerCase(
      'en-US',
    )}/${name}/ci-cd`;
  } catch {
    return '/dag-cicd/approvals';
  }
}

// What the requester can do now.
function nextStep(promotion: PromotionRecord, decision: DecisionRecord) {
  if (decision.decision === 'reject') {
    return 'One rejection closes the promotion; request it again once the reason is addressed.';
  }
  return promotion.gatesPassed
    ? 'Every gate passes: it can be executed.'
    : 'Other gates or approvals are still pending.';
}

/**
 * Tells people about promotions through the notifications service, when the
 * backend has one: the approver group when a promotion waits on its
 * approvals, the requester when someone approves or rejects it and when it
 * executed or failed. Nobody is told about their own action.
 *
 * Sending never delays nor fails a promotion step: it runs in the
 * background, and a failure (no notifications backend installed) is a
 * warning in the log. {@link PromotionNotifier.settled} waits for what is
 * in flight, for tests and shutdown.
 */
export class PromotionNotifier {
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: {
      notifications?: NotificationService;
      logger: LoggerService;
    },
  ) {}

  /** The promotion now waits on approvals from members of `group`. */
  awaitingApproval(promotion: PromotionRecord, group: string) {
    this.#send({
      recipients: {
        type: 'entity',
        entityRef: group,
        // Their approvals would not count: no use asking them.
        excludeEntityRef: [
          promotion.requestedBy,
          promotion.commitAuthor,
        ].filter(isUserRef),
      },
      payload: {
        title: `${entityName(promotion.entityRef)}: commit ${sha7(
          promotion.commit,
        )} to ${promotion.toStage} awaits your approval`,
        description: `${promotion.requestedBy} requested the promotion of ${
          promotion.entityRef
        } from ${promotion.fromStage} to ${promotion.toStage}${
          promotion.comment ? `: ${promotion.comment}` : ''
        }. Its other gates pass or are still pending; it needs approvals from ${group}.`,
        link: '/dag-cicd/approvals',
        severity: 'normal',
        topic: TOPIC,
        scope: `promotion:${promotion.id}:approval`,
      },
    });
  }

  /** Someone approved or rejected the promotion. */
  decided(promotion: PromotionRecord, decision: DecisionRecord) {
    const verb = decision.decision === 'approve' ? 'approved' : 'rejected';
    this.#toRequester(promotion, decision.actor, {
      title: `${entityName(promotion.entityRef)}: ${
        decision.actor
      } ${verb} your promotion to ${promotion.toStage}`,
      description: `Commit ${sha7(promotion.commit)} of ${
        promotion.entityRef
      } to ${promotion.toStage}${
        decision.comment ? `: "${decision.comment}"` : ''
      }. ${nextStep(promotion, decision)}`,
      severity: decision.decision === 'reject' ? 'high' : 'normal',
    });
  }

  /** The promotion executed or failed. */
  closed(promotion: PromotionRecord, actor: string) {
    const failed = promotion.status === 'failed';
    this.#toRequester(promotion, actor, {
      title: `${entityName(promotion.entityRef)}: commit ${sha7(
        promotion.commit,
      )} ${failed ? 'failed to reach' : 'is now in'} ${promotion.toStage}`,
      description: failed
        ? `The deploy of your promotion failed, so ${
            promotion.toStage
          } still runs what it ran before: ${
            promotion.deploy?.detail ?? 'no detail'
          }`
        : `${actor} executed your promotion of ${promotion.entityRef}; ${
            promotion.deploy?.detail ?? ''
          }`.trim(),
      severity: failed ? 'high' : 'normal',
    });
  }

  /** Resolves when every notification in flight was sent or failed. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  #toRequester(
    promotion: PromotionRecord,
    actor: string,
    payload: {
      title: string;
      description: string;
      severity: 'normal' | 'high';
    },
  ) {
    if (!isUserRef(promotion.requestedBy)) return;
    if (
      promotion.requestedBy.toLocaleLowerCase('en-US') ===
      actor.toLocaleLowerCase('en-US')
    ) {
      return;
    }
    this.#send({
      recipients: { type: 'entity', entityRef: promotion.requestedBy },
      payload: {
        ...payload,
        link: promotionLink(promotion),
        topic: TOPIC,
      },
    });
  }

  #send(options: NotificationSendOptions) {
    const { notifications, logger } = this.options;
    if (!notifications) return;
    const sending: Promise<void> = notifications
      .send(options)
      .catch(error =>
        logger.warn(
          `dag-cicd: could not send the notification "${options.payload.title}": ${error}`,
        ),
      )
      .finally(() => this.#inFlight.delete(sending));
    this.#inFlight.add(sending);
  }
}

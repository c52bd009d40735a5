import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import {
  GateDecision,
  GateOutcome,
  PromotionGate,
  PromotionSubject,
} from '@dag-cicd/plugin-dag-cicd-node';
import { count } from './describe';
import { assertKnownOptions, integerOption, stringOption } from './options';

/** A decision on a promotion, with whether it counts and why. */
export interface CountedDecision extends GateDecision {
  /**
   * For an approval: whether it counts towards the minimum. For a
   * rejection: always true, as one rejection blocks the promotion.
   */
  counts: boolean;
  /** Why it counts or does not, for the person reading the promotion. */
  reason: string;
}

// Refs compare case-insensitively, as the catalog compares them; an actor
// without kind or namespace is a user in the default namespace.
function normalizeRef(ref: string, defaultKind = 'user'): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return ref.toLocaleLowerCase('en-US');
  }
}

/**
 * Which decisions count, and why: an approval counts once per member of the
 * approving group, never the requester's nor the commit author's; every
 * rejection counts, whoever made it, since blocking is always safe.
 *
 * Pure, so the promotion service shows the same reasons the gate used.
 */
export function countApprovals(
  decisions: readonly GateDecision[],
  members: readonly string[],
  subject: Pick<PromotionSubject, 'requestedBy' | 'commitAuthor'>,
  groupRef?: string,
): CountedDecision[] {
  const memberSet = new Set(members.map(m => normalizeRef(m)));
  const requester = normalizeRef(subject.requestedBy);
  const author =
    subject.commitAuthor !== undefined
      ? normalizeRef(subject.commitAuthor)
      : undefined;
  const group = groupRef ?? 'the approving group';
  const counted = new Set<string>();
  return decisions.map(decision => {
    const actor = normalizeRef(decision.actor);
    const verdict = (counts: boolean, reason: string) => ({
      ...decision,
      counts,
      reason,
    });
    if (decision.decision === 'reject') {
      return verdict(true, 'a rejection blocks the promotion');
    }
    if (actor === requester) {
      return verdict(false, "the requester's own approval never counts");
    }
    if (actor === author) {
      return verdict(false, "the commit author's approval never counts");
    }
    if (!memberSet.has(actor)) {
      return verdict(false, `not a member of ${group}`);
    }
    if (counted.has(actor)) {
      return verdict(false, 'this person has already approved');
    }
    counted.add(actor);
    return verdict(true, `member of ${group}`);
  });
}

function readOptions(options: JsonObject) {
  assertKnownOptions(options, ['min', 'group']);
  const group = stringOption('group', options.group);
  if (group !== undefined) {
    try {
      parseEntityRef(group, { defaultKind: 'group' });
    } catch {
      throw new InputError(
        `group must be a group entity ref such as "group:default/data-platform", not ${JSON.stringify(
          group,
        )}`,
      );
    }
  }
  return {
    min: integerOption('min', options.min, { default: 1, min: 1, max: 20 }),
    ...(group !== undefined && { group: normalizeRef(group, 'group') }),
  };
}

/**
 * `approvals`: at least `min` approvals from members of `group` (by default
 * the DAG's owner), none from the requester or the commit author, and no
 * rejection. An owner that is a user rather than a group approves alone.
 */
export const approvalsGate: PromotionGate = {
  type: 'approvals',
  validateOptions: options => ({ ...readOptions(options) }),

  async evaluate(options, context): Promise<GateOutcome> {
    const { min, group: configured } = readOptions(options);
    const { promotion } = context;
    const group =
      configured ??
      (promotion.ownerRef
        ? normalizeRef(promotion.ownerRef, 'group')
        : undefined);
    if (!group) {
      return {
        status: 'error',
        detail:
          'The DAG has no owner in the catalog and the policy names no approving group; set the option "group" or give the DAG an owner.',
        inputs: { min, group: null },
      };
    }
    let members: string[];
    try {
      members = group.startsWith('group:')
        ? await context.groupMembers(group)
        : [group];
    } catch (error) {
      return {
        status: 'error',
        detail: `The members of ${group} could not be read: ${
          (error as Error).message
        }`,
        inputs: { min, group },
      };
    }
    const decisions = countApprovals(
      await context.decisions(),
      members,
      promotion,
      group,
    );
    const approvers = decisions
      .filter(d => d.decision === 'approve' && d.counts)
      .map(d => d.actor);
    const inputs: JsonObject = {
      group,
      min,
      memberCount: members.length,
      approvers,
      decisions: decisions.map(d => ({
        actor: d.actor,
        decision: d.decision,
        at: d.at.toISOString(),
        counts: d.counts,
        reason: d.reason,
      })),
    };

    const rejection = decisions.find(d => d.decision === 'reject');
    if (rejection) {
      return {
        status: 'failed',
        detail: `Rejected by ${rejection.actor}${
          rejection.comment ? `: ${rejection.comment}` : ''
        }. Request a new promotion once the reason is addressed.`,
        inputs,
      };
    }
    if (members.length === 0) {
      return {
        status: 'error',
        detail: `${group} has no members in the catalog, so nobody can approve; add members or name another group in the option "group".`,
        inputs,
      };
    }
    const tally = `${approvers.length} of ${min} approvals from ${group}`;
    if (approvers.length >= min) {
      return {
        status: 'passed',
        detail: `${tally} (${approvers.join(', ')}).`,
        inputs,
      };
    }
    const notCounted = decisions.filter(d => !d.counts);
    return {
      status: 'pending',
      detail: `${tally}; waiting for ${count(
        min - approvers.length,
        'more member',
      )} other than the requester and the commit author${
        notCounted.length
          ? ` (${notCounted.map(d => `${d.actor}: ${d.reason}`).join('; ')})`
          : ''
      }.`,
      inputs,
    };
  },
};

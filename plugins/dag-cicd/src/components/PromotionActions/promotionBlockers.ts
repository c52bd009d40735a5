import { Pipeline, Promotion } from '@dag-cicd/plugin-dag-cicd-common';

/**
 * Why a promotion action cannot be taken now, as a person reads it; each
 * returns undefined when nothing stands in the way. Pure, so every reason a
 * button can be disabled for is tested without rendering.
 */

function notOpen(promotion: Promotion): string | undefined {
  return promotion.status === 'open'
    ? undefined
    : `The promotion is ${promotion.status}`;
}

/** A freeze-window gate that does not pass: nothing may be executed. */
export function freezeWindowReason(promotion: Promotion): string | undefined {
  const freeze = promotion.gates.find(
    g => g.type === 'freeze-window' && g.status !== 'passed',
  );
  return freeze && `A freeze window is on: ${freeze.detail}`;
}

/** The gates that do not pass, with what to do about them. */
export function failingGatesReason(promotion: Promotion): string | undefined {
  const failing = promotion.gates.filter(g => g.status !== 'passed');
  if (failing.length === 0) {
    return promotion.gatesPassed === false
      ? 'The gates have not passed yet; evaluate them again'
      : undefined;
  }
  return `Gates not passing: ${failing
    .map(g => `${g.gate} ${g.status} (${g.detail})`)
    .join('; ')}`;
}

/** Execute: permission, an open promotion, no freeze window, every gate green. */
export function executeBlocker(
  promotion: Promotion,
  permissionReason?: string,
): string | undefined {
  return (
    permissionReason ??
    notOpen(promotion) ??
    freezeWindowReason(promotion) ??
    failingGatesReason(promotion)
  );
}

/**
 * Approve or reject: permission, an open promotion, and not one's own request
 * (the approvals gate never counts it, and the server refuses it).
 */
export function decideBlocker(
  promotion: Promotion,
  options: { permissionReason?: string; userEntityRef?: string },
): string | undefined {
  const { permissionReason, userEntityRef } = options;
  const own =
    userEntityRef &&
    (promotion.requestedBy === userEntityRef ||
      promotion.commitAuthor === userEntityRef)
      ? 'You requested this promotion or authored its commit; someone else must decide'
      : undefined;
  const decided = promotion.decisions.some(d => d.actor === userEntityRef)
    ? 'You have already decided on this promotion'
    : undefined;
  return permissionReason ?? notOpen(promotion) ?? own ?? decided;
}

/** Cancel: permission and an open promotion. */
export function cancelBlocker(
  promotion: Promotion,
  permissionReason?: string,
): string | undefined {
  return permissionReason ?? notOpen(promotion);
}

/**
 * Request the promotion of the commit a stage runs into the next stage:
 * permission, a ready environment to promote, a commit the next stage does
 * not run yet, and no open promotion of it already.
 */
export function requestBlocker(
  pipeline: Pipeline,
  fromIndex: number,
  permissionReason?: string,
): string | undefined {
  const from = pipeline.stages[fromIndex];
  const to = pipeline.stages[fromIndex + 1];
  if (!from || !to) return 'There is no next stage';
  if (permissionReason) return permissionReason;
  const source = from.environment;
  if (!source || source.status !== 'ready') {
    return `No ready environment in ${from.name} to promote`;
  }
  if (to.commit === source.commit) {
    return `${to.name} already runs ${source.commit.slice(0, 7)}`;
  }
  if (
    (to.openPromotions ?? []).some(
      p => p.commit === source.commit && p.status === 'open',
    )
  ) {
    return `A promotion of ${source.commit.slice(0, 7)} to ${
      to.name
    } is already open`;
  }
  return undefined;
}

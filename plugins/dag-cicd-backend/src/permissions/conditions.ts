import { createConditionExports } from '@backstage/plugin-permission-node';
import { dagCicdEnvironmentResourceRef } from './resource';
import { dagCicdEnvironmentRules } from './rules';

const { conditions, createConditionalDecision } = createConditionExports({
  resourceRef: dagCicdEnvironmentResourceRef,
  rules: dagCicdEnvironmentRules,
});

/**
 * Conditions for permission policies on environment permissions, e.g.
 * `dagCicdEnvironmentConditions.isEntityOwner({ claims: user.info.ownershipEntityRefs })`
 * or `dagCicdEnvironmentConditions.isInStage({ stages: ['ci'] })`.
 *
 * @public
 */
export const dagCicdEnvironmentConditions = conditions;

/** Wraps {@link dagCicdEnvironmentConditions} into a policy decision. @public */
export const createDagCicdEnvironmentConditionalDecision =
  createConditionalDecision;

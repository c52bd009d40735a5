export type {
  DagCicdEnvironmentResource,
  DagCicdEnvironmentQuery,
} from './resource';
export { dagCicdEnvironmentResourceRef } from './resource';
export { dagCicdEnvironmentRules } from './rules';
export {
  dagCicdEnvironmentConditions,
  createDagCicdEnvironmentConditionalDecision,
} from './conditions';

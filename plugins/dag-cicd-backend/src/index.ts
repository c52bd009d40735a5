/**
 * The DAG CI/CD backend plugin for Backstage.
 *
 * @packageDocumentation
 */

export { dagCicdPlugin as default } from './plugin';
export {
  dagCicdEnvironmentConditions,
  createDagCicdEnvironmentConditionalDecision,
  dagCicdEnvironmentRules,
  dagCicdEnvironmentResourceRef,
} from './permissions';
export type {
  DagCicdEnvironmentResource,
  DagCicdEnvironmentQuery,
} from './permissions';

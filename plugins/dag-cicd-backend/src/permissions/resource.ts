import { DAG_CICD_ENVIRONMENT_RESOURCE_TYPE } from '@dag-cicd/plugin-dag-cicd-common';
import { createPermissionResourceRef } from '@backstage/plugin-permission-node';

/**
 * What environment permissions are decided on: a DAG entity, its owners, and
 * the stage the action touches (absent when the action spans all stages).
 *
 * @public
 */
export interface DagCicdEnvironmentResource {
  entityRef: string;
  /** Entity refs of the DAG's owners (its `ownedBy` relations). */
  ownerRefs: string[];
  stage?: string;
  production: boolean;
}

/**
 * Rules never filter a query here — every decision is about one entity the
 * request names — so a rule's query form is the rule itself.
 *
 * @public
 */
export type DagCicdEnvironmentQuery = {
  rule: string;
  params?: Record<string, unknown>;
};

/** @public */
export const dagCicdEnvironmentResourceRef = createPermissionResourceRef<
  DagCicdEnvironmentResource,
  DagCicdEnvironmentQuery
>().with({
  pluginId: 'dag-cicd',
  resourceType: DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
});

import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The resource type of environment permissions. A resource is "a DAG entity
 * in a stage", referenced as `<entity ref>@<stage>` (for example
 * `component:default/orders@ci`), or as the bare entity ref when an action
 * spans every stage (listing). A permission policy can answer with
 * conditions on it — the DAG's owners, the stage, production or not — and
 * the plugin evaluates them against the entity the request names.
 *
 * @public
 */
export const DAG_CICD_ENVIRONMENT_RESOURCE_TYPE = 'dag-cicd-environment';

/** The resource ref of a DAG entity in a stage: `<entity ref>@<stage>`. @public */
export function dagCicdEnvironmentResourceRef(
  entityRef: string,
  stage?: string,
): string {
  return stage ? `${entityRef}@${stage}` : entityRef;
}

/** Read the environments (and their runs and history) of a DAG entity. @public */
export const dagCicdEnvironmentReadPermission = createPermission({
  name: 'dag-cicd.environment.read',
  attributes: { action: 'read' },
  resourceType: DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
});

/** Create an environment for a DAG entity in a stage. @public */
export const dagCicdEnvironmentCreatePermission = createPermission({
  name: 'dag-cicd.environment.create',
  attributes: { action: 'create' },
  resourceType: DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
});

/** Tear down an environment of a DAG entity in a stage. @public */
export const dagCicdEnvironmentDeletePermission = createPermission({
  name: 'dag-cicd.environment.delete',
  attributes: { action: 'delete' },
  resourceType: DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
});

/** Start DAG runs in an environment of a DAG entity. @public */
export const dagCicdRunCreatePermission = createPermission({
  name: 'dag-cicd.run.create',
  attributes: { action: 'create' },
  resourceType: DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Request the promotion of a commit of a DAG entity into a stage (the
 * resource is the entity in the target stage). Reading promotions needs only
 * {@link dagCicdEnvironmentReadPermission}: their history is for anyone who
 * may read the DAG.
 *
 * @public
 */
export const dagCicdPromotionRequestPermission = createPermission({
  name: 'dag-cicd.promotion.request',
  attributes: { action: 'create' },
  resourceType: DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
});

/**
 * Approve or reject a promotion into a stage. The approvals gate further
 * counts only members of the approver group, never the requester or the
 * commit's author.
 *
 * @public
 */
export const dagCicdPromotionApprovePermission = createPermission({
  name: 'dag-cicd.promotion.approve',
  attributes: { action: 'update' },
  resourceType: DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
});

/** Execute (or cancel) a promotion into a stage whose gates pass. @public */
export const dagCicdPromotionExecutePermission = createPermission({
  name: 'dag-cicd.promotion.execute',
  attributes: { action: 'update' },
  resourceType: DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
});

/** Every permission of the DAG CI/CD plugin, for registration with the permissions registry. @public */
export const dagCicdPermissions = [
  dagCicdEnvironmentReadPermission,
  dagCicdEnvironmentCreatePermission,
  dagCicdEnvironmentDeletePermission,
  dagCicdRunCreatePermission,
  dagCicdPromotionRequestPermission,
  dagCicdPromotionApprovePermission,
  dagCicdPromotionExecutePermission,
];

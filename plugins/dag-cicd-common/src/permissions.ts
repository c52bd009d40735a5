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

/** Every permission of the DAG CI/CD plugin, for registration with the permissions registry. @public */
export const dagCicdPermissions = [
  dagCicdEnvironmentReadPermission,
  dagCicdEnvironmentCreatePermission,
  dagCicdEnvironmentDeletePermission,
  dagCicdRunCreatePermission,
];

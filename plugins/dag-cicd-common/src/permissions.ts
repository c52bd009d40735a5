import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

// Environment permissions are resource permissions on the DAG's catalog
// entity. A permission policy can therefore answer them with the catalog's own
// conditional rules, e.g. `catalogConditions.isEntityOwner`, and the catalog
// evaluates the condition against the entity: no second copy of ownership
// logic lives in this plugin.

/** Read the environments (and their runs) of a DAG entity. @public */
export const dagCicdEnvironmentReadPermission = createPermission({
  name: 'dag-cicd.environment.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Create an environment for a DAG entity. @public */
export const dagCicdEnvironmentCreatePermission = createPermission({
  name: 'dag-cicd.environment.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Tear down an environment of a DAG entity. @public */
export const dagCicdEnvironmentDeletePermission = createPermission({
  name: 'dag-cicd.environment.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Every permission of the DAG CI/CD plugin, for registration with the permissions registry. @public */
export const dagCicdPermissions = [
  dagCicdEnvironmentReadPermission,
  dagCicdEnvironmentCreatePermission,
  dagCicdEnvironmentDeletePermission,
];

/*
 * The example portal's permission policy: everything is allowed as before,
 * except DAG CI/CD environments, which follow the rules a platform team
 * usually wants. Copy it into your own policy and adjust.
 *
 * - anyone signed in reads environments;
 * - owners of a DAG create and tear down its environments, outside
 *   production: production changes only through promotions (their own
 *   permissions, with approvals);
 * - CI pipelines (service principals) are not decided here: the permission
 *   framework allows services what their token's access restrictions allow,
 *   and the plugin limits them to stages with `allowServices`.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  createDagCicdEnvironmentConditionalDecision,
  dagCicdEnvironmentConditions,
} from '@dag-cicd/plugin-dag-cicd-backend';
import { DAG_CICD_ENVIRONMENT_RESOURCE_TYPE } from '@dag-cicd/plugin-dag-cicd-common';

export class ExamplePermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!isResourcePermission(permission, DAG_CICD_ENVIRONMENT_RESOURCE_TYPE)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (permission.attributes.action === 'read') {
      return { result: AuthorizeResult.ALLOW };
    }
    return createDagCicdEnvironmentConditionalDecision(permission, {
      allOf: [
        dagCicdEnvironmentConditions.isEntityOwner({
          claims: user?.info.ownershipEntityRefs ?? [],
        }),
        { not: dagCicdEnvironmentConditions.isProduction() },
      ],
    });
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'example-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new ExamplePermissionPolicy());
      },
    });
  },
});

/*
 * The example portal's permission policy: everything is allowed as before,
 * except DAG CI/CD environments, which follow the rules a platform team
 * usually wants. Copy it into your own policy and adjust.
 *
 * - anyone signed in reads environments;
 * - owners of a DAG create and tear down its environments, outside
 *   production: production changes only through promotions (their own
 *   permissions, with approvals);
 * - owners of a DAG request, approve and execute its promotions, production
 *   included: the gates of the promotion policy (approvals by someone else
 *   in the owning group, green runs, ...) are what guards production;
 * - CI pipelines (service principals) are not decided here: the permission
 *   framework allows services what their token's access restrictions allow.
 *   The plugin limits them to environments in stages with `allowServices`,
 *   and to requesting promotions into `dagCicd.promotions.serviceStages`
 *   (by default every stage between the first and production: `staging`);
 *   a service never approves, and never executes a production promotion.
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
import {
  DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
  dagCicdPromotionApprovePermission,
  dagCicdPromotionExecutePermission,
  dagCicdPromotionRequestPermission,
} from '@dag-cicd/plugin-dag-cicd-common';

const PROMOTION_PERMISSIONS = new Set([
  dagCicdPromotionRequestPermission.name,
  dagCicdPromotionApprovePermission.name,
  dagCicdPromotionExecutePermission.name,
]);

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
    const owner = dagCicdEnvironmentConditions.isEntityOwner({
      claims: user?.info.ownershipEntityRefs ?? [],
    });
    if (PROMOTION_PERMISSIONS.has(permission.name)) {
      return createDagCicdEnvironmentConditionalDecision(permission, owner);
    }
    return createDagCicdEnvironmentConditionalDecision(permission, {
      allOf: [owner, { not: dagCicdEnvironmentConditions.isProduction() }],
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

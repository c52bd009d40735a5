import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
  PermissionRuleParams,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  DagCicdEnvironmentResource,
  dagCicdEnvironmentRules,
} from '@dag-cicd/plugin-dag-cicd-backend';
import {
  dagCicdEnvironmentCreatePermission,
  dagCicdEnvironmentReadPermission,
  dagCicdPromotionApprovePermission,
  dagCicdPromotionExecutePermission,
  dagCicdPromotionRequestPermission,
} from '@dag-cicd/plugin-dag-cicd-common';
import { ExamplePermissionPolicy } from './permissionPolicy';

type Criteria = PermissionCriteria<
  PermissionCondition<string, PermissionRuleParams>
>;

// Applies a conditional decision the way the plugin does: each condition is
// the plugin's own rule, applied to the resource the request is about.
function allows(
  criteria: Criteria,
  resource: DagCicdEnvironmentResource,
): boolean {
  if ('allOf' in criteria) {
    return criteria.allOf.every(c => allows(c, resource));
  }
  if ('anyOf' in criteria) {
    return criteria.anyOf.some(c => allows(c, resource));
  }
  if ('not' in criteria) return !allows(criteria.not, resource);
  const rules: Array<{
    name: string;
    apply(resource: DagCicdEnvironmentResource, params: any): boolean;
  }> = Object.values(dagCicdEnvironmentRules);
  const rule = rules.find(r => r.name === criteria.rule)!;
  return rule.apply(resource, criteria.params);
}

const user = (ownershipEntityRefs: string[]): PolicyQueryUser =>
  ({
    identity: { type: 'user', userEntityRef: ownershipEntityRefs[0] },
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
    credentials: {},
  } as unknown as PolicyQueryUser);

const orders = (stage: string): DagCicdEnvironmentResource => ({
  entityRef: 'component:default/orders',
  ownerRefs: ['group:default/data'],
  stage,
  production: stage === 'production',
});

async function decide(
  permission: ResourcePermission<'dag-cicd-environment'>,
  who: PolicyQueryUser,
  stage: string,
): Promise<boolean> {
  const decision = await new ExamplePermissionPolicy().handle(
    { permission },
    who,
  );
  if (decision.result !== AuthorizeResult.CONDITIONAL) {
    return decision.result === AuthorizeResult.ALLOW;
  }
  return allows(decision.conditions, orders(stage));
}

describe('ExamplePermissionPolicy', () => {
  const member = user(['user:default/alice', 'group:default/data']);
  const outsider = user(['user:default/mallory', 'group:default/web']);

  it('lets anyone read environments and promotions', async () => {
    await expect(
      decide(dagCicdEnvironmentReadPermission, outsider, 'production'),
    ).resolves.toBe(true);
  });

  it.each([
    dagCicdPromotionRequestPermission,
    dagCicdPromotionApprovePermission,
    dagCicdPromotionExecutePermission,
  ])(
    'gives $name to the owners of the DAG, production included, and to nobody else',
    async permission => {
      for (const stage of ['staging', 'production']) {
        await expect(decide(permission, member, stage)).resolves.toBe(true);
        await expect(decide(permission, outsider, stage)).resolves.toBe(false);
      }
    },
  );

  it('lets owners create environments everywhere but production, which changes only through promotions', async () => {
    await expect(
      decide(dagCicdEnvironmentCreatePermission, member, 'ci'),
    ).resolves.toBe(true);
    await expect(
      decide(dagCicdEnvironmentCreatePermission, member, 'production'),
    ).resolves.toBe(false);
    await expect(
      decide(dagCicdEnvironmentCreatePermission, outsider, 'ci'),
    ).resolves.toBe(false);
  });
});

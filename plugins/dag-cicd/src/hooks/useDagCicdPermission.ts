import { usePermission } from '@backstage/plugin-permission-react';
import {
  dagCicdEnvironmentResourceRef,
  dagCicdPermissions,
} from '@dag-cicd/plugin-dag-cicd-common';

/** One of the DAG CI/CD permissions (all of them take a resource). @public */
export type DagCicdPermission = (typeof dagCicdPermissions)[number];

/** What a person may not do without each permission, for disabled buttons. */
const ACTIONS: Record<string, string> = {
  'dag-cicd.environment.read': 'read the environments',
  'dag-cicd.environment.create': 'create or extend environments',
  'dag-cicd.environment.delete': 'tear down environments',
  'dag-cicd.run.create': 'start runs',
  'dag-cicd.promotion.request': 'request promotions',
  'dag-cicd.promotion.approve': 'approve or reject promotions',
  'dag-cicd.promotion.execute': 'execute or cancel promotions',
};

/**
 * Why a DAG CI/CD action is not allowed, for the tooltip of a disabled
 * button: names the permission so that a person knows what to ask for.
 *
 * @public
 */
export function permissionDeniedReason(
  permission: DagCicdPermission,
  stage?: string,
): string {
  const action = ACTIONS[permission.name] ?? permission.name;
  const where = stage ? ` in ${stage}` : '';
  return `You may not ${action}${where} (permission ${permission.name})`;
}

/** @public */
export interface DagCicdPermissionResult {
  loading: boolean;
  allowed: boolean;
  /** Why not, when the answer is no; undefined while loading or when allowed. */
  reason?: string;
}

/**
 * Whether the current user may take a DAG CI/CD action on a DAG entity in a
 * stage: the resource is `<entity ref>@<stage>`, exactly what the backend
 * authorizes, so the UI disables what the server would refuse.
 *
 * @public
 */
export function useDagCicdPermission(
  permission: DagCicdPermission,
  entityRef: string,
  stage?: string,
): DagCicdPermissionResult {
  const { loading, allowed } = usePermission({
    permission,
    resourceRef: dagCicdEnvironmentResourceRef(entityRef, stage),
  });
  return {
    loading,
    allowed,
    reason:
      loading || allowed
        ? undefined
        : permissionDeniedReason(permission, stage),
  };
}

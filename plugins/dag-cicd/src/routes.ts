import { createRouteRef } from '@backstage/core-plugin-api';

/** The approvals queue page (legacy frontend system). @public */
export const approvalsRouteRef = createRouteRef({ id: 'dag-cicd:approvals' });

/** The page of environments across DAGs (legacy frontend system). @public */
export const environmentsRouteRef = createRouteRef({
  id: 'dag-cicd:environments',
});

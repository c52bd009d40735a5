/**
 * The DAG CI/CD frontend plugin: the CI/CD tab and cards of Airflow DAG
 * entities, the approvals queue and the environments page.
 *
 * @packageDocumentation
 */

export {
  dagCicdPlugin,
  DagCicdApprovalsPage,
  DagCicdEnvironmentsPage,
  EntityAirflowDagCard,
  EntityDagCicdContent,
  EntityDagCicdOverviewCard,
} from './plugin';
export { approvalsRouteRef, environmentsRouteRef } from './routes';
export { dagCicdApiRef } from './api/DagCicdApi';
export type { DagCicdApi } from './api/DagCicdApi';
export { hasAirflowDagId } from './filters';
export { isAirflowDagEntity } from '@dag-cicd/plugin-dag-cicd-common';

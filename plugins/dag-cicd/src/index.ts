/**
 * The DAG CI/CD frontend plugin: the CI/CD tab of Airflow DAG entities.
 *
 * @packageDocumentation
 */

export { dagCicdPlugin, EntityDagCicdContent } from './plugin';
export { dagCicdApiRef } from './api/DagCicdApi';
export type { DagCicdApi } from './api/DagCicdApi';
export { isAirflowDagEntity } from '@dag-cicd/plugin-dag-cicd-common';

/**
 * A catalog backend module that discovers Airflow DAGs and assets from the
 * Airflow instances of `dagCicd.airflow.instances` and keeps them in the
 * catalog: DAGs as `Component`s of type `airflow-dag`, assets as
 * `Resource`s of type `airflow-asset`, linked for data lineage.
 *
 * @packageDocumentation
 */

export { default } from './module';
export { AirflowEntityProvider } from './providers/AirflowEntityProvider';
export type {
  AirflowRefreshResult,
  AirflowSource,
} from './providers/AirflowEntityProvider';
export {
  AIRFLOW_ASSET_URI_ANNOTATION,
  AIRFLOW_SCHEDULE_ANNOTATION,
} from './providers/airflowEntities';
export type { AirflowMappingReport } from './providers/airflowEntities';
export { readAirflowProviderConfigs } from './providers/config';
export type {
  AirflowDagFilters,
  AirflowProviderConfig,
} from './providers/config';

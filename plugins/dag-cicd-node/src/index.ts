/**
 * Node code shared by the DAG CI/CD backend plugin and its modules: the
 * extension points (data stores, promotion gates, deploy actions) and the Airflow REST API client, which the
 * backend uses for runs and the catalog module for discovery.
 *
 * @packageDocumentation
 */

export * from './dataStores';
export * from './airflow';
export * from './promotions';

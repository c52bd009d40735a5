/**
 * Extension points of the DAG CI/CD backend plugin, for backend modules that
 * add what platform teams need to swap: data stores.
 *
 * @packageDocumentation
 */

export * from './dataStores';

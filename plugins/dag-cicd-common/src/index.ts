/**
 * Types, permissions, annotations, the API client and the run-time contract
 * shared by the DAG CI/CD plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './permissions';
export * from './contract';
export * from './faults';
// Branch names and repository URLs, read the same way by the backend and the app.
export * from './scm';
export * from './client/DagCicdClient';
// The API's models, generated from the backend's OpenAPI schema.
export type * from './schema/openapi/generated/models';
export type { ListEnvironments, ListPromotions } from './schema/openapi';

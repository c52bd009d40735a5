/**
 * Types, permissions, annotations, the API client and the run-time contract
 * shared by the DAG CI/CD plugins.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './permissions';
export * from './contract';
export * from './client/DagCicdClient';
export type {
  Environment,
  EnvironmentInput,
  EnvironmentPage,
  EnvironmentStatus,
  InputMode,
  ListEnvironments,
} from './schema/openapi';

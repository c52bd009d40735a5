export { AirflowInstances, createAirflowClient } from './AirflowInstances';
export type { AirflowClientTuning } from './AirflowInstances';
export { AirflowV2Client } from './AirflowV2Client';
export { AirflowV1Client } from './AirflowV1Client';
export {
  AirflowError,
  AirflowUnavailableError,
  toHttpError,
} from './AirflowError';
export type { AirflowFailure } from './AirflowError';
export { readAirflowInstanceConfigs } from './config';
export type { AirflowAuthConfig, AirflowInstanceConfig } from './config';
export { ACTIVE_DAG_RUN_STATES, FINISHED_DAG_RUN_STATES } from './types';
export type * from './types';

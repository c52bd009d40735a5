/**
 * Test utilities for code that talks to Airflow through this package's
 * client: an msw mock of Airflow instances that checks every request and
 * every answer against the real Airflow REST API specs, and fixtures shaped
 * like Airflow's own answers. Shared so that the backend plugin and the
 * catalog module test against one contract, never two mocks that drift.
 *
 * @packageDocumentation
 */

export { AirflowMock, airflowMockServer } from './airflowMock';
export type { MockAnswer, MockRequest, MockResolver } from './airflowMock';
export { AIRFLOW_SPECS, OpenApiContract, airflowContracts } from './contract';
export type { Exchange } from './contract';
export { checkedAnswer, readExchange } from './contractExchange';
export { jwt, v1, v2 } from './fixtures';

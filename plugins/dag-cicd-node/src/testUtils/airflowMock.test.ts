import { airflowMockServer } from './airflowMock';
import { v1, v2 } from './fixtures';

/*
 * The mock is what keeps the client's tests honest: these tests show that a
 * mock drifting from Airflow's API is caught. Each test empties the
 * violations it provoked, which would otherwise fail it.
 */

const mocks = airflowMockServer();
const base = 'http://airflow-v2.test';
const bearer = { Authorization: 'Bearer t' };

describe('AirflowMock', () => {
  it('refuses a route the spec does not have', () => {
    const mock = mocks.mock('v2');
    expect(() => mock.on('GET', '/api/v2/dags/{dag_id}/runs', {})).toThrow(
      'GET /api/v2/dags/{dag_id}/runs is not in v2-rest-api.yaml (Airflow API 2)',
    );
    expect(() => mocks.mock('v1').on('GET', '/api/v2/dags', {})).toThrow(
      'GET /api/v2/dags is not in v1.yaml (Airflow API (Stable) 2.10.0)',
    );
  });

  it('records an answer that is not the API’s', async () => {
    const mock = mocks.mock('v2');
    // An Airflow 2 DAG where Airflow 3 has other fields.
    mock.on('GET', '/api/v2/dags/{dag_id}', { body: v1.dag('orders') });
    const response = await fetch(`${base}/api/v2/dags/orders`, {
      headers: bearer,
    });
    expect(response.status).toBe(200);
    expect(mock.violations).toEqual(
      expect.arrayContaining([
        "200 answer to GET /api/v2/dags/orders must have required property 'is_stale'",
        "200 answer to GET /api/v2/dags/orders/tags/0 must have required property 'dag_id'",
      ]),
    );
    mock.violations.splice(0);
  });

  it('records a request that is not the API’s, and one nothing answers', async () => {
    const mock = mocks.mock('v2');
    mock.on('POST', '/api/v2/dags/{dag_id}/dagRuns', {
      body: v2.dagRun('orders', 'r1'),
    });
    await fetch(`${base}/api/v2/dags/orders/dagRuns?dry_run=true`, {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'application/json' },
      body: JSON.stringify({ run_id: 'r1', conf: {} }),
    });
    const unanswered = await fetch(`${base}/api/v2/dags/orders`, {
      headers: bearer,
    });
    expect(unanswered.status).toBe(418);
    expect(mock.violations).toEqual([
      'POST /api/v2/dags/orders/dagRuns sends undocumented query parameter dry_run',
      'POST /api/v2/dags/orders/dagRuns body must NOT have additional properties (run_id)',
      'No mock answers GET /api/v2/dags/orders',
    ]);
    mock.violations.splice(0);
  });

  it('checks the token endpoint against the auth manager’s spec', async () => {
    const mock = mocks.mock('v2').tokens('t');
    const response = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin' }),
    });
    expect(await response.json()).toEqual({ access_token: 't' });
    expect(mock.violations).toEqual([
      "POST /auth/token body must have required property 'password'",
    ]);
    mock.violations.splice(0);
  });
});

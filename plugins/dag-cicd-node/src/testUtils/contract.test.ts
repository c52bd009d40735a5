import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AIRFLOW_SPECS, airflowContracts } from './contract';
import { v1, v2 } from './fixtures';

const { v2: api2, v1: api1, auth } = airflowContracts();
const json = new Headers({ 'content-type': 'application/json' });
const bearer = new Headers({
  'content-type': 'application/json',
  authorization: 'Bearer t',
});
const basic = new Headers({
  'content-type': 'application/json',
  authorization: 'Basic dTpw',
});
const none = new URLSearchParams();

describe('the Airflow OpenAPI contracts', () => {
  it('are the files the README lists, byte for byte', () => {
    const readme = fs.readFileSync(
      path.join(AIRFLOW_SPECS, 'README.md'),
      'utf8',
    );
    for (const file of [
      'v1.yaml',
      'v2-rest-api.yaml',
      'v2-simple-auth-manager.yaml',
    ]) {
      const digest = createHash('sha256')
        .update(fs.readFileSync(path.join(AIRFLOW_SPECS, file)))
        .digest('hex');
      expect(readme).toContain(`${digest}  ${file}`);
    }
  });

  it('compile every component schema of every spec', () => {
    for (const contract of [api2, api1, auth]) {
      for (const name of contract.schemaNames()) {
        expect(() => contract.checkSchema(name, {})).not.toThrow();
      }
    }
  });

  it('find operations by method and path, the literal template first', () => {
    expect(api1.find('POST', '/api/v1/dags/~/dagRuns/list')).toEqual({
      template: '/api/v1/dags/~/dagRuns/list',
      params: {},
    });
    expect(
      api2.find(
        'GET',
        '/api/v2/dags/orders/dagRuns/manual__2026-05-01T06%3A00%3A00%2B00%3A00',
      ),
    ).toEqual({
      template: '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}',
      params: {
        dag_id: 'orders',
        dag_run_id: 'manual__2026-05-01T06:00:00+00:00',
      },
    });
    expect(api2.find('GET', '/api/v1/dags')).toBeUndefined();
  });

  it('accept the fixtures, which are what Airflow answers', () => {
    const check = [
      api2.checkSchema('DAGResponse', v2.dag('orders')),
      api2.checkSchema('DAGDetailsResponse', v2.dagDetails('orders')),
      api2.checkSchema('DAGRunResponse', v2.dagRun('orders', 'r1')),
      api2.checkSchema(
        'TaskInstanceResponse',
        v2.taskInstance('orders', 'r1', 't'),
      ),
      api2.checkSchema(
        'XComResponseNative',
        v2.xcom('orders', 'r1', 't', 'k', { a: 1 }),
      ),
      api2.checkSchema('AssetResponse', v2.asset(1, 's3://lake/orders/')),
      api1.checkSchema('DAG', v1.dag('orders')),
      api1.checkSchema('DAGDetail', v1.dagDetails('orders')),
      api1.checkSchema('DAGRun', v1.dagRun('orders', 'r1')),
      api1.checkSchema('TaskInstance', v1.taskInstance('orders', 'r1', 't')),
      api1.checkSchema('XCom', v1.xcom('orders', 't', 'k', { a: 1 })),
      api1.checkSchema('Dataset', v1.dataset(1, 's3://lake/orders/')),
      api1.checkSchema('Error', v1.error(404, 'DAG not found', 'x')),
    ];
    expect(check.flat()).toEqual([]);
  });

  describe('refuse a request that drifts from the API', () => {
    it('an unknown path or method', () => {
      expect(
        api2.checkRequest({
          method: 'GET',
          path: '/api/v2/dagz',
          query: none,
          headers: bearer,
        }),
      ).toEqual([
        'GET /api/v2/dagz is not an operation of v2-rest-api.yaml (Airflow API 2)',
      ]);
      expect(
        api2.checkRequest({
          method: 'PUT',
          path: '/api/v2/dags/x',
          query: none,
          headers: bearer,
        }),
      ).toHaveLength(1);
    });

    it('an undocumented or mistyped query parameter', () => {
      expect(
        api2.checkRequest({
          method: 'GET',
          path: '/api/v2/dags',
          query: new URLSearchParams('only_active=false&limit=ten'),
          headers: bearer,
        }),
      ).toEqual([
        'GET /api/v2/dags sends undocumented query parameter only_active',
        'GET /api/v2/dags query parameter limit must be integer',
      ]);
    });

    it('a repeated scalar and an array', () => {
      expect(
        api2.checkRequest({
          method: 'GET',
          path: '/api/v2/dags',
          query: new URLSearchParams('tags=a&tags=b&paused=true&paused=false'),
          headers: bearer,
        }),
      ).toEqual(['GET /api/v2/dags repeats query parameter paused']);
    });

    it('a body with a field the schema does not have, or a read-only one', () => {
      expect(
        api2.checkRequest({
          method: 'POST',
          path: '/api/v2/dags/orders/dagRuns',
          query: none,
          headers: bearer,
          body: {
            dag_run_id: 'r1',
            logical_date: null,
            conf: {},
            execution_date: null,
          },
        }),
      ).toEqual([
        'POST /api/v2/dags/orders/dagRuns body must NOT have additional properties (execution_date)',
      ]);
      expect(
        api1.checkRequest({
          method: 'POST',
          path: '/api/v1/dags/orders/dagRuns',
          query: none,
          headers: basic,
          body: { dag_run_id: 'r1', conf: {}, dag_id: 'orders' },
        }),
      ).toEqual([
        'POST /api/v1/dags/orders/dagRuns body/dag_id is read-only and may not be sent',
      ]);
    });

    it('a path parameter the spec pins', () => {
      expect(
        api2.checkRequest({
          method: 'POST',
          path: '/api/v2/dags/orders/dagRuns/list',
          query: none,
          headers: bearer,
          body: {},
        }),
      ).toEqual([
        'POST /api/v2/dags/orders/dagRuns/list path parameter dag_id must be equal to constant',
      ]);
    });

    it('missing or unfit credentials', () => {
      const get = { method: 'GET', path: '/api/v2/dags', query: none };
      expect(api2.checkRequest({ ...get, headers: json })).toEqual([
        'GET /api/v2/dags sends no credentials',
      ]);
      expect(api2.checkRequest({ ...get, headers: basic })).toEqual([
        'GET /api/v2/dags sends basic credentials; the operation takes bearer',
      ]);
      expect(
        api1.checkRequest({
          method: 'GET',
          path: '/api/v1/dags',
          query: none,
          headers: bearer,
        }),
      ).toEqual([]);
      expect(
        auth.checkRequest({
          method: 'POST',
          path: '/auth/token',
          query: none,
          headers: json,
          body: { username: 'admin', password: 'secret' },
        }),
      ).toEqual([]);
    });
  });

  describe('refuse an answer that drifts from the API', () => {
    const get = {
      method: 'GET',
      path: '/api/v2/dags/orders/dagRuns/r1',
      query: none,
    };

    it('a missing required field or a wrong type', () => {
      const { dag_versions: _, ...run } = v2.dagRun('orders', 'r1');
      expect(api2.checkResponse({ ...get, status: 200, answer: run })).toEqual([
        "200 answer to GET /api/v2/dags/orders/dagRuns/r1 must have required property 'dag_versions'",
      ]);
      expect(
        api2.checkResponse({
          ...get,
          status: 200,
          answer: v2.dagRun('orders', 'r1', { state: 'done' }),
        }),
      ).toContain(
        '200 answer to GET /api/v2/dags/orders/dagRuns/r1/state must be equal to one of the allowed values',
      );
    });

    it('accepts null where the spec says nullable, beside a $ref too', () => {
      expect(
        api2.checkResponse({
          ...get,
          status: 200,
          answer: v2.dagRun('orders', 'r1', { triggered_by: null, conf: null }),
        }),
      ).toEqual([]);
      expect(
        api2.checkResponse({
          ...get,
          status: 200,
          answer: v2.dagRun('orders', 'r1', { run_after: null }),
        }),
      ).toEqual([
        '200 answer to GET /api/v2/dags/orders/dagRuns/r1/run_after must be string',
      ]);
    });

    it('an undocumented status, though any server may fail with a 5xx', () => {
      expect(
        api2.checkResponse({ ...get, status: 409, answer: v2.error('x') }),
      ).toEqual([
        '409 answer to GET /api/v2/dags/orders/dagRuns/r1: status 409 is not documented for GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}',
      ]);
      expect(
        api2.checkResponse({ ...get, status: 503, answer: 'down' }),
      ).toEqual([]);
    });

    it('an error body of the other API version', () => {
      expect(
        api1.checkResponse({
          method: 'GET',
          path: '/api/v1/dags/orders',
          query: none,
          status: 404,
          answer: v2.error('DAG not found'),
        }),
      ).toEqual([
        "404 answer to GET /api/v1/dags/orders must have required property 'type'",
        "404 answer to GET /api/v1/dags/orders must have required property 'title'",
        "404 answer to GET /api/v1/dags/orders must have required property 'status'",
      ]);
    });
  });
});

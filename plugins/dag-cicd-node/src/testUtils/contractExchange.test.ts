import { airflowContracts } from './contract';
import { checkedAnswer, readExchange } from './contractExchange';
import { v2 } from './fixtures';

const { v2: api } = airflowContracts();
const base = 'http://airflow.test/prefix';

describe('readExchange', () => {
  it('reads the path below the base path, the query and the JSON body', async () => {
    const violations: string[] = [];
    const exchange = await readExchange(
      new Request(`${base}/api/v2/dags/orders/dagRuns?limit=5`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ logical_date: null }),
      }),
      '/prefix',
      violations,
    );
    expect(exchange).toMatchObject({
      method: 'POST',
      path: '/api/v2/dags/orders/dagRuns',
      body: { logical_date: null },
    });
    expect(exchange.query.get('limit')).toBe('5');
    expect(exchange.headers?.get('content-type')).toBe('application/json');
    expect(violations).toEqual([]);
  });

  it('records a body that is not JSON', async () => {
    const violations: string[] = [];
    const exchange = await readExchange(
      new Request(`${base}/api/v2/dags/orders`, {
        method: 'PATCH',
        body: '{is_paused: true',
      }),
      '/prefix',
      violations,
    );
    expect(exchange.body).toBeUndefined();
    expect(violations).toEqual([
      'PATCH /api/v2/dags/orders sends a body that is not JSON',
    ]);
  });
});

describe('checkedAnswer', () => {
  const exchange = {
    method: 'GET',
    path: '/api/v2/dags/orders',
    query: new URLSearchParams(),
  };

  it('sends a documented answer as JSON, 200 unless told', async () => {
    const violations: string[] = [];
    const response = checkedAnswer(
      api,
      exchange,
      { body: v2.dag('orders') },
      violations,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ dag_id: 'orders' });
    expect(violations).toEqual([]);
  });

  it('sends an answer the spec does not document, and records why', async () => {
    const violations: string[] = [];
    const response = checkedAnswer(
      api,
      exchange,
      { status: 200, body: { dag_id: 42 } },
      violations,
    );
    expect(response.status).toBe(200);
    expect(violations).not.toEqual([]);
    expect(violations.join('\n')).toMatch(
      /200 answer to GET \/api\/v2\/dags\/orders/,
    );
  });

  it('sends no body when there is none', async () => {
    const violations: string[] = [];
    const response = checkedAnswer(
      api,
      { ...exchange, method: 'DELETE', path: '/api/v2/connections/spark_ci' },
      { status: 204 },
      violations,
    );
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(violations).toEqual([]);
  });
});

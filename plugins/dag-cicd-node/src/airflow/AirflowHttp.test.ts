import {
  ConflictError,
  InputError,
  NotFoundError,
  serializeError,
} from '@backstage/errors';
import net from 'node:net';
import {
  AirflowError,
  AirflowUnavailableError,
  toHttpError,
} from './AirflowError';
import { createAirflowClient } from './AirflowInstances';
import { AirflowAuthConfig } from './config';
import { AirflowApiVersion, AirflowClient } from './types';
import { airflowMockServer, AirflowMock } from '../testUtils/airflowMock';
import { jwt, v1, v2 } from '../testUtils/fixtures';

/*
 * The HTTP side shared by both clients: authentication, retries, timeouts,
 * pagination and errors. Backoff is observed through an injected sleep that
 * records the delays and returns at once: no test waits for real time.
 */

const mocks = airflowMockServer();

const PASSWORD = 'hunter2-secret';
const simple: AirflowAuthConfig = {
  type: 'simple',
  username: 'admin',
  password: PASSWORD,
};
const basic: AirflowAuthConfig = {
  type: 'basic',
  username: 'admin',
  password: PASSWORD,
};
const NOW = Date.parse('2026-05-01T06:00:00Z');
const inAnHour = NOW / 1000 + 3600;

function client(
  mockOrUrl: AirflowMock | string,
  options: {
    apiVersion?: AirflowApiVersion;
    auth?: AirflowAuthConfig;
    retries?: number;
    timeoutMs?: number;
    now?: () => number;
    random?: () => number;
  } = {},
): { airflow: AirflowClient; sleeps: number[] } {
  const apiVersion = options.apiVersion ?? 'v2';
  const sleeps: number[] = [];
  const airflow = createAirflowClient(
    {
      name: 'prod',
      baseUrl:
        typeof mockOrUrl === 'string'
          ? mockOrUrl
          : `http://airflow-${apiVersion}.test`,
      apiVersion,
      auth: options.auth ?? (apiVersion === 'v2' ? simple : basic),
      uiUrl: 'https://airflow.example.com',
      timeoutMs: options.timeoutMs ?? 5000,
      retries: options.retries ?? 2,
    },
    {
      sleep: async ms => {
        sleeps.push(ms);
      },
      random: options.random ?? (() => 0),
      now: options.now ?? (() => NOW),
    },
  );
  return { airflow, sleeps };
}

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<AirflowError> {
  const error = await promise.then(
    () => undefined,
    e => e,
  );
  expect(error).toBeInstanceOf(AirflowError);
  return error;
}

const DAG = '/api/v2/dags/{dag_id}';
const RUNS = '/api/v2/dags/{dag_id}/dagRuns';

describe('Airflow 3 token authentication', () => {
  it.each(['simple', 'fab'] as const)(
    'fetches a token from POST /auth/token once and sends it as a bearer token (%s)',
    async type => {
      const mock = mocks.mock('v2').tokens(jwt(inAnHour));
      mock.on('GET', DAG, ({ params }) => ({ body: v2.dag(params.dag_id) }));
      const { airflow } = client(mock, {
        auth: { type, username: 'admin', password: PASSWORD },
      });
      await airflow.getDag('a');
      await airflow.getDag('b');
      expect(mock.calls('POST', '/auth/token').map(r => r.body)).toEqual([
        { username: 'admin', password: PASSWORD },
      ]);
      expect(mock.calls('GET', DAG).map(r => r.authorization)).toEqual([
        `Bearer ${jwt(inAnHour)}`,
        `Bearer ${jwt(inAnHour)}`,
      ]);
    },
  );

  it('fetches a new token shortly before the current one expires', async () => {
    const first = jwt(NOW / 1000 + 120);
    const second = jwt(NOW / 1000 + 3600);
    const mock = mocks.mock('v2').tokens(first, second);
    mock.on('GET', DAG, ({ params }) => ({ body: v2.dag(params.dag_id) }));
    let now = NOW;
    const { airflow } = client(mock, { now: () => now });
    await airflow.getDag('a');
    now += 60_000; // one minute left: still good
    await airflow.getDag('a');
    now += 40_000; // 20 seconds left: too close
    await airflow.getDag('a');
    expect(mock.calls('GET', DAG).map(r => r.authorization)).toEqual([
      `Bearer ${first}`,
      `Bearer ${first}`,
      `Bearer ${second}`,
    ]);
  });

  it('fetches a new token once when Airflow refuses the current one', async () => {
    const revoked = jwt(inAnHour, 'old');
    const fresh = jwt(inAnHour, 'new');
    const mock = mocks.mock('v2').tokens(revoked, fresh);
    mock.on('GET', DAG, ({ authorization, params }) =>
      authorization === `Bearer ${fresh}`
        ? { body: v2.dag(params.dag_id) }
        : { status: 401, body: v2.error('Invalid JWT token') },
    );
    const { airflow, sleeps } = client(mock);
    await expect(airflow.getDag('orders')).resolves.toMatchObject({
      dagId: 'orders',
    });
    expect(mock.calls('POST', '/auth/token')).toHaveLength(2);
    expect(sleeps).toEqual([]);
  });

  it('gives up after one new token if Airflow still refuses it', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('GET', DAG, { status: 401, body: v2.error('Invalid JWT token') });
    const { airflow } = client(mock);
    const error = await failure(airflow.getDag('orders'));
    expect(error.status).toBe(401);
    expect(mock.calls('GET', DAG)).toHaveLength(2);
    expect(mock.calls('POST', '/auth/token')).toHaveLength(2);
  });

  it('shares one token request between concurrent calls', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('GET', DAG, ({ params }) => ({ body: v2.dag(params.dag_id) }));
    const { airflow } = client(mock);
    await Promise.all(['a', 'b', 'c', 'd'].map(id => airflow.getDag(id)));
    expect(mock.calls('POST', '/auth/token')).toHaveLength(1);
  });

  it('names the user, never the password, when the token request is refused', async () => {
    const mock = mocks.mock('v2');
    mock.on('POST', '/auth/token', {
      status: 401,
      body: v2.error('Invalid credentials'),
    });
    const { airflow } = client(mock);
    const error = await failure(airflow.getDag('orders'));
    expect(error.message).toBe(
      'Airflow "prod": getDag(orders) failed while fetching a token: 401 Unauthorized — Invalid credentials',
    );
    const answered = toHttpError(error);
    expect(answered).toBeInstanceOf(AirflowUnavailableError);
    expect(answered.message).toContain(
      'Airflow "prod" refused the configured credentials (user "admin" of the simple auth manager)',
    );
    expect(JSON.stringify(serializeError(answered))).not.toContain(PASSWORD);
    expect(JSON.stringify(serializeError(error))).not.toContain(PASSWORD);
    // A refused login is not retried.
    expect(mock.calls('POST', '/auth/token')).toHaveLength(1);
  });
});

describe('other credentials', () => {
  it('sends basic auth to Airflow 2 and does not retry a 401', async () => {
    const mock = mocks.mock('v1');
    mock.on('GET', '/api/v1/dags/{dag_id}', {
      status: 401,
      body: v1.error(401, 'Unauthorized', 'Invalid credentials'),
    });
    const { airflow } = client(mock, { apiVersion: 'v1' });
    const error = await failure(airflow.getDag('orders'));
    expect(
      mock.calls('GET', '/api/v1/dags/{dag_id}').map(r => r.authorization),
    ).toEqual([`Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`]);
    expect(toHttpError(error).message).toContain(
      'refused the configured credentials (user "admin" with basic auth)',
    );
  });

  it.each(['v2', 'v1'] as const)(
    'sends a static token as it is (%s)',
    async apiVersion => {
      const mock = mocks.mock(apiVersion);
      const template = `/api/${apiVersion}/dags/{dag_id}`;
      mock.on('GET', template, ({ params }) => ({
        body: (apiVersion === 'v2' ? v2 : v1).dag(params.dag_id),
      }));
      const { airflow } = client(mock, {
        apiVersion,
        auth: { type: 'token', token: 'static-token' },
      });
      await airflow.getDag('orders');
      expect(mock.calls('GET', template)[0].authorization).toBe(
        'Bearer static-token',
      );
    },
  );
});

describe('retries', () => {
  it('sends a read again after a 5xx, with exponential backoff and jitter', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    let calls = 0;
    mock.on('GET', DAG, ({ params }) =>
      ++calls <= 3
        ? { status: calls === 2 ? 502 : 503, body: v2.error('busy') }
        : { body: v2.dag(params.dag_id) },
    );
    const low = client(mock, { retries: 3, random: () => 0 });
    await expect(low.airflow.getDag('orders')).resolves.toBeDefined();
    // Half of 200, 400, 800 ms with no jitter drawn...
    expect(low.sleeps).toEqual([100, 200, 400]);
    calls = 0;
    const high = client(mock, { retries: 3, random: () => 1 });
    await high.airflow.getDag('orders');
    // ...and all of it with the most.
    expect(high.sleeps).toEqual([200, 400, 800]);
  });

  it('caps the backoff', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('GET', DAG, { status: 500, body: v2.error('boom') });
    const { airflow, sleeps } = client(mock, { retries: 8, random: () => 1 });
    const error = await failure(airflow.getDag('orders'));
    expect(sleeps).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    expect(error.message).toBe(
      'Airflow "prod": getDag(orders) failed: 500 Internal Server Error (9 attempts) — boom',
    );
  });

  it.each([400, 401, 403, 404, 409, 422])(
    'never retries a %i',
    async status => {
      const mock = mocks.mock('v2').tokens(jwt(inAnHour));
      mock.on('POST', RUNS, {
        status,
        body:
          status === 422
            ? { detail: [{ loc: ['body'], msg: 'no', type: 'value_error' }] }
            : v2.error('no'),
      });
      const { airflow, sleeps } = client(mock, { retries: 3 });
      const error = await failure(
        airflow.triggerDagRun('orders', { dagRunId: 'r1', conf: {} }),
      );
      expect(error.status).toBe(status);
      expect(sleeps).toEqual([]);
      // A 401 is answered with one new token, never with a retry.
      expect(mock.calls('POST', RUNS)).toHaveLength(status === 401 ? 2 : 1);
    },
  );

  it('sends a trigger again after a 5xx, with the same run id', async () => {
    // Safe because the run id is ours: a retry cannot start a second run
    // (see AirflowClientBase.triggerDagRun for a 409 to the retry).
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('POST', RUNS, { status: 500, body: v2.error('boom') });
    const { airflow, sleeps } = client(mock, { retries: 3 });
    const error = await failure(
      airflow.triggerDagRun('orders', { dagRunId: 'r1', conf: {} }),
    );
    expect(error.message).toBe(
      'Airflow "prod": triggerDagRun(orders) failed: 500 Internal Server Error (4 attempts) — boom',
    );
    expect(sleeps).toHaveLength(3);
    expect(mock.calls('POST', RUNS).map(call => call.body.dag_run_id)).toEqual([
      'r1',
      'r1',
      'r1',
      'r1',
    ]);
  });

  it('sends the batch run list again after a 5xx: it is a read', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    let calls = 0;
    mock.on('POST', '/api/v2/dags/{dag_id}/dagRuns/list', () =>
      ++calls === 1
        ? { status: 503, body: v2.error('busy') }
        : { body: { dag_runs: [v2.dagRun('a', 'r1')], total_entries: 1 } },
    );
    const { airflow, sleeps } = client(mock);
    await expect(
      airflow.listDagRunsBatch({ dagIds: ['a'] }),
    ).resolves.toHaveLength(1);
    expect(sleeps).toHaveLength(1);
  });

  it.each([
    ['a read', (a: AirflowClient) => a.getDag('orders'), 'getDag(orders)'],
    [
      'a trigger, which surely never left',
      (a: AirflowClient) =>
        a.triggerDagRun('orders', { dagRunId: 'r1', conf: {} }),
      'triggerDagRun(orders)',
    ],
  ])(
    'retries %s when the connection is refused',
    async (_, call, operation) => {
      const port = await closedPort();
      const { airflow, sleeps } = client(`http://127.0.0.1:${port}`, {
        retries: 2,
        auth: { type: 'token', token: 't' },
      });
      const error = await failure(call(airflow));
      expect(sleeps).toHaveLength(2);
      expect(error.failure).toBe('unreachable');
      expect(error.message).toBe(
        `Airflow "prod": ${operation} failed: cannot reach Airflow: http://127.0.0.1:${port} (ECONNREFUSED) (3 attempts)`,
      );
      expect(toHttpError(error)).toBeInstanceOf(AirflowUnavailableError);
    },
  );

  it('retries a read that times out, and says how long it waited', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('GET', DAG, { hang: true });
    const { airflow, sleeps } = client(mock, { timeoutMs: 20, retries: 1 });
    const error = await failure(airflow.getDag('orders'));
    expect(error.failure).toBe('timeout');
    expect(error.message).toBe(
      'Airflow "prod": getDag(orders) failed: no answer within 20 ms (2 attempts)',
    );
    expect(mock.calls('GET', DAG)).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(toHttpError(error)).toBeInstanceOf(AirflowUnavailableError);
  });

  it('sends a trigger again after a timeout, with the same run id', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('POST', RUNS, { hang: true });
    const { airflow } = client(mock, { timeoutMs: 20, retries: 3 });
    const error = await failure(
      airflow.triggerDagRun('orders', { dagRunId: 'r1', conf: {} }),
    );
    expect(error.failure).toBe('timeout');
    expect(mock.calls('POST', RUNS)).toHaveLength(4);
  });
});

describe('pagination', () => {
  it('takes an empty page before total_entries for an error, not the end', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('GET', '/api/v2/dags', ({ query }) => ({
      body: {
        dags: query.get('offset') === '0' ? [v2.dag('a'), v2.dag('b')] : [],
        total_entries: 5,
      },
    }));
    const { airflow } = client(mock);
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const page of airflow.iterateDags({ pageSize: 2 })) {
          seen.push(...page.map(d => d.dagId));
        }
      })(),
    );
    expect(seen).toEqual(['a', 'b']);
    expect(error.message).toBe(
      'Airflow "prod": listDags failed: unexpected answer — the page at offset 2 is empty although total_entries is 5',
    );
  });

  it('stops at an empty collection', async () => {
    const mock = mocks.mock('v1');
    mock.on('GET', '/api/v1/dags', { body: { dags: [], total_entries: 0 } });
    const { airflow } = client(mock, { apiVersion: 'v1' });
    const pages = [];
    for await (const page of airflow.iterateDags()) pages.push(page);
    expect(pages).toEqual([]);
    expect(mock.calls('GET', '/api/v1/dags')).toHaveLength(1);
  });
});

describe('errors name the instance and the call', () => {
  it('404: an unknown DAG is a NotFoundError', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('GET', DAG, {
      status: 404,
      body: v2.error('The Dag with ID: `missing` was not found'),
    });
    const error = await failure(client(mock).airflow.getDag('missing'));
    expect(error.message).toBe(
      'Airflow "prod": getDag(missing) failed: 404 Not Found — The Dag with ID: `missing` was not found',
    );
    const answered = toHttpError(error);
    expect(answered).toBeInstanceOf(NotFoundError);
    expect(answered.message).toBe(error.message);
  });

  it('409: a run id already used is a ConflictError', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('POST', RUNS, {
      status: 409,
      body: v2.error(
        "DAG Run with dag_run_id: 'r1' already exists for DAG: 'orders_daily'",
      ),
    });
    const error = await failure(
      client(mock).airflow.triggerDagRun('orders_daily', {
        dagRunId: 'r1',
        conf: {},
      }),
    );
    expect(error.message).toBe(
      `Airflow "prod": triggerDagRun(orders_daily) failed: 409 Conflict — DAG Run with dag_run_id: 'r1' already exists for DAG: 'orders_daily'`,
    );
    expect(toHttpError(error)).toBeInstanceOf(ConflictError);
  });

  it('409 with a database constraint detail object', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('POST', RUNS, {
      status: 409,
      body: v2.error({
        reason: 'Unique constraint violation',
        statement: 'INSERT INTO dag_run ...',
        orig_error: 'UNIQUE constraint failed: dag_run.dag_id, dag_run.run_id',
      }),
    });
    const error = await failure(
      client(mock).airflow.triggerDagRun('orders', {
        dagRunId: 'r1',
        conf: {},
      }),
    );
    expect(error.detail).toBe(
      'Unique constraint violation: UNIQUE constraint failed: dag_run.dag_id, dag_run.run_id',
    );
  });

  it("422: Airflow's validation detail becomes an InputError", async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('POST', RUNS, {
      status: 422,
      body: {
        detail: [
          {
            loc: ['body', 'conf'],
            msg: 'Input should be a valid dictionary',
            type: 'dict_type',
          },
        ],
      },
    });
    const error = await failure(
      client(mock).airflow.triggerDagRun('orders', {
        dagRunId: 'r1',
        conf: {},
      }),
    );
    const answered = toHttpError(error);
    expect(answered).toBeInstanceOf(InputError);
    expect(answered.message).toBe(
      'Airflow "prod": triggerDagRun(orders) failed: 422 Unprocessable Entity — body.conf: Input should be a valid dictionary',
    );
  });

  it("400 from Airflow 2: the problem's detail becomes an InputError", async () => {
    const mock = mocks.mock('v1');
    mock.on('POST', '/api/v1/dags/{dag_id}/dagRuns', {
      status: 400,
      body: v1.error(
        400,
        'Bad Request',
        "{'conf': ['Not a valid mapping type.']}",
      ),
    });
    const error = await failure(
      client(mock, { apiVersion: 'v1' }).airflow.triggerDagRun('orders', {
        dagRunId: 'r1',
        conf: {},
      }),
    );
    expect(toHttpError(error)).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      `Airflow "prod": triggerDagRun(orders) failed: 400 Bad Request — {'conf': ['Not a valid mapping type.']}`,
    );
  });

  it('403: the configured user may not do this; the API answers 502', async () => {
    const mock = mocks.mock('v1');
    mock.on('GET', '/api/v1/dags/{dag_id}', {
      status: 403,
      body: v1.error(403, 'Forbidden', 'Access is denied'),
    });
    const error = await failure(
      client(mock, { apiVersion: 'v1' }).airflow.getDag('orders'),
    );
    const answered = toHttpError(error);
    expect(answered).toBeInstanceOf(AirflowUnavailableError);
    expect((answered as AirflowUnavailableError).statusCode).toBe(502);
    expect(answered.message).toBe(
      'Airflow "prod" does not allow the configured credentials (user "admin" with basic auth) to do this; grant the Airflow user access. Airflow "prod": getDag(orders) failed: 403 Forbidden — Access is denied',
    );
    expect(answered.message).not.toContain(PASSWORD);
  });

  it('500: Airflow failing is a 502', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    // What uvicorn answers for an unhandled exception.
    mock.on('GET', DAG, {
      status: 500,
      raw: 'Internal Server Error',
      contentType: 'text/plain; charset=utf-8',
    });
    const error = await failure(
      client(mock, { retries: 0 }).airflow.getDag('x'),
    );
    expect(error.message).toBe(
      'Airflow "prod": getDag(x) failed: 500 Internal Server Error — Internal Server Error',
    );
    expect(toHttpError(error)).toBeInstanceOf(AirflowUnavailableError);
  });

  it('an answer that is not JSON is a 502', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('GET', DAG, { raw: '<html>Proxy login</html>' });
    const error = await failure(client(mock).airflow.getDag('x'));
    expect(error.failure).toBe('invalid-response');
    expect(error.message).toBe(
      'Airflow "prod": getDag(x) failed: unexpected answer — 200 with a body that is not JSON: <html>Proxy login</html>',
    );
    expect(toHttpError(error)).toBeInstanceOf(AirflowUnavailableError);
  });

  it('an answer lacking what the product relies on is a 502', async () => {
    const mock = mocks.mock('v2').tokens(jwt(inAnHour));
    mock.on('GET', '/api/v2/dags', {
      raw: JSON.stringify({ items: [], total: 0 }),
      contentType: 'application/json',
    });
    const error = await failure(client(mock).airflow.listDags());
    expect(error.message).toBe(
      'Airflow "prod": listDags failed: unexpected answer — The DAG list has no list "dags"',
    );
  });

  it('passes other errors through toHttpError unchanged', () => {
    const other = new NotFoundError('no such environment');
    expect(toHttpError(other)).toBe(other);
    expect(toHttpError('text')).toBeInstanceOf(Error);
  });
});

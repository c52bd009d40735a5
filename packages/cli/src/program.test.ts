import http from 'node:http';
import { AddressInfo } from 'node:net';
import { runCli } from './program';
import { ExitCode } from './exitCodes';

// A real HTTP server standing in for the backend, so requests, headers and
// the server's error bodies go through the same client code as in CI.
type Handler = (req: http.IncomingMessage & { body?: any }) => {
  status: number;
  body: unknown;
  contentType?: string;
};

const COMMIT = 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12';
const ENTITY = 'component:default/orders';

function environment(overrides: Record<string, unknown> = {}) {
  return {
    id: 'env-1',
    name: 'ci_ab12cd3',
    entityRef: ENTITY,
    commit: COMMIT,
    stage: 'ci',
    dataNamespace: 'file:///store/default/orders/ci_ab12cd3/',
    inputs: {},
    artifacts: {},
    connections: {},
    profile: 'sample',
    status: 'ready',
    createdBy: 'ci-pipeline',
    createdAt: '2026-11-24T12:00:00Z',
    ...overrides,
  };
}

function run(overrides: Record<string, unknown> = {}) {
  return {
    id: 'run-1',
    environmentId: 'env-1',
    instance: 'local',
    dagId: 'orders',
    dagRunId: 'dag_cicd__ci_ab12cd3__1',
    state: 'queued',
    uiUrl: 'http://airflow:8080/dags/orders/runs/dag_cicd__ci_ab12cd3__1',
    startedBy: 'ci-pipeline',
    createdAt: '2026-11-24T12:00:00Z',
    tasks: [],
    manifests: [],
    ...overrides,
  };
}

/** The body a Backstage backend answers an error with. */
function backstageError(status: number, name: string, message: string) {
  return {
    status,
    body: {
      error: { name, message },
      request: { method: 'POST', url: '/api/dag-cicd/environments' },
      response: { statusCode: status },
    },
  };
}

describe('dag-cicd', () => {
  let server: http.Server;
  let url: string;
  let handler: Handler;
  let requests: Array<{
    method?: string;
    url?: string;
    authorization?: string;
    body?: any;
  }>;

  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += chunk;
      const body = text ? JSON.parse(text) : undefined;
      requests.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        body,
      });
      const answer = handler(Object.assign(req, { body }));
      res.statusCode = answer.status;
      res.setHeader('Content-Type', answer.contentType ?? 'application/json');
      res.end(
        typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body),
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  beforeEach(() => {
    requests = [];
    handler = () => ({ status: 500, body: 'unexpected request' });
  });

  async function cli(args: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: text => (stdout += text),
      stderr: text => (stderr += text),
      env: { DAG_CICD_URL: url, DAG_CICD_TOKEN: 'ci-token', ...env },
      pollIntervalMs: 5,
    });
    return { code, stdout, stderr };
  }

  const create = ['env', 'create', '--entity', ENTITY, '--commit', COMMIT];

  it('creates an environment with the token and prints it as JSON', async () => {
    handler = () => ({ status: 201, body: environment() });

    const result = await cli([
      '--output',
      'json',
      ...create,
      '--profile',
      'sample',
      '--ttl',
      'PT6H',
    ]);

    expect(result).toMatchObject({ code: ExitCode.ok, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual(environment());
    expect(requests).toEqual([
      {
        method: 'POST',
        url: '/api/dag-cicd/environments',
        authorization: 'Bearer ci-token',
        body: {
          entityRef: ENTITY,
          commit: COMMIT,
          profile: 'sample',
          ttl: 'PT6H',
        },
      },
    ]);
  });

  it('waits for a created environment, reporting progress on stderr', async () => {
    const statuses = ['provisioning', 'provisioning', 'ready'];
    handler = req =>
      req.method === 'POST'
        ? { status: 201, body: environment({ status: 'provisioning' }) }
        : { status: 200, body: environment({ status: statuses.shift() }) };

    const result = await cli([...create, '--wait']);

    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toBe(
      'environment ci_ab12cd3: provisioning\nenvironment ci_ab12cd3: ready\n',
    );
    expect(result.stdout).toContain(
      'env-1  component:default/orders@ci/ci_ab12cd3  ready',
    );
  });

  describe('bad input', () => {
    it('exits 3 without a token, before any request', async () => {
      const result = await cli(create, { DAG_CICD_TOKEN: '' });
      expect(result.code).toBe(ExitCode.auth);
      expect(result.stderr).toBe(
        'dag-cicd: DAG_CICD_TOKEN is not set: set it to the CI token the backend accepts (see docs/ci.md)\n',
      );
      expect(requests).toEqual([]);
    });

    it('exits 3 when the server refuses the token, with a hint', async () => {
      handler = () =>
        backstageError(401, 'AuthenticationError', 'Illegal token');
      const result = await cli(create);
      expect(result.code).toBe(ExitCode.auth);
      expect(result.stderr).toBe(
        'dag-cicd: Illegal token: set DAG_CICD_TOKEN to a token the backend accepts (backend.auth.externalAccess)\n',
      );
    });

    it('exits 3 with the server message when a stage is not allowed', async () => {
      const message =
        'Service principals may not create environments in stage production; only in ci (dagCicd.stages[].allowServices)';
      handler = () => backstageError(403, 'NotAllowedError', message);
      const result = await cli([...create, '--stage', 'production']);
      expect(result.code).toBe(ExitCode.auth);
      expect(result.stderr).toBe(`dag-cicd: ${message}\n`);
    });

    it('exits 7 with one line when nothing listens at the URL', async () => {
      const closed = http.createServer();
      await new Promise<void>(resolve =>
        closed.listen(0, '127.0.0.1', resolve),
      );
      const port = (closed.address() as AddressInfo).port;
      await new Promise(resolve => closed.close(resolve));

      const result = await cli(create, {
        DAG_CICD_URL: `http://127.0.0.1:${port}`,
      });

      expect(result.code).toBe(ExitCode.unreachable);
      expect(result.stderr).toBe(
        `dag-cicd: Cannot reach the DAG CI/CD backend at http://127.0.0.1:${port}: ECONNREFUSED; check --url or DAG_CICD_URL\n`,
      );
    });

    it('says so when the URL is some other server', async () => {
      handler = () => ({
        status: 404,
        body: '<html>Not Found</html>',
        contentType: 'text/html',
      });
      const result = await cli(['env', 'list'], { DAG_CICD_URL: `${url}/` });
      expect(result.code).toBe(ExitCode.error);
      expect(result.stderr).toBe(
        `dag-cicd: ${url}/api/dag-cicd/environments?limit=100&orderBy=createdAt&order=desc answered 404 Not Found, which is no answer of the DAG CI/CD API; check --url or DAG_CICD_URL, and that the backend's DAG CI/CD plugin is as new as this command\n`,
      );
    });

    it('exits 2 for a URL that is not http(s)', async () => {
      const result = await cli(['env', 'list', '--url', 'backstage:7007']);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.stderr).toContain('is not an http(s) URL');
    });

    it('exits 4 with the server message for an unknown entity', async () => {
      handler = () =>
        backstageError(
          404,
          'NotFoundError',
          'No entity component:default/nope in the catalog',
        );
      const result = await cli([
        'env',
        'create',
        '--entity',
        'component:default/nope',
        '--commit',
        COMMIT,
      ]);
      expect(result.code).toBe(ExitCode.notFound);
      expect(result.stderr).toBe(
        'dag-cicd: No entity component:default/nope in the catalog\n',
      );
    });

    it('exits 2 with the server message for an invalid SHA', async () => {
      const message =
        'commit "xyz" is not a git SHA: give the full 40 hex characters';
      handler = () => backstageError(400, 'InputError', message);
      const result = await cli([
        'env',
        'create',
        '--entity',
        ENTITY,
        '--commit',
        'xyz',
      ]);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.stderr).toBe(`dag-cicd: ${message}\n`);
      expect(requests[0].body.commit).toBe('xyz');
    });

    it('exits 2 for a missing option, before any request', async () => {
      const result = await cli(['env', 'create', '--entity', ENTITY]);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.stderr).toContain("required option '--commit <sha>'");
      expect(requests).toEqual([]);
    });

    it('exits 2 for an environment that is neither an id nor entity@stage/name', async () => {
      const result = await cli(['env', 'get', `${ENTITY}@ci`]);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.stderr).toContain('names no environment');
    });

    it('exits 6 when waiting times out, naming the last status', async () => {
      handler = req =>
        req.method === 'POST'
          ? { status: 201, body: environment({ status: 'provisioning' }) }
          : { status: 200, body: environment({ status: 'provisioning' }) };
      const result = await cli([...create, '--wait', '--timeout', '1s']);
      expect(result.code).toBe(ExitCode.timeout);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        'dag-cicd: Timed out after 1s waiting for environment ci_ab12cd3 (last: provisioning); raise --timeout',
      );
    });

    it('exits 5 when the environment fails to provision', async () => {
      handler = () => ({
        status: 201,
        body: environment({ status: 'failed', error: 'sample copy failed' }),
      });
      const result = await cli([...create, '--wait']);
      expect(result.code).toBe(ExitCode.failed);
      expect(result.stderr).toBe(
        'dag-cicd: Environment ci_ab12cd3 failed: sample copy failed\n',
      );
    });
  });

  describe('run start', () => {
    const ref = `${ENTITY}@ci/ci_ab12cd3`;

    function runServer(states: Array<Record<string, unknown>>): Handler {
      return req => {
        if (req.url?.startsWith('/api/dag-cicd/environments?')) {
          return {
            status: 200,
            body: {
              items: [
                environment({ id: 'old', status: 'deleted' }),
                environment(),
              ],
              totalCount: 2,
            },
          };
        }
        if (req.method === 'POST') return { status: 201, body: run() };
        return { status: 200, body: { items: [run(states.shift())] } };
      };
    }

    it('finds the environment by entity@stage/name and waits for success', async () => {
      handler = runServer([{ state: 'running' }, { state: 'success' }]);

      const result = await cli([
        '--output',
        'json',
        'run',
        'start',
        ref,
        '--wait',
      ]);

      expect(result.code).toBe(ExitCode.ok);
      expect(JSON.parse(result.stdout).state).toBe('success');
      expect(requests.map(r => `${r.method} ${r.url}`)).toEqual([
        'GET /api/dag-cicd/environments?entityRef=component%3Adefault%2Forders&stage=ci&name=ci_ab12cd3',
        'POST /api/dag-cicd/environments/env-1/runs',
        'GET /api/dag-cicd/environments/env-1/runs?refresh=true',
        'GET /api/dag-cicd/environments/env-1/runs?refresh=true',
      ]);
      expect(result.stderr).toContain('run dag_cicd__ci_ab12cd3__1: success');
    });

    it('exits 5 when the run fails, printing the failed tasks and their Airflow links', async () => {
      const tasks = [
        { taskId: 'extract', mapIndex: -1, tryNumber: 1, state: 'success' },
        { taskId: 'clean_orders', mapIndex: -1, tryNumber: 2, state: 'failed' },
        {
          taskId: 'publish',
          mapIndex: -1,
          tryNumber: 0,
          state: 'upstream_failed',
        },
      ];
      handler = runServer([{ state: 'failed', tasks }]);

      const result = await cli(
        ['run', 'start', 'env-1', '--wait'].map(a => (a === 'env-1' ? ref : a)),
      );

      const link = run().uiUrl;
      expect(result.code).toBe(ExitCode.failed);
      expect(result.stdout).toContain(
        `  task clean_orders failed: ${link}/tasks/clean_orders\n  task publish upstream_failed: ${link}/tasks/publish\n`,
      );
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        `dag-cicd: Run dag_cicd__ci_ab12cd3__1 failed: clean_orders failed (${link}/tasks/clean_orders), publish upstream_failed (${link}/tasks/publish)`,
      );
    });

    it('exits 4 when no live environment has that name', async () => {
      handler = () => ({ status: 200, body: { items: [], totalCount: 0 } });
      const result = await cli(['run', 'start', ref]);
      expect(result.code).toBe(ExitCode.notFound);
      expect(result.stderr).toBe(
        'dag-cicd: No environment ci_ab12cd3 of component:default/orders in stage ci\n',
      );
    });
  });

  it('requests a promotion', async () => {
    const promotion = {
      id: 'p-1',
      entityRef: ENTITY,
      commit: COMMIT,
      fromStage: 'ci',
      toStage: 'staging',
      status: 'open',
      requestedBy: 'ci-pipeline',
      requestedAt: '2026-11-24T12:00:00Z',
      gates: [
        {
          gate: 'runs-succeeded',
          type: 'runs-succeeded',
          status: 'passed',
          detail: '1 of 1 successful runs',
          evaluatedAt: '2026-11-24T12:00:00Z',
        },
      ],
      decisions: [],
    };
    handler = () => ({ status: 201, body: promotion });

    const result = await cli([
      'promote',
      'request',
      '--entity',
      ENTITY,
      '--commit',
      COMMIT,
      '--to',
      'staging',
    ]);

    expect(result.code).toBe(ExitCode.ok);
    expect(requests[0].body).toEqual({
      entityRef: ENTITY,
      commit: COMMIT,
      toStage: 'staging',
    });
    expect(result.stdout).toBe(
      'p-1  component:default/orders  ci -> staging  ab12cd3  open\n  gate runs-succeeded: passed (1 of 1 successful runs)\n',
    );
  });
});

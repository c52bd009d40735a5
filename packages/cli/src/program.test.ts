import http from 'node:http';
import { AddressInfo } from 'node:net';
import type { Environment, Run } from '@dag-cicd/plugin-dag-cicd-common';
import {
  environmentFixture as environment,
  errorAnswer,
  runFixture as run,
  startTestBackend,
  TestBackend,
  TestHandler,
} from '@dag-cicd/plugin-dag-cicd-common/testUtils';
import { runCli } from './program';
import { ExitCode } from './exitCodes';

// The fixtures' environment and run: ci_ab12cd3 of orders at COMMIT.
const COMMIT = 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12';
const ENTITY = 'component:default/orders';

describe('dag-cicd', () => {
  // A real HTTP server standing in for the backend, so requests, headers and
  // the server's error bodies go through the same client code as in CI.
  let backend: TestBackend;

  beforeAll(async () => {
    backend = await startTestBackend();
  });

  afterAll(() => backend.close());

  beforeEach(() => backend.reset());

  async function cli(args: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      stdout: text => (stdout += text),
      stderr: text => (stderr += text),
      env: { DAG_CICD_URL: backend.url, DAG_CICD_TOKEN: 'ci-token', ...env },
      pollIntervalMs: 5,
    });
    return { code, stdout, stderr };
  }

  const create = ['env', 'create', '--entity', ENTITY, '--commit', COMMIT];

  it('creates an environment with the token and prints it as JSON', async () => {
    backend.handle(() => ({ status: 201, body: environment() }));

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
    expect(backend.requests).toEqual([
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

  it('sends the sample bounds and chaos rates of the profile', async () => {
    backend.handle(() => ({ status: 201, body: environment() }));

    const result = await cli([
      ...create,
      '--profile',
      'chaos',
      '--sample-max-objects',
      '20',
      '--sample-max-bytes',
      '1048576',
      '--sample-rows',
      '0.1',
      '--chaos',
      'nulls=0.02',
      '--chaos',
      'drift=.01',
    ]);

    expect(result).toMatchObject({ code: ExitCode.ok, stderr: '' });
    expect(backend.requests[0].body).toEqual({
      entityRef: ENTITY,
      commit: COMMIT,
      profile: 'chaos',
      sample: { maxObjects: 20, maxBytes: 1048576, rowFraction: 0.1 },
      chaos: { nulls: 0.02, drift: 0.01 },
    });
  });

  it('waits for a created environment, reporting progress on stderr', async () => {
    const statuses: Environment['status'][] = [
      'provisioning',
      'provisioning',
      'ready',
    ];
    backend.handle(req =>
      req.method === 'POST'
        ? { status: 201, body: environment({ status: 'provisioning' }) }
        : { status: 200, body: environment({ status: statuses.shift() }) },
    );

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
      expect(backend.requests).toEqual([]);
    });

    it('exits 3 when the server refuses the token, with a hint', async () => {
      backend.handle(() =>
        errorAnswer(401, 'AuthenticationError', 'Illegal token'),
      );
      const result = await cli(create);
      expect(result.code).toBe(ExitCode.auth);
      expect(result.stderr).toBe(
        'dag-cicd: Illegal token: set DAG_CICD_TOKEN to a token the backend accepts (backend.auth.externalAccess)\n',
      );
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
      backend.handle(() => ({
        status: 404,
        body: '<html>Not Found</html>',
        contentType: 'text/html',
      }));
      const result = await cli(['env', 'list'], {
        DAG_CICD_URL: `${backend.url}/`,
      });
      expect(result.code).toBe(ExitCode.error);
      expect(result.stderr).toBe(
        `dag-cicd: ${backend.url}/api/dag-cicd/environments?limit=100&orderBy=createdAt&order=desc answered 404 Not Found, which is no answer of the DAG CI/CD API; check --url or DAG_CICD_URL, and that the backend's DAG CI/CD plugin is as new as this command\n`,
      );
    });

    it('exits 2 for a URL that is not http(s)', async () => {
      const result = await cli(['env', 'list', '--url', 'backstage:7007']);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.stderr).toContain('is not an http(s) URL');
    });

    // The server judges the input; the CLI prints its message as the one
    // line, and the status picks the exit code.
    it.each([
      {
        refusal: 'a stage it does not allow',
        status: 403,
        name: 'NotAllowedError',
        message:
          'Service principals may not create environments in stage production; only in ci (dagCicd.stages[].allowServices)',
        args: [...create, '--stage', 'production'],
        code: ExitCode.auth,
      },
      {
        refusal: 'an unknown entity',
        status: 404,
        name: 'NotFoundError',
        message: 'No entity component:default/nope in the catalog',
        args: create.map(a => (a === ENTITY ? 'component:default/nope' : a)),
        code: ExitCode.notFound,
      },
      {
        refusal: 'an invalid SHA',
        status: 400,
        name: 'InputError',
        message:
          'commit "xyz" is not a git SHA: give the full 40 hex characters',
        args: create.map(a => (a === COMMIT ? 'xyz' : a)),
        code: ExitCode.usage,
      },
    ])(
      'exits $code with the server message for $refusal',
      async ({ status, name, message, args, code }) => {
        backend.handle(() => errorAnswer(status, name, message));
        const result = await cli(args);
        expect(result.code).toBe(code);
        expect(result.stderr).toBe(`dag-cicd: ${message}\n`);
        // Sent as given: the CLI does not second-guess the server.
        expect(backend.requests).toHaveLength(1);
        expect(backend.requests[0].body.commit).toBe(
          args[args.indexOf('--commit') + 1],
        );
      },
    );

    it.each([
      {
        args: ['--sample-max-objects', '-1'],
        message: '--sample-max-objects "-1" is not a positive whole number',
      },
      {
        args: ['--sample-max-bytes', '1.5'],
        message: '--sample-max-bytes "1.5" is not a positive whole number',
      },
      {
        args: ['--sample-rows', 'half'],
        message:
          '--sample-rows "half" is not a number: give a fraction such as 0.1',
      },
      {
        args: ['--chaos', 'nulls'],
        message:
          '--chaos "nulls" is not <fault>=<rate>: give e.g. --chaos nulls=0.02',
      },
      {
        args: ['--chaos', 'nulls=lots'],
        message:
          '--chaos "nulls=lots" is not <fault>=<rate>: give e.g. --chaos nulls=0.02',
      },
      {
        args: ['--chaos', 'nulls=0.1', '--chaos', 'nulls=0.2'],
        message: '--chaos nulls is given twice: give each fault once',
      },
    ])(
      'exits 2 with one line for $args, before any request',
      async ({ args, message }) => {
        const result = await cli([...create, '--profile', 'chaos', ...args]);
        expect(result).toEqual({
          code: ExitCode.usage,
          stdout: '',
          stderr: `dag-cicd: ${message}\n`,
        });
        expect(backend.requests).toEqual([]);
      },
    );

    it('leaves fault names and ranges to the server, printing its 400', async () => {
      const message =
        'chaos.typos is not a fault: use nulls, malformed, duplicates, late, outOfOrder, drift, truncated or empty';
      backend.handle(() => errorAnswer(400, 'InputError', message));
      const result = await cli([
        ...create,
        '--profile',
        'chaos',
        '--chaos',
        'typos=0.5',
      ]);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.stderr).toBe(`dag-cicd: ${message}\n`);
      expect(backend.requests[0].body.chaos).toEqual({ typos: 0.5 });
    });

    it('exits 2 for a missing option, before any request', async () => {
      const result = await cli(['env', 'create', '--entity', ENTITY]);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.stderr).toContain("required option '--commit <sha>'");
      expect(backend.requests).toEqual([]);
    });

    it('exits 2 for an environment that is neither an id nor entity@stage/name', async () => {
      const result = await cli(['env', 'get', `${ENTITY}@ci`]);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.stderr).toContain('names no environment');
    });

    it('exits 6 when waiting times out, naming the last status', async () => {
      backend.handle(req =>
        req.method === 'POST'
          ? { status: 201, body: environment({ status: 'provisioning' }) }
          : { status: 200, body: environment({ status: 'provisioning' }) },
      );
      const result = await cli([...create, '--wait', '--timeout', '1s']);
      expect(result.code).toBe(ExitCode.timeout);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        'dag-cicd: Timed out after 1s waiting for environment ci_ab12cd3 (last: provisioning); raise --timeout',
      );
    });

    it('exits 5 when the environment fails to provision', async () => {
      backend.handle(() => ({
        status: 201,
        body: environment({ status: 'failed', error: 'sample copy failed' }),
      }));
      const result = await cli([...create, '--wait']);
      expect(result.code).toBe(ExitCode.failed);
      expect(result.stderr).toBe(
        'dag-cicd: Environment ci_ab12cd3 failed: sample copy failed\n',
      );
    });
  });

  describe('run start', () => {
    const ref = `${ENTITY}@ci/ci_ab12cd3`;

    function runServer(states: Array<Partial<Run>>): TestHandler {
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
      backend.handle(runServer([{ state: 'running' }, { state: 'success' }]));

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
      expect(backend.requests.map(r => `${r.method} ${r.url}`)).toEqual([
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
      backend.handle(runServer([{ state: 'failed', tasks }]));

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
      backend.handle(() => ({
        status: 200,
        body: { items: [], totalCount: 0 },
      }));
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
    backend.handle(() => ({ status: 201, body: promotion }));

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
    expect(backend.requests[0].body).toEqual({
      entityRef: ENTITY,
      commit: COMMIT,
      toStage: 'staging',
    });
    expect(result.stdout).toBe(
      'p-1  component:default/orders  ci -> staging  ab12cd3  open\n  gate runs-succeeded: passed (1 of 1 successful runs)\n',
    );
  });
});

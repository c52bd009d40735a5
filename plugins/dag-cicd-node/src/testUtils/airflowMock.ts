import { http, HttpResponse } from 'msw';
import { setupServer, SetupServer } from 'msw/node';
import { AirflowApiVersion } from '../airflow/types';
import { airflowContracts, OpenApiContract } from './contract';
import { checkedAnswer, readExchange } from './contractExchange';

/** A request as a mock sees it. */
export interface MockRequest {
  method: string;
  /** Below the instance's base URL: `/api/v2/dags/orders`. */
  path: string;
  /** The spec's path template it reached: `/api/v2/dags/{dag_id}`. */
  template: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  authorization?: string;
}

/**
 * What a mock answers: a status and JSON body (checked against the spec
 * before it is sent), a connection failure, or nothing until the client
 * gives up. `raw` sends a body as it is, unchecked: only for tests of
 * answers that are deliberately not Airflow's.
 */
export type MockAnswer =
  | { status?: number; body?: unknown }
  | { raw: string; status?: number; contentType?: string }
  | { network: 'error' }
  | { hang: true };

export type MockResolver = (
  request: MockRequest,
) => MockAnswer | Promise<MockAnswer>;

/**
 * One mocked Airflow instance. Routes are keyed by the spec's own path
 * templates (a template the spec lacks is refused at once), and every
 * request and every answer is checked against the spec of the instance's
 * API version: whatever does not match is recorded in `violations`, which
 * {@link airflowMockServer} turns into a failed test.
 */
export class AirflowMock {
  readonly requests: MockRequest[] = [];
  readonly violations: string[] = [];
  readonly #routes = new Map<string, MockResolver>();
  readonly #apiVersion: AirflowApiVersion;
  readonly #basePath: string;

  constructor(
    server: SetupServer,
    options: { apiVersion: AirflowApiVersion; baseUrl: string },
  ) {
    this.#apiVersion = options.apiVersion;
    this.#basePath = new URL(options.baseUrl).pathname.replace(/\/$/, '');
    server.use(
      http.all(`${options.baseUrl}/*`, ({ request }) => this.#handle(request)),
    );
  }

  /** Answers `method template` with `answer`, a fixed answer or a function. */
  on(method: string, template: string, answer: MockResolver | MockAnswer) {
    const contract = this.#contractFor(template);
    if (!contract.has(method, template)) {
      throw new Error(`${method} ${template} is not in ${contract.title}`);
    }
    this.#routes.set(
      `${method} ${template}`,
      typeof answer === 'function' ? answer : () => answer,
    );
    return this;
  }

  /** Airflow 3's token endpoint, handing out these tokens in turn (the last one again and again). */
  tokens(...tokens: string[]) {
    let issued = 0;
    return this.on('POST', '/auth/token', () => ({
      status: 201,
      body: { access_token: tokens[Math.min(issued++, tokens.length - 1)] },
    }));
  }

  /** The requests that reached a template, in order. */
  calls(method: string, template: string): MockRequest[] {
    return this.requests.filter(
      r => r.method === method && r.template === template,
    );
  }

  #contractFor(pathOrTemplate: string): OpenApiContract {
    const contracts = airflowContracts();
    if (this.#apiVersion === 'v1') return contracts.v1;
    return pathOrTemplate.startsWith('/auth/') ? contracts.auth : contracts.v2;
  }

  async #handle(request: Request): Promise<Response> {
    const exchange = await readExchange(
      request,
      this.#basePath,
      this.violations,
    );
    const { path, query, body } = exchange;
    const contract = this.#contractFor(path);
    this.violations.push(...contract.checkRequest(exchange));
    const found = contract.find(request.method, path);
    const resolver =
      found && this.#routes.get(`${request.method} ${found.template}`);
    if (!found || !resolver) {
      this.violations.push(`No mock answers ${request.method} ${path}`);
      return HttpResponse.json({ detail: 'not mocked' }, { status: 418 });
    }
    const seen: MockRequest = {
      method: request.method,
      path,
      template: found.template,
      params: found.params,
      query,
      body,
      authorization: request.headers.get('authorization') ?? undefined,
    };
    this.requests.push(seen);
    const answer = await resolver(seen);
    if ('network' in answer) return HttpResponse.error();
    if ('hang' in answer) {
      // Until the client gives up; msw hands the client's abort signal on.
      await new Promise(resolve =>
        request.signal.addEventListener('abort', resolve),
      );
      return HttpResponse.error();
    }
    if ('raw' in answer) {
      return new HttpResponse(answer.raw, {
        status: answer.status ?? 200,
        headers: { 'Content-Type': answer.contentType ?? 'text/html' },
      });
    }
    return checkedAnswer(contract, exchange, answer, this.violations);
  }
}

/**
 * An msw server for a test file. `mock()` adds a mocked Airflow instance;
 * after each test, any contract violation of any mock fails the test.
 * Requests to 127.0.0.1 pass through to the network, so that a test can
 * reach a closed port for real connection failures.
 */
export function airflowMockServer() {
  const server = setupServer();
  const mocks: AirflowMock[] = [];
  beforeAll(() =>
    server.listen({
      onUnhandledRequest(request, print) {
        if (new URL(request.url).hostname !== '127.0.0.1') print.error();
      },
    }),
  );
  afterAll(() => server.close());
  afterEach(() => {
    server.resetHandlers();
    const violations = mocks.flatMap(m => m.violations);
    mocks.length = 0;
    expect(violations).toEqual([]);
  });
  return {
    server,
    mock(
      apiVersion: AirflowApiVersion,
      baseUrl = `http://airflow-${apiVersion}.test`,
    ): AirflowMock {
      const created = new AirflowMock(server, { apiVersion, baseUrl });
      mocks.push(created);
      return created;
    },
  };
}

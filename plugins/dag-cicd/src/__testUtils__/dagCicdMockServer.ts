// Test-only (a devDependency, never in the bundle): the project's one OpenAPI
// validator and the way its mocks read requests and check answers, shared
// with the Airflow mock, instead of a second copy that could disagree.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  checkedAnswer,
  OpenApiContract,
  readExchange,
} from '@dag-cicd/plugin-dag-cicd-node/testUtils';
import { DagCicdClient } from '@dag-cicd/plugin-dag-cicd-common';
import { http, HttpResponse } from 'msw';
import { setupServer, SetupServer } from 'msw/node';
import path from 'node:path';
import { DagCicdApi } from '../api/DagCicdApi';

/**
 * The backend's own OpenAPI document: the one source of the API, so a mock
 * answer the backend could not give fails the test instead of passing it.
 */
const OPENAPI_FILE = path.resolve(
  __dirname,
  '../../../dag-cicd-backend/src/schema/openapi.yaml',
);

let contract: OpenApiContract | undefined;

/** The DAG CI/CD API contract, loaded once per test file. */
export function dagCicdContract(): OpenApiContract {
  contract ??= OpenApiContract.fromFile(OPENAPI_FILE, 'dag-cicd');
  return contract;
}

/** A request as a mock sees it. */
export interface DagCicdMockRequest {
  method: string;
  /** Below the plugin's base URL: `/environments/<id>`. */
  path: string;
  /** The spec's path template it reached: `/environments/{id}`. */
  template: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
}

/** What a mock answers: a status and a JSON body checked against the spec. */
export type DagCicdMockAnswer = { status?: number; body?: unknown };

export type DagCicdMockResolver = (
  request: DagCicdMockRequest,
) => DagCicdMockAnswer | Promise<DagCicdMockAnswer>;

/** An answer in the Backstage error format, as the backend sends it. */
export function errorAnswer(
  status: number,
  name: string,
  message: string,
): DagCicdMockAnswer {
  return {
    status,
    body: {
      error: { name, message },
      request: { method: 'GET', url: '/' },
      response: { statusCode: status },
    },
  };
}

/**
 * The DAG CI/CD backend, mocked. Routes are keyed by the spec's path
 * templates (a template the spec lacks is refused at once); every request
 * the UI sends and every answer a test gives is checked against the spec,
 * and whatever does not match is recorded in `violations`, which
 * {@link dagCicdMockServer} turns into a failed test.
 */
export class DagCicdMock {
  readonly baseUrl = 'http://backstage.test/api/dag-cicd';
  readonly requests: DagCicdMockRequest[] = [];
  readonly violations: string[] = [];
  readonly #routes = new Map<string, DagCicdMockResolver>();

  constructor(server: SetupServer) {
    server.use(
      http.all(`${this.baseUrl}/*`, ({ request }) => this.#handle(request)),
    );
  }

  /** Answers `method template` with `answer`, a fixed answer or a function. */
  on(
    method: string,
    template: string,
    answer: DagCicdMockResolver | DagCicdMockAnswer,
  ): this {
    if (!dagCicdContract().has(method, template)) {
      throw new Error(`${method} ${template} is not in the dag-cicd API`);
    }
    this.#routes.set(
      `${method} ${template}`,
      typeof answer === 'function' ? answer : () => answer,
    );
    return this;
  }

  /** The requests that reached a template, in order. */
  calls(method: string, template: string): DagCicdMockRequest[] {
    return this.requests.filter(
      r => r.method === method && r.template === template,
    );
  }

  /** The client the UI uses, pointed at this mock, as a signed-in user. */
  client(): DagCicdApi {
    return new DagCicdClient({
      discoveryApi: { getBaseUrl: async () => this.baseUrl },
      fetchApi: {
        // The app's fetchApi adds the user's token; so does this one.
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set('Authorization', 'Bearer user-token');
          return fetch(input, { ...init, headers });
        },
      },
    });
  }

  async #handle(request: Request): Promise<Response> {
    const exchange = await readExchange(
      request,
      new URL(this.baseUrl).pathname,
      this.violations,
    );
    const { method, path: apiPath, query, body } = exchange;
    const checks = dagCicdContract();
    this.violations.push(...checks.checkRequest(exchange));
    const found = checks.find(method, apiPath);
    const resolver = found && this.#routes.get(`${method} ${found.template}`);
    if (!found || !resolver) {
      this.violations.push(`No mock answers ${method} ${apiPath}`);
      return HttpResponse.json(
        errorAnswer(501, 'NotImplementedError', 'not mocked').body as any,
        { status: 501 },
      );
    }
    const seen: DagCicdMockRequest = {
      method,
      path: apiPath,
      template: found.template,
      params: found.params,
      query,
      body,
    };
    this.requests.push(seen);
    return checkedAnswer(
      checks,
      exchange,
      await resolver(seen),
      this.violations,
    );
  }
}

/**
 * An msw server for a test file, with one mocked backend per test. After
 * each test, any contract violation fails the test.
 */
export function dagCicdMockServer(): { mock(): DagCicdMock } {
  const server = setupServer();
  const mocks: DagCicdMock[] = [];
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  afterEach(() => {
    server.resetHandlers();
    const violations = mocks.flatMap(m => m.violations);
    mocks.length = 0;
    expect(violations).toEqual([]);
  });
  return {
    mock() {
      const created = new DagCicdMock(server);
      mocks.push(created);
      return created;
    },
  };
}

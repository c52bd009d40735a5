import http from 'node:http';
import { AddressInfo } from 'node:net';

/** A request as the test backend received it. */
export interface RecordedRequest {
  method?: string;
  /** Path and query: `/api/dag-cicd/environments?limit=5`. */
  url?: string;
  authorization?: string;
  /** The parsed JSON body; undefined when there was none. */
  body?: any;
}

/**
 * What the test backend answers: a JSON `body` (a string is sent as it is,
 * with `contentType`), or an `error`, which is sent in the format of
 * Backstage's error handler, naming the request it answers.
 */
export type TestAnswer =
  | { status: number; body?: unknown; contentType?: string }
  | { status: number; error: { name: string; message: string } };

export type TestHandler = (request: RecordedRequest) => TestAnswer;

/** A real HTTP server on a free loopback port, standing in for the backend. */
export interface TestBackend {
  /** `http://127.0.0.1:<port>`, the backend's base URL (no `/api`). */
  readonly url: string;
  /** Every request since the last {@link TestBackend.reset}, in order. */
  readonly requests: RecordedRequest[];
  /** Answers every request with `handler` from now on. */
  handle(handler: TestHandler): void;
  /** Answers the next requests with `answers`, one each, then a 500. */
  answerInTurn(...answers: TestAnswer[]): void;
  /** Forgets the requests; until told otherwise, answers 500. */
  reset(): void;
  close(): Promise<void>;
}

const unexpected: TestHandler = () => ({
  status: 500,
  body: 'unexpected request',
  contentType: 'text/plain',
});

/** An error answer, as the backend gives one for a thrown `name` error. */
export function errorAnswer(
  status: number,
  name: string,
  message: string,
): TestAnswer {
  return { status, error: { name, message } };
}

/**
 * Starts a {@link TestBackend}; start it once per test file and
 * {@link TestBackend.reset} it before each test.
 */
export async function startTestBackend(): Promise<TestBackend> {
  const requests: RecordedRequest[] = [];
  let handler = unexpected;

  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const request: RecordedRequest = {
      method: req.method,
      url: req.url,
      authorization: req.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    const answer = handler(request);
    res.statusCode = answer.status;
    if ('error' in answer) {
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          error: answer.error,
          request: { method: req.method, url: req.url },
          response: { statusCode: answer.status },
        }),
      );
      return;
    }
    res.setHeader('Content-Type', answer.contentType ?? 'application/json');
    res.end(
      typeof answer.body === 'string'
        ? answer.body
        : JSON.stringify(answer.body),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    handle(next) {
      handler = next;
    },
    answerInTurn(...answers) {
      handler = request => answers.shift() ?? unexpected(request);
    },
    reset() {
      requests.length = 0;
      handler = unexpected;
    },
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close(error => (error ? reject(error) : resolve())),
      ),
  };
}

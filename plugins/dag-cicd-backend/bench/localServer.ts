/*
 * Local HTTP servers for benchmarks: the backend's app, or a stand-in for
 * Airflow, on a real socket of the loopback interface.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import type { OpenApiContract } from '@dag-cicd/plugin-dag-cicd-node/testUtils';

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** Stops listening and ends the connections clients keep alive. */
  close(): void;
}

/** Serves `listener` on a free port of 127.0.0.1. */
export async function serveLocally(
  listener: http.RequestListener,
): Promise<LocalServer> {
  const server = http.createServer(listener);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  // A benchmark's setup (filling 100k rows, say) outlasts Node's 5 s
  // keep-alive; without this, clients would reuse a socket the server has
  // just closed.
  server.keepAliveTimeout = 600_000;
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Answers with a JSON text, its length given as a real server gives it. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  json: string,
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/**
 * What in one exchange of a stand-in server is not as `contract` (an
 * Airflow REST API spec) says: the request the client sent, and the answer
 * the stand-in gave, which must be one the real server could give.
 */
export function contractViolations(
  contract: OpenApiContract,
  req: http.IncomingMessage,
  url: URL,
  body: unknown,
  status: number,
  answer: unknown,
): string[] {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string') headers.set(k, v);
  }
  const exchange = {
    method: req.method!,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
  };
  return [
    ...contract.checkRequest(exchange),
    ...contract.checkResponse({ ...exchange, status, answer }),
  ];
}

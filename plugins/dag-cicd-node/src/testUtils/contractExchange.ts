import { HttpResponse } from 'msw';
import { Exchange, OpenApiContract } from './contract';

// The two halves of an exchange as a spec-checked mock handles them, shared
// by every such mock (Airflow's here, DAG CI/CD's in the frontend's tests)
// so that they read requests and check answers the same way.

/**
 * A request a mock received, read for the contract checks: its path below
 * the API's `basePath`, its query and headers, and its JSON body. A body
 * that is not JSON is added to `violations`.
 */
export async function readExchange(
  request: Request,
  basePath: string,
  violations: string[],
): Promise<Exchange> {
  const url = new URL(request.url);
  const path = url.pathname.slice(basePath.length);
  const text = await request.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    violations.push(`${request.method} ${path} sends a body that is not JSON`);
  }
  return {
    method: request.method,
    path,
    query: url.searchParams,
    headers: request.headers,
    body,
  };
}

/**
 * A mock's answer to an exchange as a response: the JSON body (none when
 * `body` is undefined) with its status, 200 unless given. Whatever in it
 * the contract does not document is added to `violations`.
 */
export function checkedAnswer(
  contract: OpenApiContract,
  exchange: Exchange,
  answer: { status?: number; body?: unknown },
  violations: string[],
): Response {
  const status = answer.status ?? 200;
  violations.push(
    ...contract.checkResponse({ ...exchange, status, answer: answer.body }),
  );
  return answer.body === undefined
    ? new HttpResponse(null, { status })
    : HttpResponse.json(answer.body as any, { status });
}

import { LoggerService } from '@backstage/backend-plugin-api';
import { AirflowError, AirflowErrorOptions } from './AirflowError';
import { AirflowCredentials, TokenFetcher } from './credentials';
import { AirflowPage } from './types';

type QueryValue = string | number | boolean | string[] | undefined;

export interface AirflowRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Below the base URL, path segments already encoded: `/api/v2/dags/x`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /**
   * Whether Airflow may receive the request twice with no harm: reads, and
   * writes that name what they create (a trigger with our run id). Others
   * are only sent again when they surely never left (connection refused,
   * unknown host). Default: true for GET.
   */
  idempotent?: boolean;
}

export interface AirflowHttpOptions {
  instance: string;
  baseUrl: string;
  timeoutMs: number;
  /** Requests sent again after a 5xx or a connection failure. */
  retries: number;
  credentials: AirflowCredentials;
  logger?: LoggerService;
  /** Retry n waits between half and all of min(maxMs, baseMs · 2ⁿ). */
  backoff?: { baseMs: number; maxMs: number };
  /** Tests replace these to observe the backoff without waiting for it. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Thrown by response parsers: the body is not what the API documents. */
export class MalformedResponse extends Error {}

// Connection errors that happen before a byte of the request is sent.
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

type Attempt =
  | { ok: true; status: number; text: string }
  | { ok: false; failure: 'timeout' | 'unreachable'; code?: string };

/** Why a connection failed: undici puts the system error code in `cause`. */
function connectionError(error: unknown): string {
  const cause = (error as { cause?: any })?.cause;
  return (
    cause?.code ??
    cause?.errors?.[0]?.code ??
    (error as { code?: string })?.code ??
    cause?.message ??
    (error as Error)?.message ??
    'connection failed'
  );
}

function queryString(query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      params.append(key, String(item));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * Airflow's explanation of an error answer: `detail` as a string (both APIs),
 * a list of validation errors (Airflow 3's 422), or an object (Airflow 3's
 * database constraint errors); else the problem's `title` (Airflow 2), or
 * the start of whatever a proxy sent.
 */
export function airflowDetail(text: string): string | undefined {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return oneLine(text) || undefined;
  }
  if (typeof body === 'string') return oneLine(body);
  const detail = body?.detail;
  if (typeof detail === 'string') return oneLine(detail, 1000);
  if (Array.isArray(detail)) {
    return oneLine(
      detail
        .map(item =>
          [
            Array.isArray(item?.loc) ? item.loc.join('.') : undefined,
            item?.msg ?? JSON.stringify(item),
          ]
            .filter(Boolean)
            .join(': '),
        )
        .join('; '),
      1000,
    );
  }
  if (detail && typeof detail === 'object') {
    return oneLine(
      typeof detail.reason === 'string'
        ? [detail.reason, detail.orig_error].filter(Boolean).join(': ')
        : JSON.stringify(detail),
      1000,
    );
  }
  return typeof body?.title === 'string' ? oneLine(body.title) : undefined;
}

/**
 * The HTTP side of every Airflow client: timeouts, retries with backoff,
 * authentication, pagination and errors, in one place for both API versions.
 */
export class AirflowHttp {
  readonly #options: AirflowHttpOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: AirflowHttpOptions) {
    this.#options = options;
    this.#sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
  }

  /**
   * Sends an authenticated request and parses its JSON answer. A 401 with a
   * token from `POST /auth/token` fetches a new token and sends once more.
   *
   * @param operation - the call, for messages: `getDag(orders)`
   * @param parse - turns the body into the result; throws
   *   {@link MalformedResponse} (or a TypeError) if it is not the API's
   * @throws AirflowError
   */
  async request<T>(
    operation: string,
    request: AirflowRequest,
    parse: (body: any) => T,
  ): Promise<T> {
    const { credentials } = this.#options;
    const fetchToken: TokenFetcher = login =>
      this.#fetchToken(operation, login);
    let authorization = await credentials.authorization(fetchToken);
    let answer = await this.#send(operation, request, authorization);
    if (answer.status === 401 && credentials.invalidate(authorization)) {
      authorization = await credentials.authorization(fetchToken);
      answer = await this.#send(operation, request, authorization);
    }
    return this.#parse(operation, answer, parse);
  }

  /**
   * Every item of a collection, one page at a time, until `total_entries`.
   * The offset moves by the items received, since Airflow caps page sizes
   * at its `maximum_page_limit`. An empty page before the end is an error,
   * not the end: a caller mirroring Airflow must not take a short read for
   * deletions.
   */
  async *paginate<T>(
    operation: string,
    fetchPage: (offset: number, limit: number) => Promise<AirflowPage<T>>,
    pageSize: number,
  ): AsyncGenerator<T[]> {
    let offset = 0;
    for (;;) {
      const page = await fetchPage(offset, pageSize);
      if (page.items.length === 0) {
        if (offset < page.totalEntries) {
          throw this.#error({
            operation,
            failure: 'invalid-response',
            detail: `the page at offset ${offset} is empty although total_entries is ${page.totalEntries}`,
          });
        }
        return;
      }
      yield page.items;
      offset += page.items.length;
      if (offset >= page.totalEntries) return;
    }
  }

  #error(options: Omit<AirflowErrorOptions, 'instance' | 'credentials'>) {
    return new AirflowError({
      instance: this.#options.instance,
      credentials: this.#options.credentials.description,
      ...options,
    });
  }

  async #fetchToken(
    operation: string,
    login: { username: string; password: string },
  ): Promise<string> {
    const answer = await this.#send(
      operation,
      { method: 'POST', path: '/auth/token', body: login, idempotent: true },
      undefined,
      true,
    );
    return this.#parse(
      operation,
      answer,
      body => {
        if (typeof body?.access_token !== 'string') {
          throw new MalformedResponse('the token answer has no access_token');
        }
        return body.access_token as string;
      },
      true,
    );
  }

  #parse<T>(
    operation: string,
    answer: { status: number; text: string; attempts: number },
    parse: (body: any) => T,
    whileAuthenticating = false,
  ): T {
    const { status, text, attempts } = answer;
    if (status < 200 || status > 299) {
      throw this.#error({
        operation,
        failure: 'http',
        status,
        detail: airflowDetail(text),
        attempts,
        whileAuthenticating,
      });
    }
    try {
      return parse(text ? JSON.parse(text) : undefined);
    } catch (error) {
      throw this.#error({
        operation,
        failure: 'invalid-response',
        detail:
          error instanceof SyntaxError
            ? `${status} with a body that is not JSON: ${oneLine(text, 100)}`
            : (error as Error).message,
        whileAuthenticating,
      });
    }
  }

  /**
   * Sends one request, again after a 5xx, a timeout or a connection failure
   * while retries last (a request that is not idempotent only when it never
   * left). 4xx answers are never retried: they will not change.
   */
  async #send(
    operation: string,
    request: AirflowRequest,
    authorization: string | undefined,
    whileAuthenticating = false,
  ): Promise<{ status: number; text: string; attempts: number }> {
    const { retries, backoff = { baseMs: 200, maxMs: 5000 } } = this.#options;
    const idempotent = request.idempotent ?? request.method === 'GET';
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt(request, authorization);
      const retryable = outcome.ok
        ? outcome.status >= 500 && idempotent
        : idempotent || NEVER_SENT.has(outcome.code ?? '');
      if (retryable && attempt < retries) {
        const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
        const delay = Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
        this.#options.logger?.warn(
          `Airflow "${this.#options.instance}": ${operation} attempt ${
            attempt + 1
          } failed (${
            outcome.ok ? outcome.status : outcome.code ?? outcome.failure
          }), retrying in ${delay} ms`,
        );
        await this.#sleep(delay);
        continue;
      }
      if (outcome.ok) return { ...outcome, attempts: attempt + 1 };
      throw this.#error({
        operation,
        failure: outcome.failure,
        detail:
          outcome.failure === 'timeout'
            ? `${this.#options.timeoutMs} ms`
            : `${this.#options.baseUrl} (${
                outcome.code ?? 'connection failed'
              })`,
        attempts: attempt + 1,
        whileAuthenticating,
      });
    }
  }

  async #attempt(
    request: AirflowRequest,
    authorization: string | undefined,
  ): Promise<Attempt> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (authorization) headers.Authorization = authorization;
    if (request.body !== undefined)
      headers['Content-Type'] = 'application/json';
    try {
      // The timeout covers reading the body too: a server that sends
      // headers and then stalls is as stuck as one that sends nothing.
      const response = await fetch(
        `${this.#options.baseUrl}${request.path}${queryString(request.query)}`,
        {
          method: request.method,
          headers,
          body:
            request.body === undefined
              ? undefined
              : JSON.stringify(request.body),
          signal: AbortSignal.timeout(this.#options.timeoutMs),
          // A redirect is answered as it is: following it would drop the
          // Authorization header, and the base URL should be fixed instead.
          redirect: 'manual',
        },
      );
      return { ok: true, status: response.status, text: await response.text() };
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        return { ok: false, failure: 'timeout' };
      }
      return {
        ok: false,
        failure: 'unreachable',
        code: connectionError(error),
      };
    }
  }
}

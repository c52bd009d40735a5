import {
  ConflictError,
  CustomErrorBase,
  InputError,
  isError,
  NotFoundError,
  toError,
} from '@backstage/errors';
import { STATUS_CODES } from 'node:http';

/**
 * Why a call to Airflow failed:
 * - `http`: Airflow answered with an error status;
 * - `timeout`: no answer within the instance's `timeoutMs`;
 * - `unreachable`: no connection (refused, DNS, reset);
 * - `invalid-response`: an answer that is not the API's (not JSON, fields missing).
 */
export type AirflowFailure =
  | 'http'
  | 'timeout'
  | 'unreachable'
  | 'invalid-response';

export interface AirflowErrorOptions {
  /** The configured instance name. */
  instance: string;
  /** The client call, with its main arguments: `triggerDagRun(orders_daily)`. */
  operation: string;
  failure: AirflowFailure;
  /** The HTTP status, for `http` failures. */
  status?: number;
  /** Airflow's `detail`, or what went wrong for other failures. */
  detail?: string;
  /** How the instance authenticates, for messages: never a secret. */
  credentials?: string;
  /** Set when the failing request was the token request, not the call itself. */
  whileAuthenticating?: boolean;
  /** Requests sent for this call, retries included. */
  attempts?: number;
}

function describe(options: AirflowErrorOptions): string {
  const { failure, status, detail, attempts = 1 } = options;
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  const during = options.whileAuthenticating ? ' while fetching a token' : '';
  let what: string;
  switch (failure) {
    case 'http':
      what = `${status} ${STATUS_CODES[status!] ?? 'Error'}${tries}${
        detail ? ` — ${detail}` : ''
      }`;
      break;
    case 'timeout':
      what = `no answer within ${detail}${tries}`;
      break;
    case 'unreachable':
      what = `cannot reach Airflow: ${detail}${tries}`;
      break;
    default:
      what = `unexpected answer — ${detail}`;
  }
  return `Airflow "${options.instance}": ${options.operation} failed${during}: ${what}`;
}

/**
 * A call to an Airflow instance failed. The message names the instance, the
 * call and the cause, e.g. `Airflow "prod": triggerDagRun(orders_daily)
 * failed: 409 Conflict — DAGRun with dag_run_id … already exists`.
 */
export class AirflowError extends CustomErrorBase {
  name = 'AirflowError' as const;
  readonly instance: string;
  readonly operation: string;
  readonly failure: AirflowFailure;
  readonly status?: number;
  readonly detail?: string;
  readonly credentials?: string;
  readonly whileAuthenticating: boolean;
  /** How many times the request was sent. */
  readonly attempts: number;

  constructor(options: AirflowErrorOptions) {
    super(describe(options));
    this.instance = options.instance;
    this.operation = options.operation;
    this.failure = options.failure;
    this.status = options.status;
    this.detail = options.detail;
    this.credentials = options.credentials;
    this.whileAuthenticating = options.whileAuthenticating ?? false;
    this.attempts = options.attempts ?? 1;
  }
}

/**
 * Airflow could not serve a request the product made on a user's behalf: it
 * is down, slow, failing, or refuses the configured credentials. The product's
 * API answers 502 Bad Gateway: the fault is upstream, not in the request, and
 * not the caller's session (a 401 would tell the frontend to sign in again).
 * Backstage's error handler takes the status from `statusCode`.
 */
export class AirflowUnavailableError extends CustomErrorBase {
  name = 'AirflowUnavailableError' as const;
  readonly statusCode = 502;
}

/**
 * The error the product's API answers with when a call to Airflow failed:
 * - 404 → `NotFoundError` (an unknown DAG or run);
 * - 409 → `ConflictError` (a run id already used);
 * - 400 / 422 → `InputError` with Airflow's validation detail;
 * - 401 / 403 → `AirflowUnavailableError` (502) saying the configured
 *   credentials were refused, naming the user but never the secret;
 * - unreachable, timeout, 5xx, anything else → `AirflowUnavailableError` (502).
 *
 * Errors that are not {@link AirflowError}s pass through unchanged.
 */
export function toHttpError(error: unknown): Error {
  if (!(error instanceof AirflowError)) {
    return isError(error) ? (error as Error) : (toError(error) as Error);
  }
  if (error.failure === 'http') {
    switch (error.status) {
      case 404:
        return new NotFoundError(error.message);
      case 409:
        return new ConflictError(error.message);
      case 400:
      case 422:
        return new InputError(error.message);
      case 401:
        return new AirflowUnavailableError(
          `Airflow "${error.instance}" refused the configured credentials (${
            error.credentials ?? 'no credentials'
          }); check dagCicd.airflow.instances "${error.instance}" auth. ${
            error.message
          }`,
        );
      case 403:
        return new AirflowUnavailableError(
          `Airflow "${
            error.instance
          }" does not allow the configured credentials (${
            error.credentials ?? 'no credentials'
          }) to do this; grant the Airflow user access. ${error.message}`,
        );
      default:
    }
  }
  return new AirflowUnavailableError(error.message);
}

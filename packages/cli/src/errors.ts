import { ResponseError } from '@backstage/errors';
import { CliError, ExitCode } from './exitCodes';

/**
 * Turns anything a command threw into the one line and exit code the CLI
 * reports. Server errors keep the server's own message: it already names
 * the field or the entity and says what to fix.
 */
export function toCliError(error: unknown, url: string | undefined): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ResponseError) return fromResponse(error, url);
  const cause = (error as { cause?: { code?: string; message?: string } })
    ?.cause;
  // fetch() rejects with a TypeError ("fetch failed") and puts the reason
  // in `cause`; compared by name, as it may come from another realm.
  if ((error as Error)?.name === 'TypeError' && cause) {
    return new CliError(
      `Cannot reach the DAG CI/CD backend at ${url}: ${
        cause.code ?? cause.message
      }; check --url or DAG_CICD_URL`,
      ExitCode.unreachable,
    );
  }
  return new CliError(
    error instanceof Error ? error.message : String(error),
    ExitCode.error,
  );
}

function fromResponse(error: ResponseError, url: string | undefined) {
  const status = error.statusCode;
  // The DAG CI/CD API answers errors with `{ error, request, response }`;
  // without `request` the answer came from something else at that URL:
  // another server, or a backend without this route (an older plugin).
  const fromApi = Boolean(error.body?.request);
  if (!fromApi) {
    return new CliError(
      `${error.response.url || url} answered ${status} ${
        error.statusText
      }, which is no answer of the DAG CI/CD API; check --url or DAG_CICD_URL, and that the backend's DAG CI/CD plugin is as new as this command`,
      status === 401 || status === 403 ? ExitCode.auth : ExitCode.error,
    );
  }
  const message = error.body.error.message;
  switch (status) {
    case 400:
      return new CliError(message, ExitCode.usage);
    case 401:
      return new CliError(
        `${message}: set DAG_CICD_TOKEN to a token the backend accepts (backend.auth.externalAccess)`,
        ExitCode.auth,
      );
    case 403:
      return new CliError(message, ExitCode.auth);
    case 404:
      return new CliError(message, ExitCode.notFound);
    default:
      return new CliError(message, ExitCode.error);
  }
}

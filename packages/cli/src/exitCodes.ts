/**
 * The exit codes of `dag-cicd`, one per class of failure, so that a CI job
 * can tell "fix the pipeline" from "fix the DAG" from "try again".
 * docs/ci.md lists them; keep the two in step.
 *
 * @public
 */
export const ExitCode = {
  /** Everything worked (and a run waited for succeeded). */
  ok: 0,
  /** The server failed, or answered something unexpected. */
  error: 1,
  /** Bad input: a missing or malformed option, or a 400 from the server. */
  usage: 2,
  /** No token, or the token was refused (401) or not allowed (403). */
  auth: 3,
  /** The entity, environment or promotion does not exist (404). */
  notFound: 4,
  /** The environment or the run waited for ended failed. */
  failed: 5,
  /** Gave up waiting (`--timeout`). */
  timeout: 6,
  /** The backend could not be reached at the URL given. */
  unreachable: 7,
} as const;

/** @public */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the CLI reports as one line on stderr and an exit code, never
 * as a stack.
 *
 * @public
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: ExitCodeValue) {
    super(message);
    this.name = 'CliError';
  }
}

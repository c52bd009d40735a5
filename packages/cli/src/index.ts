/**
 * The `dag-cicd` command for CI pipelines.
 *
 * @packageDocumentation
 */
import { runCli } from './program';

export { runCli } from './program';
export type { Io } from './context';
export { CliError, ExitCode } from './exitCodes';
export type { ExitCodeValue } from './exitCodes';

/** The entry point of bin/dag-cicd. */
export function main(argv: string[]) {
  runCli(argv.slice(2), {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    env: process.env,
    pollIntervalMs: 2_000,
  }).then(code => {
    process.exitCode = code;
  });
}

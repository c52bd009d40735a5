import { Command, CommanderError, Option } from 'commander';
import { createAction } from './commands/action';
import { registerEnvCommands } from './commands/env';
import { registerPromoteCommands } from './commands/promote';
import { registerRunCommands } from './commands/run';
import { Io } from './context';
import { toCliError } from './errors';
import { ExitCode } from './exitCodes';

/**
 * Runs `dag-cicd` with these arguments (without `node` and the script) and
 * returns its exit code. Everything it prints goes through `io`.
 */
export async function runCli(args: string[], io: Io): Promise<number> {
  const seen: { url?: string } = {};
  const program = new Command('dag-cicd')
    .description(
      'DAG CI/CD from a CI pipeline: environments, runs and promotions of Airflow DAGs. Token from DAG_CICD_TOKEN.',
    )
    .option(
      '--url <url>',
      'the Backstage backend, e.g. https://backstage.example.com (default: $DAG_CICD_URL)',
    )
    .addOption(
      new Option('--output <format>', 'text for people, json for scripts')
        .choices(['text', 'json'])
        .default('text'),
    )
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
    });
  // Usage errors exit 2 like any other usage error, not commander's 1.
  const exitOverride = (error: CommanderError) => {
    throw error;
  };
  const action = createAction(io, seen);
  registerEnvCommands(program, action);
  registerRunCommands(program, action);
  registerPromoteCommands(program, action);
  program.exitOverride(exitOverride);
  for (const command of allCommands(program)) {
    command.exitOverride(exitOverride).configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
    });
  }

  try {
    await program.parseAsync(args, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its own message (or the help) already.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const failure = toCliError(error, seen.url ?? io.env.DAG_CICD_URL);
    io.stderr(`dag-cicd: ${failure.message}\n`);
    return failure.exitCode;
  }
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap(c => [c, ...allCommands(c)]);
}

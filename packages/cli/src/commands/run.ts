import { Command } from 'commander';
import { Run } from '@dag-cicd/plugin-dag-cicd-common';
import { resolveEnvironment } from '../environmentRef';
import { CliError, ExitCode } from '../exitCodes';
import { failedTasks, print, runLines, taskLink } from '../output';
import { parseTimeout, waitFor } from '../wait';
import { Action } from './action';

const FINAL_STATES: Run['state'][] = ['success', 'failed', 'error'];

export function registerRunCommands(program: Command, action: Action) {
  const run = program
    .command('run')
    .description('Airflow DAG runs of an environment');

  run
    .command('start <env>')
    .description(
      'Start a DAG run in an environment (by id or <entity ref>@<stage>/<name>); with --wait, exit 5 when it fails',
    )
    .option('--wait', 'wait until the run finishes')
    .option(
      '--timeout <duration>',
      'how long --wait waits: 90s, 15m, 1h',
      '30m',
    )
    .action(
      action(async (ctx, options, ref: string) => {
        const timeoutMs = parseTimeout(options.timeout);
        const environment = await resolveEnvironment(ctx, ref);
        let started = await ctx.client.startRun(environment.id, ctx.auth);
        ctx.io.stderr(
          `Started ${started.dagRunId} in ${environment.name}${
            started.uiUrl ? `: ${started.uiUrl}` : ''
          }\n`,
        );
        if (options.wait && !FINAL_STATES.includes(started.state)) {
          started = await waitFor({
            what: `run ${started.dagRunId}`,
            timeoutMs,
            io: ctx.io,
            check: async () => {
              // refresh: the backend syncs unfinished runs from Airflow.
              const runs = await ctx.client.listRuns(
                environment.id,
                { refresh: true },
                ctx.auth,
              );
              const current = runs.find(r => r.id === started.id) ?? started;
              return {
                done: FINAL_STATES.includes(current.state)
                  ? current
                  : undefined,
                progress: progressOf(current),
              };
            },
          });
        }
        print(ctx, started, runLines(started));
        if (started.state === 'failed' || started.state === 'error') {
          throw new CliError(failureMessage(started), ExitCode.failed);
        }
      }),
    );
}

function progressOf(run: Run): string {
  const done = run.tasks.filter(t => t.state && t.endDate).length;
  return run.tasks.length
    ? `${run.state} (${done} of ${run.tasks.length} tasks finished)`
    : run.state;
}

function failureMessage(run: Run): string {
  const tasks = failedTasks(run);
  if (!tasks.length) {
    return `Run ${run.dagRunId} ${run.state}${
      run.error ? `: ${run.error}` : ''
    }${run.uiUrl ? ` (${run.uiUrl})` : ''}`;
  }
  return `Run ${run.dagRunId} failed: ${tasks
    .map(task => {
      const link = taskLink(run, task.taskId);
      return `${task.taskId} ${task.state}${link ? ` (${link})` : ''}`;
    })
    .join(', ')}`;
}

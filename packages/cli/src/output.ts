import { Environment, Promotion, Run } from '@dag-cicd/plugin-dag-cicd-common';
import { CommandContext } from './context';

/**
 * Prints a command's result: the API's own JSON with `--output json` (one
 * document on stdout, for `jq`), otherwise the lines a person reads.
 */
export function print(ctx: CommandContext, value: unknown, lines: string[]) {
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  } else {
    ctx.io.stdout(lines.map(line => `${line}\n`).join(''));
  }
}

export function environmentLine(env: Environment): string {
  return `${env.id}  ${env.entityRef}@${env.stage}/${env.name}  ${
    env.status
  }  ${env.commit.slice(0, 7)}  ${env.profile}`;
}

export function environmentLines(env: Environment): string[] {
  return [
    environmentLine(env),
    `  namespace: ${env.dataNamespace}`,
    ...(env.expiresAt ? [`  expires:   ${env.expiresAt}`] : []),
    ...(env.error ? [`  error:     ${env.error}`] : []),
  ];
}

// Airflow 3 runs are at /dags/<dag>/runs/<run>, Airflow 2 runs in the grid
// view with a query: each has its own way to point at a task.
export function taskLink(run: Run, taskId: string): string | undefined {
  if (!run.uiUrl) return undefined;
  const task = encodeURIComponent(taskId);
  return run.uiUrl.includes('?')
    ? `${run.uiUrl}&task_id=${task}`
    : `${run.uiUrl}/tasks/${task}`;
}

const FAILED_TASK_STATES = ['failed', 'upstream_failed'];

export function failedTasks(run: Run) {
  return run.tasks.filter(task => FAILED_TASK_STATES.includes(task.state!));
}

export function runLines(run: Run): string[] {
  return [
    `${run.id}  ${run.dagId}  ${run.dagRunId}  ${run.state}`,
    ...(run.uiUrl ? [`  airflow: ${run.uiUrl}`] : []),
    ...(run.error ? [`  error:   ${run.error}`] : []),
    ...failedTasks(run).map(task =>
      [`  task ${task.taskId} ${task.state}`, taskLink(run, task.taskId)]
        .filter(Boolean)
        .join(': '),
    ),
  ];
}

export function promotionLines(promotion: Promotion): string[] {
  return [
    `${promotion.id}  ${promotion.entityRef}  ${promotion.fromStage} -> ${
      promotion.toStage
    }  ${promotion.commit.slice(0, 7)}  ${promotion.status}`,
    ...promotion.gates.map(
      gate => `  gate ${gate.gate}: ${gate.status} (${gate.detail})`,
    ),
  ];
}

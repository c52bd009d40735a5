import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import { CommandContext } from './context';
import { CliError, ExitCode } from './exitCodes';

/**
 * The two ways to name an environment on the command line: its id, as
 * `env create --output json` prints it, or `<entity ref>@<stage>/<name>`,
 * which a pipeline can write down before the environment exists, e.g.
 * `component:default/orders-daily@ci/ci_ab12cd3`.
 */
export type EnvironmentRef =
  | { id: string }
  | { entityRef: string; stage: string; name: string };

export function parseEnvironmentRef(value: string): EnvironmentRef {
  const at = value.lastIndexOf('@');
  if (at < 0) return { id: value };
  const entityRef = value.slice(0, at);
  const [stage, name, ...rest] = value.slice(at + 1).split('/');
  if (!entityRef || !stage || !name || rest.length) {
    throw new CliError(
      `"${value}" names no environment: give its id or <entity ref>@<stage>/<name>, e.g. component:default/orders@ci/ci_ab12cd3`,
      ExitCode.usage,
    );
  }
  return { entityRef, stage, name };
}

/** Finds the live environment a reference names. */
export async function resolveEnvironment(
  ctx: CommandContext,
  value: string,
): Promise<Environment> {
  const ref = parseEnvironmentRef(value);
  if ('id' in ref) return ctx.client.getEnvironment(ref.id, ctx.auth);
  const { items } = await ctx.client.listEnvironments(ref, ctx.auth);
  // A name is reused after teardown: the deleted ones are history.
  const live = items.find(
    env => env.name === ref.name && env.status !== 'deleted',
  );
  if (!live) {
    throw new CliError(
      `No environment ${ref.name} of ${ref.entityRef} in stage ${ref.stage}`,
      ExitCode.notFound,
    );
  }
  return live;
}

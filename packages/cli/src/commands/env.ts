import { Command } from 'commander';
import { Environment, SampleOptions } from '@dag-cicd/plugin-dag-cicd-common';
import { CommandContext } from '../context';
import { resolveEnvironment } from '../environmentRef';
import { CliError, ExitCode } from '../exitCodes';
import { environmentLine, environmentLines, print } from '../output';
import { collectFaultRate, parseCount, parseFraction } from '../profileOptions';
import { parseTimeout, waitFor } from '../wait';
import { Action } from './action';

const ENVIRONMENT_STATUSES = [
  'provisioning',
  'ready',
  'failed',
  'tearing-down',
  'deleted',
] as const;

export function registerEnvCommands(program: Command, action: Action) {
  const env = program
    .command('env')
    .description('Per-commit environments of a DAG');

  env
    .command('create')
    .description(
      'Create an environment of a DAG at a commit, or return the one an identical earlier request created',
    )
    .requiredOption(
      '--entity <ref>',
      'the DAG entity, e.g. component:default/orders',
    )
    .requiredOption('--commit <sha>', 'the full 40-hex git SHA')
    .option('--stage <stage>', 'the stage (default: the first, usually ci)')
    .option(
      '--name <name>',
      'the name (default: ci_<sha7> in ci, the stage name elsewhere)',
    )
    .option(
      '--profile <profile>',
      'input profile: empty, production-readonly, sample, chaos, fixtures:<set>, from:<env>',
    )
    .option('--ttl <duration>', 'ISO 8601 time to live, e.g. PT6H or P3D')
    .option('--seed <n>', 'seed of sampling and fault injection', parseSeed)
    .option(
      '--sample-max-objects <n>',
      'sample, chaos: at most this many objects per input',
      parseCount('--sample-max-objects'),
    )
    .option(
      '--sample-max-bytes <n>',
      'sample, chaos: at most this many bytes per input',
      parseCount('--sample-max-bytes'),
    )
    .option(
      '--sample-rows <fraction>',
      'sample, chaos: the fraction of rows kept per CSV or JSON Lines object, e.g. 0.1',
      parseFraction('--sample-rows'),
    )
    .option(
      '--chaos <fault>=<rate>',
      'chaos: a fault rate from 0 to 1, e.g. nulls=0.02; repeat for each fault',
      collectFaultRate,
    )
    .option('--wait', 'wait until the environment is ready; exit 5 if it fails')
    .option(
      '--timeout <duration>',
      'how long --wait waits: 90s, 15m, 1h',
      '15m',
    )
    .action(
      action(async (ctx, options) => {
        const timeoutMs = parseTimeout(options.timeout);
        let environment = await ctx.client.createEnvironment(
          {
            entityRef: options.entity,
            commit: options.commit,
            ...(options.stage && { stage: options.stage }),
            ...(options.name && { name: options.name }),
            ...(options.profile && { profile: options.profile }),
            ...(options.ttl && { ttl: options.ttl }),
            ...(options.seed !== undefined && { seed: options.seed }),
            ...sampleOf(options),
            ...(options.chaos && { chaos: options.chaos }),
          },
          ctx.auth,
        );
        if (options.wait) {
          environment = await waitUntil(
            ctx,
            environment,
            ['ready', 'failed'],
            timeoutMs,
          );
        }
        print(ctx, environment, environmentLines(environment));
        if (environment.status === 'failed') {
          throw new CliError(
            `Environment ${environment.name} failed: ${
              environment.error ?? 'no reason given'
            }`,
            ExitCode.failed,
          );
        }
      }),
    );

  env
    .command('list')
    .description('List environments, newest first')
    .option('--entity <ref>', 'only of this DAG entity')
    .option('--stage <stage>', 'only in this stage')
    .option(
      '--status <status>',
      `only in this status: ${ENVIRONMENT_STATUSES.join(', ')}`,
    )
    .option('--limit <n>', 'at most this many', parseCount('--limit'), 100)
    .action(
      action(async (ctx, options) => {
        if (options.status && !ENVIRONMENT_STATUSES.includes(options.status)) {
          throw new CliError(
            `--status "${
              options.status
            }" is not one of ${ENVIRONMENT_STATUSES.join(', ')}`,
            ExitCode.usage,
          );
        }
        const page = await ctx.client.listEnvironments(
          {
            ...(options.entity && { entityRef: options.entity }),
            ...(options.stage && { stage: options.stage }),
            ...(options.status && { status: options.status }),
            limit: options.limit,
            orderBy: 'createdAt',
            order: 'desc',
          },
          ctx.auth,
        );
        print(ctx, page, page.items.map(environmentLine));
      }),
    );

  env
    .command('get <env>')
    .description('Show an environment, by id or as <entity ref>@<stage>/<name>')
    .action(
      action(async (ctx, _options, ref: string) => {
        const environment = await resolveEnvironment(ctx, ref);
        print(ctx, environment, environmentLines(environment));
      }),
    );

  env
    .command('delete <env>')
    .description('Tear an environment down: its data namespace is deleted')
    .option('--wait', 'wait until it is deleted')
    .option('--timeout <duration>', 'how long --wait waits', '15m')
    .action(
      action(async (ctx, options, ref: string) => {
        const timeoutMs = parseTimeout(options.timeout);
        const found = await resolveEnvironment(ctx, ref);
        let environment = await ctx.client.teardownEnvironment(
          found.id,
          ctx.auth,
        );
        if (options.wait) {
          environment = await waitUntil(
            ctx,
            environment,
            ['deleted', 'failed'],
            timeoutMs,
          );
        }
        print(ctx, environment, environmentLines(environment));
        if (environment.status === 'failed') {
          throw new CliError(
            `Teardown of ${environment.name} failed: ${
              environment.error ?? 'no reason given'
            }`,
            ExitCode.failed,
          );
        }
      }),
    );
}

async function waitUntil(
  ctx: CommandContext,
  environment: Environment,
  statuses: Environment['status'][],
  timeoutMs: number,
): Promise<Environment> {
  if (statuses.includes(environment.status)) return environment;
  return waitFor({
    what: `environment ${environment.name}`,
    timeoutMs,
    io: ctx.io,
    check: async () => {
      const current = await ctx.client.getEnvironment(environment.id, ctx.auth);
      return {
        done: statuses.includes(current.status) ? current : undefined,
        progress: current.status,
      };
    },
  });
}

/** The `sample` of a create request, only when a `--sample-*` flag is given. */
function sampleOf(options: {
  sampleMaxObjects?: number;
  sampleMaxBytes?: number;
  sampleRows?: number;
}): { sample?: SampleOptions } {
  const sample: SampleOptions = {
    ...(options.sampleMaxObjects !== undefined && {
      maxObjects: options.sampleMaxObjects,
    }),
    ...(options.sampleMaxBytes !== undefined && {
      maxBytes: options.sampleMaxBytes,
    }),
    ...(options.sampleRows !== undefined && {
      rowFraction: options.sampleRows,
    }),
  };
  return Object.keys(sample).length > 0 ? { sample } : {};
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new CliError(
      `--seed "${value}" is not a whole number`,
      ExitCode.usage,
    );
  }
  return Number(value);
}

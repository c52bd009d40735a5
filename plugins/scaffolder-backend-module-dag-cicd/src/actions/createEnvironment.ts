import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  DagCicdClient,
  Environment,
  FAULT_NAMES,
} from '@dag-cicd/plugin-dag-cicd-common';

/** How long `wait: true` waits for provisioning before failing the step. */
const WAIT_TIMEOUT_MS = 15 * 60_000;

/**
 * The scaffolder action `dag-cicd:environment:create`: creates a DAG CI/CD
 * environment as the user who runs the template, so that the plugin's
 * permission policy decides exactly as it would in the portal's CI/CD tab.
 *
 * @public
 */
export function createDagCicdEnvironmentAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  /** Between two status reads while waiting; for tests. */
  pollIntervalMs?: number;
}) {
  const { discovery, auth, pollIntervalMs = 2_000 } = options;
  const client = new DagCicdClient({ discoveryApi: discovery });

  return createTemplateAction({
    id: 'dag-cicd:environment:create',
    description:
      'Creates a DAG CI/CD environment: one Airflow DAG at one commit in one stage, with its own data namespace',
    examples: [
      {
        description: 'A sample environment of a DAG at a commit, ready to run',
        example: [
          'steps:',
          '  - id: environment',
          '    action: dag-cicd:environment:create',
          '    input:',
          '      entityRef: component:default/orders-daily',
          '      commit: ${{ parameters.commit }}',
          '      profile: sample',
          '      wait: true',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe('The DAG entity, e.g. component:default/orders-daily'),
        commit: z => z.string().describe('The full 40-hex git SHA'),
        stage: z =>
          z
            .string()
            .optional()
            .describe('A configured stage; the first (usually ci) when absent'),
        name: z =>
          z
            .string()
            .optional()
            .describe('Defaults to ci_<sha7> in ci, the stage name elsewhere'),
        profile: z =>
          z
            .string()
            .optional()
            .describe(
              'Input profile: empty, production-readonly, sample, chaos, fixtures:<set> or from:<environment>',
            ),
        ttl: z =>
          z
            .string()
            .optional()
            .describe('ISO 8601 time to live such as PT6H or P3D'),
        sample: z =>
          z
            .object({
              maxObjects: z.number().int().optional(),
              maxBytes: z.number().int().optional(),
              rowFraction: z.number().optional(),
            })
            .optional()
            .describe(
              'sample and chaos profiles: tighter bounds per input than the configured ones (maxObjects, maxBytes, rowFraction)',
            ),
        // A record, not the known names: the server refuses an unknown fault
        // with a message listing the valid ones, where zod would drop it.
        chaos: z =>
          z
            .record(z.number())
            .optional()
            .describe(
              `chaos profile: fault rates from 0 to 1 by fault (${FAULT_NAMES.join(
                ', ',
              )})`,
            ),
        wait: z =>
          z
            .boolean()
            .optional()
            .describe('Wait until the environment is ready; fail if it fails'),
      },
      output: {
        id: z => z.string().describe('The environment id'),
        name: z => z.string().describe('The environment name'),
        namespace: z =>
          z.string().describe("The environment's data namespace URI"),
        status: z => z.string().describe('The environment status'),
      },
    },
    async handler(ctx) {
      const {
        entityRef,
        commit,
        stage,
        name,
        profile,
        ttl,
        sample,
        chaos,
        wait,
      } = ctx.input;
      // On behalf of the user who runs the template, not of the scaffolder.
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await ctx.getInitiatorCredentials(),
        targetPluginId: 'dag-cicd',
      });
      let environment = await withServerMessage(() =>
        client.createEnvironment(
          {
            entityRef,
            commit,
            ...(stage && { stage }),
            ...(name && { name }),
            ...(profile && { profile }),
            ...(ttl && { ttl }),
            ...(sample && { sample }),
            ...(chaos && { chaos }),
          },
          { token },
        ),
      );
      ctx.logger.info(
        `Environment ${environment.name} of ${environment.entityRef} in ${environment.stage}: ${environment.status}`,
      );
      if (wait) {
        environment = await waitUntilProvisioned(
          () =>
            withServerMessage(() =>
              client.getEnvironment(environment.id, { token }),
            ),
          environment,
          pollIntervalMs,
          ctx.signal,
        );
        if (environment.status === 'failed') {
          throw new Error(
            `Environment ${environment.name} failed: ${
              environment.error ?? 'no reason given'
            }`,
          );
        }
      }
      ctx.output('id', environment.id);
      ctx.output('name', environment.name);
      ctx.output('namespace', environment.dataNamespace);
      ctx.output('status', environment.status);
    },
  });
}

async function waitUntilProvisioned(
  read: () => Promise<Environment>,
  created: Environment,
  pollIntervalMs: number,
  signal?: AbortSignal,
): Promise<Environment> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  let environment = created;
  while (environment.status === 'provisioning') {
    if (signal?.aborted) throw new Error('Cancelled while waiting');
    if (Date.now() > deadline) {
      throw new Error(
        `Environment ${environment.name} still provisioning after ${
          WAIT_TIMEOUT_MS / 60_000
        } minutes`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
    environment = await read();
  }
  return environment;
}

/**
 * The step's log shows an error's message: make it the server's, which
 * names the entity, the stage or the field to fix, rather than the status.
 */
async function withServerMessage<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ResponseError) {
      throw new Error(error.body.error.message, { cause: error });
    }
    throw error;
  }
}

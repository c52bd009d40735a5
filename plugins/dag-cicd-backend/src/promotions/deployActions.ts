import { InputError } from '@backstage/errors';
import { JsonObject, JsonValue } from '@backstage/types';
import { DAG_CICD_CONF_KEY } from '@dag-cicd/plugin-dag-cicd-common';
import {
  AirflowClient,
  DeployAction,
  DeployContext,
  DeployOutcome,
} from '@dag-cicd/plugin-dag-cicd-node';

/** The Airflow instances deploy actions reach, by name. */
export interface DeployAirflowClients {
  get(name: string): AirflowClient;
}

type OptionSpec = Record<
  string,
  { type: 'string' | 'number' | 'object'; required?: boolean }
>;

// Checks options against a small spec: known keys, types, required ones.
function checkOptions(
  action: string,
  options: JsonObject,
  spec: OptionSpec,
): JsonObject {
  for (const [key, value] of Object.entries(options)) {
    const field = spec[key];
    if (!field) {
      throw new InputError(
        `unknown option ${JSON.stringify(key)} of ${action}; its options are ${
          Object.keys(spec).join(', ') || 'none'
        }`,
      );
    }
    // typeof says "object" of null and of arrays too.
    const isObject =
      typeof value === 'object' && value !== null && !Array.isArray(value);
    if (field.type === 'object' ? !isObject : typeof value !== field.type) {
      throw new InputError(
        `option ${key} of ${action} must be a ${field.type}`,
      );
    }
  }
  for (const [key, field] of Object.entries(spec)) {
    if (field.required && options[key] === undefined) {
      throw new InputError(`${action} needs the option ${key}`);
    }
  }
  return options;
}

/** `{commit}`, `{sha7}`, `{entity}`, `{stage}` in a string option. */
export function renderDeployTemplate(
  template: string,
  context: DeployContext,
): string {
  const { promotion } = context;
  const values: Record<string, string> = {
    commit: promotion.commit,
    sha7: promotion.commit.slice(0, 7),
    entity: promotion.entityRef,
    stage: promotion.toStage,
    promotion: promotion.id,
  };
  return template.replace(/\{([a-zA-Z0-9]+)\}/g, (whole, name) =>
    name in values ? values[name] : whole,
  );
}

// The instance an action talks to: its option, else the DAG's own.
function instanceOf(options: JsonObject, context: DeployContext): string {
  const instance = (options.instance as string | undefined) ?? context.instance;
  if (!instance) {
    throw new InputError(
      `no Airflow instance: set the action's "instance" option or the entity's airflow.apache.org/instance annotation`,
    );
  }
  return instance;
}

// What every deploy tells the outside world about the promotion.
function describePromotion(context: DeployContext): JsonObject {
  const { promotion } = context;
  return {
    id: promotion.id,
    entity: promotion.entityRef,
    commit: promotion.commit,
    fromStage: promotion.fromStage,
    toStage: promotion.toStage,
    requestedBy: promotion.requestedBy,
    ...(context.dagId && { dagId: context.dagId }),
  };
}

/** Nothing to run: the stage pointer is the deployment (e.g. GitDagBundle tracks it). */
export const noneDeployAction: DeployAction = {
  type: 'none',
  validateOptions: options => checkOptions('none', options, {}),
  async run(): Promise<DeployOutcome> {
    return { status: 'succeeded', detail: 'No deploy action configured' };
  },
};

/**
 * Triggers a deployment DAG with the commit in its conf:
 * `{ "dag_cicd": { "promotion": {...}, "commit": "<sha>" }, ...options.conf }`.
 * Options: `dagId` (required), `instance` (default: the DAG's), `conf`.
 * The run is started, not awaited: the deploy succeeded when Airflow
 * accepted it.
 */
export function triggerDagDeployAction(
  airflow: DeployAirflowClients,
): DeployAction {
  return {
    type: 'trigger-dag',
    validateOptions: options =>
      checkOptions('trigger-dag', options, {
        dagId: { type: 'string', required: true },
        instance: { type: 'string' },
        conf: { type: 'object' },
      }),
    async run(options, context) {
      const instance = instanceOf(options, context);
      const dagId = options.dagId as string;
      const stamp = new Date().toISOString().replace(/[-:.]/g, '');
      const dagRunId = `dag_cicd_promotion__${context.promotion.id}__${stamp}`;
      const run = await airflow.get(instance).triggerDagRun(dagId, {
        dagRunId,
        conf: {
          ...((options.conf as JsonObject | undefined) ?? {}),
          [DAG_CICD_CONF_KEY]: {
            commit: context.promotion.commit,
            promotion: describePromotion(context),
          },
        },
        note: `Promotion ${context.promotion.id} of ${context.promotion.entityRef} to ${context.promotion.toStage}`,
      });
      return {
        status: 'succeeded',
        detail: `Triggered ${dagId} on ${instance} (run ${run.runId})`,
        output: { instance, dagId, dagRunId: run.runId },
      };
    },
  };
}

/**
 * Sets an Airflow Variable, e.g. the commit production's DAG bundle or
 * artifacts should use. Options: `key` (required), `value` (default
 * `{commit}`; `{commit}`, `{sha7}`, `{entity}`, `{stage}` are replaced),
 * `instance` (default: the DAG's).
 */
export function setVariableDeployAction(
  airflow: DeployAirflowClients,
): DeployAction {
  return {
    type: 'set-variable',
    validateOptions: options =>
      checkOptions('set-variable', options, {
        key: { type: 'string', required: true },
        value: { type: 'string' },
        instance: { type: 'string' },
      }),
    async run(options, context) {
      const instance = instanceOf(options, context);
      const key = renderDeployTemplate(options.key as string, context);
      const value = renderDeployTemplate(
        (options.value as string | undefined) ?? '{commit}',
        context,
      );
      await airflow.get(instance).setVariable(key, value);
      return {
        status: 'succeeded',
        detail: `Set the Airflow Variable ${key} on ${instance} to ${value}`,
        output: { instance, key, value },
      };
    },
  };
}

/**
 * POSTs the promotion as JSON to a URL; any answer but 2xx, or no answer
 * within `timeoutMs` (default 10000), is a failed deploy. Options: `url`
 * (required, http or https), `timeoutMs`, `headers`.
 */
export function webhookDeployAction(
  fetchImpl: typeof fetch = fetch,
): DeployAction {
  return {
    type: 'webhook',
    validateOptions(options) {
      checkOptions('webhook', options, {
        url: { type: 'string', required: true },
        timeoutMs: { type: 'number' },
        headers: { type: 'object' },
      });
      let url: URL;
      try {
        url = new URL(options.url as string);
      } catch {
        throw new InputError(`url ${JSON.stringify(options.url)} is not a URL`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new InputError(`url must be http or https, not ${url.protocol}`);
      }
      const timeoutMs = (options.timeoutMs as number | undefined) ?? 10_000;
      if (
        !Number.isInteger(timeoutMs) ||
        timeoutMs < 1 ||
        timeoutMs > 300_000
      ) {
        throw new InputError('timeoutMs must be an integer from 1 to 300000');
      }
      for (const [name, value] of Object.entries(
        (options.headers as JsonObject | undefined) ?? {},
      )) {
        if (typeof value !== 'string') {
          throw new InputError(`headers.${name} must be a string`);
        }
      }
      return { ...options, timeoutMs };
    },
    async run(options, context) {
      const url = options.url as string;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: {
            ...((options.headers as Record<string, string> | undefined) ?? {}),
            'content-type': 'application/json',
          },
          body: JSON.stringify({ promotion: describePromotion(context) }),
          signal: AbortSignal.timeout(options.timeoutMs as number),
        });
      } catch (error) {
        const e = error as Error;
        return {
          status: 'failed',
          detail:
            e.name === 'TimeoutError'
              ? `The webhook ${url} did not answer within ${options.timeoutMs} ms`
              : `The webhook ${url} could not be reached: ${e.message}`,
        };
      }
      const text = await response.text().catch(() => '');
      let body: JsonValue | undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text.slice(0, 2000);
      }
      const output: JsonObject = {
        status: response.status,
        ...(body !== undefined && { body }),
      };
      return response.ok
        ? {
            status: 'succeeded',
            detail: `The webhook ${url} answered ${response.status}`,
            output,
          }
        : {
            status: 'failed',
            detail:
              `The webhook ${url} answered ${response.status} ${response.statusText}`.trim(),
            output,
          };
    },
  };
}

/** The backend's deploy actions. */
export function builtInDeployActions(options: {
  airflow: DeployAirflowClients;
  fetch?: typeof fetch;
}): DeployAction[] {
  return [
    noneDeployAction,
    triggerDagDeployAction(options.airflow),
    setVariableDeployAction(options.airflow),
    webhookDeployAction(options.fetch),
  ];
}

import { Config } from '@backstage/config';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { JsonObject, JsonValue } from '@backstage/types';
import { parse as parseYaml } from 'yaml';
import { PROMOTION_POLICY_ANNOTATION } from '@dag-cicd/plugin-dag-cicd-common';
import { DeployAction, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { Stages } from '../service/stages';
import { PromotionPolicy } from './PromotionStore';
import { TypeRegistry } from './registry';

/** A policy for one target stage, before it is known where it came from. */
export type StagePolicy = Omit<PromotionPolicy, 'source' | 'name'>;

/**
 * What applies when neither the configuration, an annotation nor a file
 * names a policy for a stage: a green run of the commit in its source stage,
 * and into production also an approval. A promotion is never gate-less by
 * omission.
 */
function builtInPolicy(production: boolean): JsonObject {
  return {
    gates: [
      { gate: 'runs-succeeded' },
      ...(production ? [{ gate: 'approvals' }] : []),
    ],
    deploy: { action: 'none' },
  };
}

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const POLICY_FIELDS = new Set(['gates', 'deploy', 'allowSkip']);
const GATE_FIELDS = new Set(['gate', 'name', 'options']);

/**
 * Parses and validates one stage's policy: every gate and the deploy action
 * must be a registered type, and their options pass the type's
 * `validateOptions` (which applies defaults). Errors name the key, e.g.
 * `dagCicd.promotions.policies.production.gates[1].options: ...`.
 *
 * @throws InputError
 */
export function parseStagePolicy(
  value: JsonValue | undefined,
  key: string,
  registries: {
    gates: TypeRegistry<PromotionGate>;
    actions: TypeRegistry<DeployAction>;
  },
): StagePolicy {
  if (!isObject(value)) {
    throw new InputError(
      `${key} must be an object with gates, deploy and allowSkip`,
    );
  }
  for (const field of Object.keys(value)) {
    if (!POLICY_FIELDS.has(field)) {
      throw new InputError(
        `${key}: unknown field ${JSON.stringify(
          field,
        )}; the fields are gates, deploy and allowSkip`,
      );
    }
  }
  const gateList = value.gates ?? [];
  if (!Array.isArray(gateList)) {
    throw new InputError(
      `${key}.gates must be a list of { gate, name, options }`,
    );
  }
  const names = new Set<string>();
  const gates = gateList.map((entry, index) => {
    const at = `${key}.gates[${index}]`;
    if (!isObject(entry) || typeof entry.gate !== 'string') {
      throw new InputError(
        `${at} must be an object with a gate type in "gate"`,
      );
    }
    for (const field of Object.keys(entry)) {
      if (!GATE_FIELDS.has(field)) {
        throw new InputError(
          `${at}: unknown field ${JSON.stringify(
            field,
          )}; the fields are gate, name and options`,
        );
      }
    }
    const gate = registries.gates.find(entry.gate);
    if (!gate) {
      throw new InputError(
        `${at}.gate: unknown gate type ${JSON.stringify(
          entry.gate,
        )}; the gate types are ${registries.gates.types.join(', ')}`,
      );
    }
    const name = entry.name === undefined ? entry.gate : entry.name;
    if (typeof name !== 'string' || name.length === 0) {
      throw new InputError(`${at}.name must be a non-empty string`);
    }
    if (names.has(name)) {
      throw new InputError(
        `${at}.name: two gates are named ${JSON.stringify(
          name,
        )}; name them apart`,
      );
    }
    names.add(name);
    return {
      type: gate.type,
      name,
      options: validated(`${at}.options`, entry.options, o =>
        gate.validateOptions(o),
      ),
    };
  });

  const deploy = value.deploy ?? { action: 'none' };
  if (!isObject(deploy) || typeof deploy.action !== 'string') {
    throw new InputError(`${key}.deploy must be an object with an "action"`);
  }
  const action = registries.actions.find(deploy.action);
  if (!action) {
    throw new InputError(
      `${key}.deploy.action: unknown deploy action ${JSON.stringify(
        deploy.action,
      )}; the actions are ${registries.actions.types.join(', ')}`,
    );
  }
  const allowSkip = value.allowSkip ?? false;
  if (typeof allowSkip !== 'boolean') {
    throw new InputError(`${key}.allowSkip must be true or false`);
  }
  return {
    gates,
    deploy: {
      action: action.type,
      options: validated(`${key}.deploy.options`, deploy.options, o =>
        action.validateOptions(o),
      ),
    },
    allowSkip,
  };
}

function validated(
  key: string,
  options: JsonValue | undefined,
  validate: (options: JsonObject) => JsonObject,
): JsonObject {
  if (options !== undefined && !isObject(options)) {
    throw new InputError(`${key} must be an object`);
  }
  try {
    return validate(options ?? {});
  } catch (error) {
    throw new InputError(`${key}: ${(error as Error).message}`);
  }
}

/**
 * A DAG's policy file: where it is (for messages and the promotion's record)
 * and how to read it. See `repositoryPolicyFile`.
 */
export interface PolicyFile {
  location: string;
  /** The file's text; throws a `NotFoundError` when there is no file. */
  read(): Promise<string>;
}

/**
 * Resolves the gate policy of a promotion, most specific first:
 *
 * 1. the policy file in the DAG's repository (`dagCicd.promotions.policyFile`,
 *    read through the catalog's source location of the entity), a YAML or
 *    JSON object `{ <stage>: <policy> }` read when the promotion is requested;
 * 2. the named policy of the entity's `dag-cicd.io/promotion-policy`
 *    annotation (`dagCicd.promotions.namedPolicies.<name>.<stage>`);
 * 3. `dagCicd.promotions.policies.<stage>`;
 * 4. the built-in default (a green run; into production also an approval).
 *
 * A level that has no policy for the target stage falls through to the next.
 * Configured policies are validated at start-up; a file, when it is read. A
 * file that exists but cannot be read or parsed refuses the request rather
 * than falling through: a promotion never runs under a policy other than
 * the one its DAG declares.
 *
 * A named policy is chosen by the entity's annotation, but its content is
 * the platform's configuration, so a DAG owner can pick among policies the
 * platform team wrote and not loosen one. A policy file is the DAG owners'
 * own: a platform team that wants the last word leaves
 * `dagCicd.promotions.policyFile` unset.
 */
export class PolicyResolver {
  private constructor(
    private readonly stages: Stages,
    private readonly registries: {
      gates: TypeRegistry<PromotionGate>;
      actions: TypeRegistry<DeployAction>;
    },
    private readonly defaults: Map<string, StagePolicy>,
    private readonly named: Map<string, Map<string, StagePolicy>>,
  ) {}

  /** @throws Error naming the key of an invalid policy */
  static fromConfig(
    config: Config,
    stages: Stages,
    registries: {
      gates: TypeRegistry<PromotionGate>;
      actions: TypeRegistry<DeployAction>;
    },
  ): PolicyResolver {
    const parse = (value: JsonValue | undefined, key: string) => {
      try {
        return parseStagePolicy(value, key, registries);
      } catch (error) {
        throw new Error((error as Error).message);
      }
    };
    const stageKeys = (value: JsonValue | undefined, key: string) => {
      if (value === undefined) return [];
      if (!isObject(value))
        throw new Error(`${key} must map stage names to policies`);
      for (const stage of Object.keys(value)) {
        if (!stages.ordered.some(s => s.name === stage)) {
          throw new Error(
            `${key}.${stage}: unknown stage; the configured stages are ${stages.ordered
              .map(s => s.name)
              .join(', ')}`,
          );
        }
      }
      return Object.entries(value);
    };

    const defaults = new Map<string, StagePolicy>();
    const key = 'dagCicd.promotions.policies';
    const configured = new Map(stageKeys(config.getOptional(key), key));
    for (const stage of stages.ordered.slice(1)) {
      defaults.set(
        stage.name,
        configured.has(stage.name)
          ? parse(configured.get(stage.name), `${key}.${stage.name}`)
          : parse(
              builtInPolicy(stage.production),
              `the built-in policy of stage ${stage.name}`,
            ),
      );
    }

    const named = new Map<string, Map<string, StagePolicy>>();
    const namedKey = 'dagCicd.promotions.namedPolicies';
    const namedConfig = config.getOptional(namedKey);
    if (namedConfig !== undefined && !isObject(namedConfig)) {
      throw new Error(
        `${namedKey} must map policy names to policies per stage`,
      );
    }
    for (const [name, perStage] of Object.entries(namedConfig ?? {})) {
      named.set(
        name,
        new Map(
          stageKeys(perStage, `${namedKey}.${name}`).map(([stage, value]) => [
            stage,
            parse(value, `${namedKey}.${name}.${stage}`),
          ]),
        ),
      );
    }
    return new PolicyResolver(stages, registries, defaults, named);
  }

  /**
   * The policy of a promotion of a DAG into a stage.
   *
   * @throws InputError when the annotation names an unknown policy or the
   * policy file is invalid
   */
  async resolve(options: {
    entityRef: string;
    annotations?: Record<string, string>;
    toStage: string;
    file?: PolicyFile;
  }): Promise<PromotionPolicy> {
    const { toStage, file } = options;
    if (file) {
      const fromFile = await this.#fromFile(file, toStage);
      if (fromFile) return { source: 'file', name: file.location, ...fromFile };
    }
    const name = options.annotations?.[PROMOTION_POLICY_ANNOTATION];
    if (name !== undefined) {
      const perStage = this.named.get(name);
      if (!perStage) {
        throw new InputError(
          `${options.entityRef} names the promotion policy ${JSON.stringify(
            name,
          )} (annotation ${PROMOTION_POLICY_ANNOTATION}), which dagCicd.promotions.namedPolicies does not define; the policies are ${
            [...this.named.keys()].join(', ') || 'none'
          }`,
        );
      }
      const policy = perStage.get(toStage);
      if (policy) return { source: 'annotation', name, ...policy };
    }
    const policy = this.defaults.get(toStage);
    if (!policy) {
      throw new InputError(
        `Stage ${toStage} is the first stage; nothing is promoted into it`,
      );
    }
    return { source: 'config', ...policy };
  }

  async #fromFile(
    file: PolicyFile,
    toStage: string,
  ): Promise<StagePolicy | undefined> {
    const { location } = file;
    let text: string;
    try {
      text = await file.read();
    } catch (error) {
      // The DAG's repository has no policy file: the configuration applies.
      if ((error as Error).name === 'NotFoundError') return undefined;
      throw new ServiceUnavailableError(
        `The promotion policy file ${location} could not be read (${
          (error as Error).message
        }); promotions of this DAG wait until it can be, rather than run under another policy`,
      );
    }
    let parsed: JsonValue;
    try {
      parsed = parseYaml(text) as JsonValue;
    } catch (error) {
      throw new InputError(
        `The promotion policy file ${location} is not valid YAML or JSON: ${
          (error as Error).message
        }`,
      );
    }
    if (!isObject(parsed)) {
      throw new InputError(
        `The promotion policy file ${location} must map stage names to policies`,
      );
    }
    const unknown = Object.keys(parsed).filter(
      s => !this.stages.ordered.some(stage => stage.name === s),
    );
    if (unknown.length > 0) {
      throw new InputError(
        `The promotion policy file ${location} names unknown stages ${unknown.join(
          ', ',
        )}`,
      );
    }
    if (parsed[toStage] === undefined) return undefined;
    return parseStagePolicy(
      parsed[toStage],
      `${location} ${toStage}`,
      this.registries,
    );
  }
}

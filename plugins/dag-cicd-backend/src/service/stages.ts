import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { assertConnId } from './connections';

export interface Stage {
  name: string;
  production: boolean;
  /**
   * Whether service principals (a CI pipeline's token) may create and tear
   * down environments here. Services are not users: the permission framework
   * allows them everything their token's access restrictions allow, so the
   * stage rule is the plugin's to enforce.
   */
  allowServices: boolean;
  /** `conn_id` overrides for every DAG in this stage: the cluster selector. */
  connections: Record<string, string>;
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

const DEFAULT_STAGES: Stage[] = [
  { name: 'ci', production: false, allowServices: true, connections: {} },
  { name: 'staging', production: false, allowServices: false, connections: {} },
  {
    name: 'production',
    production: true,
    allowServices: false,
    connections: {},
  },
];

/**
 * The ordered stages of `dagCicd.stages`. Invalid configuration stops the
 * backend at start-up with a message naming the key, rather than surfacing as
 * odd behaviour later.
 */
export class Stages {
  private constructor(readonly ordered: readonly Stage[]) {}

  static fromConfig(config: Config): Stages {
    const configs = config.getOptionalConfigArray('dagCicd.stages');
    if (!configs) return new Stages(DEFAULT_STAGES);
    if (configs.length === 0) {
      throw new Error('dagCicd.stages must name at least one stage');
    }
    const stages = configs.map((c, index) => {
      const name = c.getString('name');
      if (!STAGE_NAME.test(name)) {
        throw new Error(
          `dagCicd.stages[${index}].name "${name}" must be lower-case letters, digits and dashes, starting with a letter, at most 32 characters`,
        );
      }
      return {
        name,
        production: c.getOptionalBoolean('production'),
        // By default only the first lane, where CI pipelines test commits.
        allowServices: c.getOptionalBoolean('allowServices') ?? index === 0,
        connections: readConnections(c, `dagCicd.stages[${index}]`),
      };
    });
    const names = new Set(stages.map(s => s.name));
    if (names.size !== stages.length) {
      throw new Error('dagCicd.stages has duplicate names');
    }
    const flagged = stages.filter(s => s.production);
    if (flagged.length > 1) {
      throw new Error(
        `dagCicd.stages marks more than one production stage: ${flagged
          .map(s => s.name)
          .join(', ')}`,
      );
    }
    // Without an explicit flag the last stage of the lane is production.
    const production = flagged[0]?.name ?? stages[stages.length - 1].name;
    return new Stages(
      stages.map(s => ({ ...s, production: s.name === production })),
    );
  }

  /** The first stage: where environments are created when none is named. */
  get first(): Stage {
    return this.ordered[0];
  }

  get production(): Stage {
    return this.ordered.find(s => s.production)!;
  }

  /** The stage of that name, or an InputError that lists the valid names. */
  get(name: string): Stage {
    const stage = this.ordered.find(s => s.name === name);
    if (!stage) {
      throw new InputError(
        `Unknown stage "${name}"; the configured stages are ${this.ordered
          .map(s => s.name)
          .join(', ')}`,
      );
    }
    return stage;
  }
}

function readConnections(config: Config, key: string): Record<string, string> {
  const map = config.getOptionalConfig('connections');
  const result: Record<string, string> = {};
  for (const from of map?.keys() ?? []) {
    result[assertConnId(`${key}.connections key`, from)] = assertConnId(
      `${key}.connections.${from}`,
      map!.getString(from),
    );
  }
  return result;
}

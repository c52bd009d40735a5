import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  environmentNamespace,
  isWithin,
  resolveWithin,
} from '../namespaces/DataNamespace';
import { assertConnId } from './connections';

/** What the platform configured for one DAG (`dagCicd.dags[]`). */
export interface DagSettings {
  /** Where production reads and writes; never written by another stage. */
  productionPrefix: string;
  /** Input name → production URI prefix the input is read from. */
  inputs: Record<string, string>;
  /** Artifact name → template, e.g. `s3://artifacts/etl/{commit}/etl.jar`. */
  artifacts: Record<string, string>;
  /** Prefix under which the DAG's fixture sets live: `<fixtures><set>/<input>/…`. */
  fixturesRoot?: string;
  /** Stage → `conn_id` overrides for this DAG. */
  connections: Record<string, Record<string, string>>;
}

const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Per-DAG settings, from `dagCicd.dags[]`, keyed by entity ref. They live in
 * the platform's configuration rather than in the DAG's catalog-info.yaml
 * because they say which production data an environment may read and which
 * prefix is production: a DAG owner editing their own YAML must not be able
 * to point that at another team's data.
 *
 * Locations may be full URIs or paths relative to the store root
 * (`dagCicd.dataStore.root`). A DAG without settings still gets environments:
 * its production prefix is `<root><namespace>/<dag id>/production/`, and it
 * has no declared inputs or artifacts.
 */
export class DagSettingsRegistry {
  private constructor(
    private readonly root: string,
    private readonly byEntity: Map<string, DagSettings>,
  ) {}

  static fromConfig(config: Config, root: string): DagSettingsRegistry {
    const byEntity = new Map<string, DagSettings>();
    config.getOptionalConfigArray('dagCicd.dags')?.forEach((dag, index) => {
      const key = `dagCicd.dags[${index}]`;
      const entityRef = dag.getString('entityRef').toLocaleLowerCase('en-US');
      if (byEntity.has(entityRef)) {
        throw new Error(`${key}: ${entityRef} is configured twice`);
      }
      const location = (field: string, value: string) =>
        resolveLocation(root, `${key}.${field}`, value);
      const map = (name: string) => {
        const c = dag.getOptionalConfig(name);
        return Object.fromEntries(
          (c?.keys() ?? []).map(k => [k, c!.getString(k)]),
        );
      };
      const inputs = map('inputs');
      for (const [name, value] of Object.entries(inputs)) {
        if (!INPUT_NAME.test(name)) {
          throw new Error(
            `${key}.inputs: "${name}" must be letters, digits, "_", "." and "-", starting with a letter or "_"`,
          );
        }
        inputs[name] = location(`inputs.${name}`, value);
      }
      const connections: DagSettings['connections'] = {};
      const byStage = dag.getOptionalConfig('connections');
      for (const stage of byStage?.keys() ?? []) {
        const c = byStage!.getConfig(stage);
        connections[stage] = Object.fromEntries(
          c
            .keys()
            .map(from => [
              assertConnId(`${key}.connections.${stage} key`, from),
              assertConnId(
                `${key}.connections.${stage}.${from}`,
                c.getString(from),
              ),
            ]),
        );
      }
      const fixtures = dag.getOptionalString('fixtures');
      byEntity.set(entityRef, {
        productionPrefix: location(
          'productionPrefix',
          dag.getString('productionPrefix'),
        ),
        inputs,
        artifacts: map('artifacts'),
        ...(fixtures && { fixturesRoot: location('fixtures', fixtures) }),
        connections,
      });
    });
    return new DagSettingsRegistry(root, byEntity);
  }

  /** The settings of a DAG, or its defaults when none are configured. */
  forDag(dag: {
    entityRef: string;
    entityNamespace: string;
    dagId: string;
  }): DagSettings {
    return (
      this.byEntity.get(dag.entityRef.toLocaleLowerCase('en-US')) ?? {
        productionPrefix: environmentNamespace({
          root: this.root,
          entityNamespace: dag.entityNamespace,
          dagId: dag.dagId,
          environment: 'production',
        }),
        inputs: {},
        artifacts: {},
        connections: {},
      }
    );
  }
}

// A configured location: a full URI prefix, or a path under the store root.
function resolveLocation(root: string, field: string, value: string): string {
  const prefix = value.endsWith('/') ? value : `${value}/`;
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(prefix)) {
    if (!isWithin(prefix, prefix)) {
      throw new Error(
        `${field} ${JSON.stringify(
          value,
        )} is not a normalised URI prefix (no ".", "..", "//", "%", "\\", "?" or "#")`,
      );
    }
    return prefix;
  }
  try {
    return resolveWithin(root, prefix);
  } catch (error) {
    throw new Error(`${field}: ${(error as InputError).message}`);
  }
}

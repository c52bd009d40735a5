import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** Which DAGs of the instance become entities. */
export interface AirflowDagFilters {
  /** DAGs having any of these Airflow tags; every DAG when unset. */
  tags?: string[];
  /**
   * Airflow's own `dag_id_pattern`: a SQL `LIKE` expression on Airflow 3
   * (`%` and `_` wildcards), a substring on Airflow 2.
   */
  dagIdPattern?: string;
  includePaused: boolean;
  /** DAGs whose file is gone from the DAG folder or bundle. */
  includeStale: boolean;
}

/** One provider: `catalog.providers.airflow.<id>`, validated. */
export interface AirflowProviderConfig {
  /** The key under `catalog.providers.airflow`, e.g. `production`. */
  id: string;
  /** The `dagCicd.airflow.instances[].name` whose DAGs this provider reads. */
  instance: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  filters: AirflowDagFilters;
  /**
   * Airflow owner (see {@link ownerKey}) → a catalog user or group
   * reference.
   */
  owners: Map<string, string>;
  /** The owner of a DAG none of whose Airflow owners is mapped. */
  defaultOwner?: string;
  /** The lifecycle of a DAG with no `lifecycle:<value>` tag. */
  defaultLifecycle: string;
  /**
   * Whether this provider's DAGs are the catalog's: a DAG that an
   * authoritative provider emits is left out by every other provider.
   */
  authoritative: boolean;
}

export const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 15 },
};

export const DEFAULT_LIFECYCLE = 'production';

const ROOT = 'catalog.providers.airflow';
const LIFECYCLE = /^[a-z0-9]+([-_.][a-z0-9]+)*$/;

/** How Airflow owners are compared: trimmed, in lower case. */
export function ownerKey(owner: string): string {
  return owner.trim().toLowerCase();
}

/** `user:…` or `group:…` in full; a bare name is a group in `default`. */
function ownerRef(key: string, value: string): string {
  let ref;
  try {
    ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(
      `${key} "${value}" is not an entity reference: ${
        (error as Error).message
      }; write e.g. group:default/data-engineering`,
    );
  }
  const kind = ref.kind.toLocaleLowerCase('en-US');
  if (kind !== 'user' && kind !== 'group') {
    throw new InputError(
      `${key} "${value}" must be a user or a group, not a ${ref.kind}`,
    );
  }
  return stringifyEntityRef({ ...ref, kind });
}

function lifecycle(key: string, value: string): string {
  if (!LIFECYCLE.test(value)) {
    throw new InputError(
      `${key} "${value}" must be a lower-case word such as production or experimental`,
    );
  }
  return value;
}

function readProvider(id: string, config: Config): AirflowProviderConfig {
  const key = `${ROOT}.${id}`;
  const filters = config.getOptionalConfig('filters');
  const tags = filters?.getOptionalStringArray('tags');
  if (tags && tags.length === 0) {
    throw new InputError(
      `${key}.filters.tags is empty, which would select no DAG; remove it to select every DAG`,
    );
  }
  // A list rather than a map: Airflow owners are often e-mail addresses,
  // which cannot be config keys.
  const owners = new Map<string, string>();
  for (const [index, entry] of (
    config.getOptionalConfigArray('owners') ?? []
  ).entries()) {
    const entryKey = `${key}.owners[${index}]`;
    const airflow = ownerKey(entry.getString('airflow'));
    if (owners.has(airflow)) {
      throw new InputError(
        `${entryKey}.airflow "${entry.getString(
          'airflow',
        )}" is mapped twice; keep one entry per Airflow owner`,
      );
    }
    owners.set(
      airflow,
      ownerRef(`${entryKey}.entity`, entry.getString('entity')),
    );
  }
  const defaultOwner = config.getOptionalString('defaultOwner');
  const schedule = config.getOptionalConfig('schedule');
  return {
    id,
    instance: config.getString('instance'),
    schedule: {
      ...(schedule
        ? readSchedulerServiceTaskScheduleDefinitionFromConfig(schedule)
        : DEFAULT_SCHEDULE),
      // Every replica runs the provider; the refresh must run on one.
      scope: 'global',
    },
    filters: {
      tags,
      dagIdPattern: filters?.getOptionalString('dagIdPattern'),
      includePaused: filters?.getOptionalBoolean('includePaused') ?? true,
      includeStale: filters?.getOptionalBoolean('includeStale') ?? false,
    },
    owners,
    defaultOwner:
      defaultOwner === undefined
        ? undefined
        : ownerRef(`${key}.defaultOwner`, defaultOwner),
    defaultLifecycle: lifecycle(
      `${key}.defaultLifecycle`,
      config.getOptionalString('defaultLifecycle') ?? DEFAULT_LIFECYCLE,
    ),
    authoritative: config.getOptionalBoolean('authoritative') ?? true,
  };
}

/** Reads and validates every `catalog.providers.airflow.<id>`; none is fine. */
export function readAirflowProviderConfigs(
  config: Config,
): AirflowProviderConfig[] {
  const root = config.getOptionalConfig(ROOT);
  return (root?.keys() ?? []).map(id => readProvider(id, root!.getConfig(id)));
}

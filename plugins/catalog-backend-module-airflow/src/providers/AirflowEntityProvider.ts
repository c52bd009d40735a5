import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  AirflowClient,
  AirflowInstances,
} from '@dag-cicd/plugin-dag-cicd-node';
import {
  airflowCatalogKeys,
  AirflowCatalogKeys,
  AirflowMappingReport,
  AirflowDagDraft,
  AirflowDagDrafter,
  toAirflowEntities,
} from './airflowEntities';
import { AirflowProviderConfig, readAirflowProviderConfigs } from './config';
import { readAirflowCatalog } from './readAirflowCatalog';

/** A provider's config with the client of its instance. */
export interface AirflowSource {
  config: AirflowProviderConfig;
  client: AirflowClient;
}

/** What one refresh did. */
export type AirflowRefreshResult =
  | { applied: true; report: AirflowMappingReport }
  | { applied: false; error: Error };

// Problems are logged with the ids they concern, this many per kind and
// refresh: enough to find them, not ten thousand lines.
const LOGGED_IDS = 20;

function sample(ids: string[]): string {
  const shown = ids.slice(0, LOGGED_IDS).join(', ');
  return ids.length > LOGGED_IDS
    ? `${shown} and ${ids.length - LOGGED_IDS} more`
    : shown;
}

/**
 * Keeps the catalog's entities for the DAGs and assets of one Airflow
 * instance: `catalog.providers.airflow.<id>`. Each refresh reads every
 * selected DAG and every asset and applies them as one full mutation, so
 * that DAGs gone from Airflow leave the catalog. A refresh that cannot read
 * all of it (the instance down, slow, a page missing, an answer that is not
 * Airflow's) applies nothing: the catalog keeps the last refresh's entities
 * until a later one succeeds.
 *
 * One DAG is one entity however many instances run it. The entity name
 * comes from the DAG id alone, and a provider that is not authoritative
 * (`authoritative: false`, e.g. a CI instance) leaves out every DAG and
 * asset that an authoritative provider emits. It reads what they would
 * emit, with their filters, on each of its own refreshes: what it keeps
 * between refreshes (its last drafts, to give a DAG listed as it was the
 * same entity) decides nothing, so that it is right on whichever replica
 * the scheduler runs it, at the cost of reading the authoritative
 * instances once more. A DAG only a CI
 * instance has (a new one, not yet in production) is still in the catalog,
 * and moves to the authoritative provider once that instance has it.
 */
export class AirflowEntityProvider implements EntityProvider {
  readonly #source: AirflowSource;
  readonly #authorities: AirflowSource[];
  readonly #logger: LoggerService;
  readonly #taskRunner: SchedulerServiceTaskRunner;
  #connection?: EntityProviderConnection;
  /** The drafts of the last refresh applied, which the next one reuses. */
  #drafts?: ReadonlyMap<string, AirflowDagDraft>;

  /**
   * One provider per `catalog.providers.airflow.<id>`, reading through the
   * clients of `dagCicd.airflow.instances`.
   *
   * @throws InputError for a provider config that is not valid or names an
   *   instance that is not configured
   */
  static fromConfig(
    config: Config,
    options: {
      logger: LoggerService;
      scheduler: SchedulerService;
      instances?: AirflowInstances;
    },
  ): AirflowEntityProvider[] {
    const instances =
      options.instances ??
      AirflowInstances.fromConfig(config, { logger: options.logger });
    const sources = readAirflowProviderConfigs(config).map(provider => ({
      config: provider,
      client: instances.get(provider.instance),
    }));
    return sources.map(
      source =>
        new AirflowEntityProvider({
          source,
          authorities: source.config.authoritative
            ? []
            : sources.filter(s => s.config.authoritative),
          logger: options.logger,
          taskRunner: options.scheduler.createScheduledTaskRunner(
            source.config.schedule,
          ),
        }),
    );
  }

  constructor(options: {
    source: AirflowSource;
    /** The authoritative providers whose DAGs this one leaves out. */
    authorities: AirflowSource[];
    logger: LoggerService;
    taskRunner: SchedulerServiceTaskRunner;
  }) {
    this.#source = options.source;
    this.#authorities = options.authorities;
    this.#taskRunner = options.taskRunner;
    this.#logger = options.logger.child({
      target: this.getProviderName(),
      airflowInstance: options.source.config.instance,
    });
  }

  getProviderName(): string {
    return `airflow-provider:${this.#source.config.id}`;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    await this.#taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /**
   * Reads the instance and replaces this provider's entities with what it
   * found, or, when it cannot read all of it, logs why and leaves them.
   */
  async refresh(): Promise<AirflowRefreshResult> {
    const connection = this.#connection;
    if (!connection) {
      throw new Error(`${this.getProviderName()} is not connected yet`);
    }
    const { config, client } = this.#source;
    const started = Date.now();
    let entities;
    let drafts;
    try {
      // Each DAG is drafted as its page arrives (name, link, owner, tags);
      // name clashes, lineage and the entities once every page is in.
      const drafter = new AirflowDagDrafter(
        {
          instance: client.instance,
          dagUrl: dagId => client.uiLinkForDag(dagId),
          owners: config.owners,
          defaultOwner: config.defaultOwner,
          defaultLifecycle: config.defaultLifecycle,
        },
        this.#drafts,
      );
      const [snapshot, exclude] = await Promise.all([
        readAirflowCatalog(client, config.filters, dag => drafter.draft(dag)),
        this.#authoritativeKeys(),
      ]);
      drafts = snapshot.dags;
      entities = toAirflowEntities(snapshot, {
        instance: client.instance,
        exclude,
      });
    } catch (error) {
      this.#logger.error(
        `Airflow provider ${config.id} could not read instance "${config.instance}", keeping the entities of its last refresh: ${error}`,
      );
      return { applied: false, error: error as Error };
    }
    const locationKey = this.getProviderName();
    const deferred: DeferredEntity[] = [];
    for (const entity of entities.dags) deferred.push({ entity, locationKey });
    for (const entity of entities.assets)
      deferred.push({ entity, locationKey });
    await connection.applyMutation({ type: 'full', entities: deferred });
    this.#drafts = drafts;
    this.#log(entities.report, Date.now() - started);
    return { applied: true, report: entities.report };
  }

  /** What the authoritative providers emit; undefined when this one is one. */
  async #authoritativeKeys(): Promise<AirflowCatalogKeys | undefined> {
    if (this.#authorities.length === 0) return undefined;
    const keys = await Promise.all(
      this.#authorities.map(async ({ config, client }) =>
        airflowCatalogKeys(
          await readAirflowCatalog(client, config.filters, ({ dagId }) => ({
            dagId,
          })),
        ),
      ),
    );
    return {
      dagIds: new Set(keys.flatMap(k => [...k.dagIds])),
      assetNames: new Set(keys.flatMap(k => [...k.assetNames])),
    };
  }

  #log(report: AirflowMappingReport, ms: number) {
    const { id, instance } = this.#source.config;
    this.#logger.info(
      `Airflow provider ${id} read instance "${instance}" in ${ms} ms: ${report.dags} DAG and ${report.assets} asset entities; ${report.unchanged} DAG entities kept from an earlier refresh, ${report.deferred} DAGs left to authoritative providers, ${report.renamed} names normalised, ${report.collisions.length} name collisions, ${report.unmappedOwners.length} unmapped owners, ${report.droppedTags.length} DAGs with dropped tags, ${report.invalidLifecycles.length} invalid lifecycle tags, ${report.unlinkable.length} unlinkable DAG ids`,
    );
    const problems: Array<[string[], string]> = [
      [
        report.collisions,
        'ids sharing an entity name with another, named with a hash suffix',
      ],
      [
        report.unmappedOwners,
        'DAGs whose Airflow owners are not mapped to a catalog user or group, and no defaultOwner is set; owner "unknown"',
      ],
      [report.droppedTags, 'DAGs with a tag that normalises to nothing'],
      [
        report.invalidLifecycles,
        'DAGs with a lifecycle: tag that is not a lifecycle; the default applies',
      ],
      [
        report.unlinkable,
        'DAGs whose id no URL can carry; linked to the DAG list',
      ],
    ];
    for (const [ids, what] of problems) {
      if (ids.length) {
        this.#logger.warn(`Airflow provider ${id}: ${what}: ${sample(ids)}`);
      }
    }
  }
}

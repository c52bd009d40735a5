import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  ComponentEntity,
  ResourceEntity,
} from '@backstage/catalog-model';
import {
  AIRFLOW_ASSET_RESOURCE_TYPE,
  AIRFLOW_DAG_COMPONENT_TYPE,
  AIRFLOW_DAG_ID_ANNOTATION,
  AIRFLOW_INSTANCE_ANNOTATION,
} from '@dag-cicd/plugin-dag-cicd-common';
import {
  AirflowAsset,
  AirflowDag,
  AirflowInstanceInfo,
} from '@dag-cicd/plugin-dag-cicd-node';
import { ownerKey } from './config';
import { assignEntityNames, catalogTag } from './entityNames';
import { AirflowCatalogSnapshot } from './readAirflowCatalog';

/** The schedule of a DAG entity, in Airflow's own words: `0 6 * * *`, `@daily`, `Asset`. */
export const AIRFLOW_SCHEDULE_ANNOTATION = 'airflow.apache.org/schedule';
/** The URI of an asset entity's Airflow asset (dataset in Airflow 2). */
export const AIRFLOW_ASSET_URI_ANNOTATION = 'airflow.apache.org/asset-uri';

const NAMESPACE = 'default';
const LIFECYCLE_PREFIX = /^\s*lifecycle:/i;
const LIFECYCLE_TAG = /^lifecycle:([a-z0-9]+(?:[-_.][a-z0-9]+)*)$/;
/** When no mapping and no default owner applies; `unmapped` counts it. */
export const UNKNOWN_OWNER = 'unknown';

export interface AirflowEntityOptions {
  instance: AirflowInstanceInfo;
  /** The DAG in the Airflow UI: the client's own link. */
  dagUrl(dagId: string): string;
  owners: Map<string, string>;
  defaultOwner?: string;
  defaultLifecycle: string;
}

/** The DAGs and assets a provider emits, by Airflow id and asset name. */
export interface AirflowCatalogKeys {
  dagIds: Set<string>;
  assetNames: Set<string>;
}

/** What a refresh could not map as it is; each list holds DAG ids or asset names. */
export interface AirflowMappingReport {
  dags: number;
  assets: number;
  /** DAGs left to an authoritative provider. */
  deferred: number;
  /** Ids whose entity name is not the id itself (`orders_daily` → `orders-daily`). */
  renamed: number;
  /** Ids whose name another id also mapped to: named with a hash suffix. */
  collisions: string[];
  /** DAGs none of whose Airflow owners is mapped, and no default owner. */
  unmappedOwners: string[];
  /** DAGs with a tag that normalises to nothing: the tag is left out. */
  droppedTags: string[];
  /** DAGs with a `lifecycle:` tag that is not a lifecycle: the default applies. */
  invalidLifecycles: string[];
  /** DAGs whose id no URL can carry: linked to the instance's DAG list instead. */
  unlinkable: string[];
}

export interface AirflowEntities {
  dags: ComponentEntity[];
  assets: ResourceEntity[];
  report: AirflowMappingReport;
}

/**
 * A DAG's entity as far as the DAG alone decides it, and what it could not
 * map: its name and the assets it reads take every DAG and asset of the
 * instance, and are filled in by {@link toAirflowEntities}. Small, so that a
 * refresh keeps these rather than the DAGs Airflow listed.
 */
export interface AirflowDagDraft {
  dagId: string;
  entity: ComponentEntity;
  problems: DagProblems;
}

/** What a DAG's entity could not take as it is, for the report. */
interface DagProblems {
  unmappedOwner: boolean;
  droppedTags: boolean;
  invalidLifecycle: boolean;
  unlinkable: boolean;
}

/**
 * The DAGs an asset is linked to: consumers are the DAGs scheduled on it
 * and (Airflow 3) the DAGs with a task reading it; producers the DAGs with
 * a task emitting it.
 */
function assetDags(asset: AirflowAsset) {
  return {
    consumers: new Set([
      ...asset.scheduledDagIds,
      ...asset.consumingTasks.map(t => t.dagId),
    ]),
    producers: new Set(asset.producingTasks.map(t => t.dagId)),
  };
}

/**
 * The assets worth an entity: those a selected DAG produces or consumes.
 * An asset no selected DAG touches says nothing about this catalog's DAGs.
 */
function linkedAssets(
  assets: AirflowAsset[],
  dagIds: ReadonlyMap<string, unknown>,
): AirflowAsset[] {
  return assets.filter(asset => {
    const { consumers, producers } = assetDags(asset);
    return [...consumers, ...producers].some(id => dagIds.has(id));
  });
}

/**
 * What a provider emits for this snapshot, as {@link toAirflowEntities}
 * decides it; the snapshot's DAGs need be no more than their ids.
 */
export function airflowCatalogKeys(
  snapshot: AirflowCatalogSnapshot<unknown>,
): AirflowCatalogKeys {
  return {
    dagIds: new Set(snapshot.dags.keys()),
    assetNames: new Set(
      linkedAssets(snapshot.assets, snapshot.dags).map(a => a.name),
    ),
  };
}

function assetUrl(instance: AirflowInstanceInfo, asset: AirflowAsset) {
  // Airflow 3's UI shows an asset by id; Airflow 2's lists datasets by URI.
  return instance.apiVersion === 'v2'
    ? `${instance.uiUrl}/assets/${asset.id}`
    : `${instance.uiUrl}/datasets?uri=${encodeURIComponent(asset.uri)}`;
}

/**
 * The part of a DAG's entity that the DAG alone decides: all of it but its
 * name, which is the DAG id's until {@link toAirflowEntities} resolves
 * clashes, and the assets it reads.
 */
export function draftDagEntity(
  dag: AirflowDag,
  options: AirflowEntityOptions,
): AirflowDagDraft {
  const { instance } = options;
  const problems: DagProblems = {
    unmappedOwner: false,
    droppedTags: false,
    invalidLifecycle: false,
    unlinkable: false,
  };
  // Built field by field rather than with conditional spreads: with ten
  // thousand DAGs the temporary objects show in the refresh time.
  const url = dagLink(dag.dagId, options, problems);
  const location = `url:${url}`;
  const annotations: Record<string, string> = {
    [AIRFLOW_DAG_ID_ANNOTATION]: dag.dagId,
    [AIRFLOW_INSTANCE_ANNOTATION]: instance.name,
    [ANNOTATION_LOCATION]: location,
    [ANNOTATION_ORIGIN_LOCATION]: location,
  };
  if (dag.timetableSummary) {
    annotations[AIRFLOW_SCHEDULE_ANNOTATION] = dag.timetableSummary;
  }
  const entity: ComponentEntity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: dag.dagId, namespace: NAMESPACE },
    spec: {
      type: AIRFLOW_DAG_COMPONENT_TYPE,
      lifecycle: dagLifecycle(dag, options, problems),
      owner: dagOwner(dag, options, problems),
    },
  };
  const { metadata } = entity;
  if (dag.displayName !== dag.dagId) metadata.title = dag.displayName;
  if (dag.description) metadata.description = dag.description;
  const tags = dagTags(dag, problems);
  if (tags.length) metadata.tags = tags;
  metadata.annotations = annotations;
  metadata.links = [
    { url, title: `Airflow (${instance.name})`, type: 'airflow' },
  ];
  return { dagId: dag.dagId, entity, problems };
}

/**
 * The catalog entities of one instance's DAGs and assets: pure, so that the
 * same snapshot always gives the same entities, on any replica. The DAGs'
 * drafts are completed in place.
 *
 * Names are derived from the DAG id (the asset name) alone, never from the
 * instance, so that the same DAG in a CI and a production instance is the
 * same entity reference. Lineage: a consuming DAG `dependsOn` the asset, and
 * the asset `dependsOn` each producing DAG (the DAG is its `dependencyOf`),
 * which makes the catalog graph read producer ← asset ← consumer.
 *
 * `exclude` is what authoritative providers emit: this provider leaves those
 * DAGs and assets out, but still links to them by the same names.
 */
export function toAirflowEntities(
  snapshot: AirflowCatalogSnapshot<AirflowDagDraft>,
  options: { instance: AirflowInstanceInfo; exclude?: AirflowCatalogKeys },
): AirflowEntities {
  const { instance, exclude } = options;
  const report: AirflowMappingReport = {
    dags: 0,
    assets: 0,
    deferred: 0,
    renamed: 0,
    collisions: [],
    unmappedOwners: [],
    droppedTags: [],
    invalidLifecycles: [],
    unlinkable: [],
  };
  const drafts = snapshot.dags;
  const assets = linkedAssets(snapshot.assets, drafts);
  const dagNames = assignEntityNames(drafts.keys());
  const assetNames = assignEntityNames(assets.map(a => a.name));
  report.collisions.push(...dagNames.collisions, ...assetNames.collisions);
  // Names are valid and lower case already: the references need no parsing.
  const dagRef = (dagId: string) =>
    `component:${NAMESPACE}/${dagNames.names.get(dagId)}`;
  const assetRef = (name: string) =>
    `resource:${NAMESPACE}/${assetNames.names.get(name)}`;

  // An unmapped owner is reported once per DAG, whether for its entity or
  // for an asset it owns.
  const reportedOwners = new Set<string>();
  const ownerOf = (draft: AirflowDagDraft) => {
    if (draft.problems.unmappedOwner && !reportedOwners.has(draft.dagId)) {
      reportedOwners.add(draft.dagId);
      report.unmappedOwners.push(draft.dagId);
    }
    return draft.entity.spec.owner;
  };

  const consumed = new Map<string, string[]>();
  for (const asset of assets) {
    for (const dagId of assetDags(asset).consumers) {
      if (!drafts.has(dagId)) continue;
      const list = consumed.get(dagId) ?? [];
      list.push(assetRef(asset.name));
      consumed.set(dagId, list);
    }
  }

  const dags: ComponentEntity[] = [];
  for (const draft of drafts.values()) {
    const { dagId, entity, problems } = draft;
    const name = dagNames.names.get(dagId)!;
    if (name !== dagId) report.renamed++;
    if (exclude?.dagIds.has(dagId)) {
      report.deferred++;
      continue;
    }
    entity.metadata.name = name;
    if (problems.unlinkable) report.unlinkable.push(dagId);
    if (problems.invalidLifecycle) report.invalidLifecycles.push(dagId);
    ownerOf(draft);
    if (problems.droppedTags) report.droppedTags.push(dagId);
    const reads = consumed.get(dagId);
    // Most DAGs read one asset or none: only a longer list needs sorting.
    if (reads) {
      entity.spec.dependsOn =
        reads.length > 1 ? [...new Set(reads)].sort() : reads;
    }
    dags.push(entity);
  }

  const resources: ResourceEntity[] = [];
  for (const asset of assets) {
    const name = assetNames.names.get(asset.name)!;
    if (name !== asset.name) report.renamed++;
    if (exclude?.assetNames.has(asset.name)) continue;
    const { consumers, producers } = assetDags(asset);
    const linked = (ids: Set<string>) =>
      [...ids].filter(id => drafts.has(id)).sort(compare);
    const producing = linked(producers);
    // The asset belongs to whoever writes it; else to whoever reads it.
    const owningDag = producing[0] ?? linked(consumers)[0];
    const url = assetUrl(instance, asset);
    resources.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name,
        namespace: NAMESPACE,
        ...(name !== asset.name ? { title: asset.name } : {}),
        ...(asset.uri !== asset.name ? { description: asset.uri } : {}),
        annotations: {
          [AIRFLOW_ASSET_URI_ANNOTATION]: asset.uri,
          [AIRFLOW_INSTANCE_ANNOTATION]: instance.name,
          [ANNOTATION_LOCATION]: `url:${url}`,
          [ANNOTATION_ORIGIN_LOCATION]: `url:${url}`,
        },
        links: [{ url, title: `Airflow (${instance.name})`, type: 'airflow' }],
      },
      spec: {
        type: AIRFLOW_ASSET_RESOURCE_TYPE,
        owner: ownerOf(drafts.get(owningDag)!),
        ...(producing.length ? { dependsOn: producing.map(dagRef) } : {}),
      },
    });
  }
  report.dags = dags.length;
  report.assets = resources.length;
  return { dags, assets: resources, report };
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The first of the DAG's Airflow owners that is mapped, else the default. */
function dagOwner(
  dag: AirflowDag,
  options: AirflowEntityOptions,
  problems: DagProblems,
): string {
  for (const owner of dag.owners) {
    const mapped = options.owners.get(ownerKey(owner));
    if (mapped) return mapped;
  }
  if (options.defaultOwner) return options.defaultOwner;
  problems.unmappedOwner = true;
  return UNKNOWN_OWNER;
}

function dagTags(dag: AirflowDag, problems: DagProblems): string[] {
  const tags: string[] = [];
  let dropped = false;
  for (const tag of dag.tags) {
    const normalised = catalogTag(tag);
    if (!normalised) dropped = true;
    else if (!tags.includes(normalised)) tags.push(normalised);
  }
  problems.droppedTags = dropped;
  return tags;
}

/** `lifecycle:<value>` among the DAG's tags, else the configured default. */
function dagLifecycle(
  dag: AirflowDag,
  options: AirflowEntityOptions,
  problems: DagProblems,
): string {
  for (const tag of dag.tags) {
    if (!LIFECYCLE_PREFIX.test(tag)) continue;
    const match = LIFECYCLE_TAG.exec(tag.trim().toLowerCase());
    if (match) return match[1];
    problems.invalidLifecycle = true;
    break;
  }
  return options.defaultLifecycle;
}

function dagLink(
  dagId: string,
  options: AirflowEntityOptions,
  problems: DagProblems,
): string {
  try {
    return options.dagUrl(dagId);
  } catch {
    // Airflow allows the DAG ids `.` and `..`, which no URL path can hold.
    problems.unlinkable = true;
    return `${options.instance.uiUrl}/dags`;
  }
}

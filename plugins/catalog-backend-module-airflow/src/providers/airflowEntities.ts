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
import {
  assignEntityNames,
  catalogTag,
  entityName,
  EntityNamer,
} from './entityNames';
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
  /**
   * DAG entities given as an earlier refresh built them: the DAG listed as
   * it was, with the same name and reads.
   */
  unchanged: number;
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
 * What the DAG alone decides of its entity, and what it could not map: its
 * entity is built from this by {@link toAirflowEntities}, once every DAG and
 * asset is in, since the name may clash with another DAG's and the assets
 * it reads come from the asset list. A refresh holds ten thousand of these
 * until its last page, and a provider keeps them until its next refresh, so
 * they are one flat object each, holding what the entity takes, the two
 * lists that tell whether the DAG changed, and the entity last built from
 * it, rather than the DAG Airflow listed.
 */
export interface AirflowDagDraft {
  readonly dagId: string;
  /**
   * The Airflow owners and tags it was drafted from, with the fields below:
   * a DAG listed the same on the next refresh keeps this draft.
   */
  readonly airflowOwners: readonly string[];
  readonly airflowTags: readonly string[];
  /** Its {@link entityName}: final unless another DAG's clashes with it. */
  name: string;
  /** The DAG in the Airflow UI. */
  url: string;
  owner: string;
  lifecycle: string;
  /** Undefined for none. */
  tags: string[] | undefined;
  /** The display name when it is not the id. */
  title: string | undefined;
  description: string | undefined;
  schedule: string | undefined;
  /** Undefined when the DAG mapped as it is, as nearly all do. */
  problems: DagProblems | undefined;
  /**
   * The entity {@link toAirflowEntities} last built from this draft, which
   * it gives again while the DAG's name and the assets it reads stay.
   */
  entity?: ComponentEntity;
}

/** What a DAG's entity could not take as it is, for the report. */
interface DagProblems {
  unmappedOwner?: boolean;
  droppedTags?: boolean;
  invalidLifecycle?: boolean;
  unlinkable?: boolean;
}

/** What one Airflow tag says, once normalised. */
interface TagReading {
  /** The catalog tag; undefined when the tag normalises to nothing. */
  tag: string | undefined;
  /**
   * For a `lifecycle:` tag, its lifecycle, or null when it is not one;
   * undefined for any other tag.
   */
  lifecycle: string | null | undefined;
}

function readTag(tag: string): TagReading {
  let lifecycle: string | null | undefined;
  if (LIFECYCLE_PREFIX.test(tag)) {
    lifecycle = LIFECYCLE_TAG.exec(tag.trim().toLowerCase())?.[1] ?? null;
  }
  return { tag: catalogTag(tag), lifecycle };
}

// What a draft takes from the DAG as it is.
const titleOf = (dag: AirflowDag) =>
  dag.displayName === dag.dagId ? undefined : dag.displayName;
const descriptionOf = (dag: AirflowDag) => dag.description || undefined;
const scheduleOf = (dag: AirflowDag) => dag.timetableSummary || undefined;

/**
 * Drafts each DAG of one refresh as its page arrives: its name, link,
 * owner, lifecycle and tags; {@link toAirflowEntities} builds the entities
 * once every page is in. Only the drafts are held until then, not the pages.
 *
 * One drafter per refresh: it remembers what each Airflow tag normalises
 * to, since a few tags (`etl`, `daily`) recur on thousands of DAGs and the
 * drafts then share one copy of each.
 *
 * Given the drafts of the provider's last refresh, it keeps the draft of
 * each DAG listed as it was, and with it the entity built from it: from
 * one refresh to the next nearly every DAG is, so that a steady refresh
 * costs little more than reading the pages (no new drafts and entities to
 * build, nor to collect).
 */
export class AirflowDagDrafter {
  readonly #options: AirflowEntityOptions;
  readonly #previous: ReadonlyMap<string, AirflowDagDraft> | undefined;
  readonly #tags = new Map<string, TagReading>();

  constructor(
    options: AirflowEntityOptions,
    previous?: ReadonlyMap<string, AirflowDagDraft>,
  ) {
    this.#options = options;
    this.#previous = previous;
  }

  draft(dag: AirflowDag): AirflowDagDraft {
    const { dagId } = dag;
    const last = this.#previous?.get(dagId);
    if (last !== undefined && draftedFrom(last, dag)) return last;
    const options = this.#options;
    let problems: DagProblems | undefined;

    let url = dagLink(dagId, options);
    if (url === undefined) {
      // Airflow allows the DAG ids `.` and `..`, which no URL path can hold.
      (problems ??= {}).unlinkable = true;
      url = `${options.instance.uiUrl}/dags`;
    }
    let owner = dagOwner(dag, options);
    if (owner === undefined) {
      (problems ??= {}).unmappedOwner = true;
      owner = UNKNOWN_OWNER;
    }
    // The first `lifecycle:` tag decides; one that is not a lifecycle leaves
    // the default.
    let lifecycle: string | null | undefined;
    // Sized to the DAG's tags, which it nearly always keeps all of: an
    // array grown by push holds room for sixteen more.
    const tags = new Array<string>(dag.tags.length);
    let kept = 0;
    for (const tag of dag.tags) {
      const reading = this.#readTag(tag);
      if (lifecycle === undefined) lifecycle = reading.lifecycle;
      if (reading.tag === undefined) (problems ??= {}).droppedTags = true;
      else if (!tags.includes(reading.tag)) tags[kept++] = reading.tag;
    }
    tags.length = kept;
    if (lifecycle === null) (problems ??= {}).invalidLifecycle = true;

    return {
      dagId,
      airflowOwners: dag.owners,
      airflowTags: dag.tags,
      name: entityName(dagId),
      url,
      owner,
      lifecycle: lifecycle ?? options.defaultLifecycle,
      tags: kept ? tags : undefined,
      title: titleOf(dag),
      description: descriptionOf(dag),
      schedule: scheduleOf(dag),
      problems,
    };
  }

  #readTag(tag: string): TagReading {
    let reading = this.#tags.get(tag);
    if (!reading) {
      reading = readTag(tag);
      this.#tags.set(tag, reading);
    }
    return reading;
  }
}

/** Whether drafting `dag` now would give `draft`, the options being the same. */
function draftedFrom(draft: AirflowDagDraft, dag: AirflowDag): boolean {
  return (
    draft.title === titleOf(dag) &&
    draft.description === descriptionOf(dag) &&
    draft.schedule === scheduleOf(dag) &&
    sameStrings(draft.airflowOwners, dag.owners) &&
    sameStrings(draft.airflowTags, dag.tags)
  );
}

function sameStrings(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The entity of a drafted DAG. */
function dagEntity(
  draft: AirflowDagDraft,
  name: string,
  dependsOn: string[] | undefined,
  instance: AirflowInstanceInfo,
  linkTitle: string,
): ComponentEntity {
  // Each object is built with the fields it always has in one literal, and
  // the optional ones added after: ten thousand of them are built at once.
  const location = `url:${draft.url}`;
  const annotations: Record<string, string> = {
    [AIRFLOW_DAG_ID_ANNOTATION]: draft.dagId,
    [AIRFLOW_INSTANCE_ANNOTATION]: instance.name,
    [ANNOTATION_LOCATION]: location,
    [ANNOTATION_ORIGIN_LOCATION]: location,
  };
  if (draft.schedule) annotations[AIRFLOW_SCHEDULE_ANNOTATION] = draft.schedule;
  const metadata: ComponentEntity['metadata'] = {
    name,
    namespace: NAMESPACE,
    annotations,
    links: [{ url: draft.url, title: linkTitle, type: 'airflow' }],
  };
  if (draft.title) metadata.title = draft.title;
  if (draft.description) metadata.description = draft.description;
  if (draft.tags) metadata.tags = draft.tags;
  const spec: ComponentEntity['spec'] = {
    type: AIRFLOW_DAG_COMPONENT_TYPE,
    lifecycle: draft.lifecycle,
    owner: draft.owner,
  };
  if (dependsOn) spec.dependsOn = dependsOn;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata,
    spec,
  };
}

/**
 * An asset with the selected DAGs it links, as the snapshot holds them:
 * consumers are the DAGs scheduled on it and (Airflow 3) the DAGs with a
 * task reading it; producers the DAGs with a task emitting it. Each list is
 * in code-point order of the DAG ids, each DAG once.
 */
interface LinkedAsset<D> {
  asset: AirflowAsset;
  producers: D[];
  consumers: D[];
}

const byDagId = (dag: { dagId: string }) => dag.dagId;

/**
 * The assets worth an entity: those a selected DAG produces or consumes,
 * with those DAGs. An asset no selected DAG touches says nothing about this
 * catalog's DAGs.
 */
function linkedAssets<D extends { dagId: string }>(
  assets: AirflowAsset[],
  dags: ReadonlyMap<string, D>,
): LinkedAsset<D>[] {
  const linked: LinkedAsset<D>[] = [];
  const add = (list: D[], dagId: string) => {
    const dag = dags.get(dagId);
    if (dag !== undefined) list.push(dag);
  };
  for (const asset of assets) {
    let producers: D[] = [];
    let consumers: D[] = [];
    for (const task of asset.producingTasks) add(producers, task.dagId);
    for (const dagId of asset.scheduledDagIds) add(consumers, dagId);
    for (const task of asset.consumingTasks) add(consumers, task.dagId);
    if (producers.length === 0 && consumers.length === 0) continue;
    // Most assets have one producer and a consumer or two.
    if (producers.length > 1) producers = uniqueSorted(producers, byDagId);
    if (consumers.length > 1) consumers = uniqueSorted(consumers, byDagId);
    linked.push({ asset, producers, consumers });
  }
  return linked;
}

/**
 * The items once each, in code-point order of their keys; items of the same
 * key are the same item. The lists are short, a DAG or two, for which a Set
 * and Array.prototype.sort cost far more than comparing.
 */
function uniqueSorted<T>(items: T[], key: (item: T) => string): T[] {
  if (items.length > 8) {
    return [...new Set(items)].sort((a, b) => compare(key(a), key(b)));
  }
  const sorted: T[] = [];
  for (const item of items) {
    let at = sorted.length;
    while (at > 0 && key(sorted[at - 1]) > key(item)) at--;
    if (sorted[at - 1] !== item) sorted.splice(at, 0, item);
  }
  return sorted;
}

/**
 * What a provider emits for this snapshot, as {@link toAirflowEntities}
 * decides it; the snapshot's DAGs need be no more than their ids.
 */
export function airflowCatalogKeys(
  snapshot: AirflowCatalogSnapshot<{ dagId: string }>,
): AirflowCatalogKeys {
  return {
    dagIds: new Set(snapshot.dags.keys()),
    assetNames: new Set(
      linkedAssets(snapshot.assets, snapshot.dags).map(l => l.asset.name),
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
 * The catalog entities of one instance's DAGs and assets: the same snapshot
 * always gives the same entities, on any replica. Each DAG's entity is
 * remembered on its draft and given again, the same object, while its name
 * and reads stay: the catalog only reads the entities it is given.
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
  options: {
    instance: AirflowInstanceInfo;
    exclude?: AirflowCatalogKeys;
  },
): AirflowEntities {
  const { instance, exclude } = options;
  const report: AirflowMappingReport = {
    dags: 0,
    assets: 0,
    unchanged: 0,
    deferred: 0,
    renamed: 0,
    collisions: [],
    unmappedOwners: [],
    droppedTags: [],
    invalidLifecycles: [],
    unlinkable: [],
  };
  const drafts = snapshot.dags;
  // The DAG ids whose name another DAG's also got, with the unique name
  // each takes instead: settled over every DAG, whichever page it came on.
  const namer = new EntityNamer();
  for (const draft of drafts.values()) namer.name(draft.dagId, draft.name);
  const renamed = namer.settle();
  // Names rarely clash: most refreshes rename nothing.
  const dagName = (draft: AirflowDagDraft) =>
    renamed.size === 0 ? draft.name : renamed.get(draft.dagId) ?? draft.name;
  const assets = linkedAssets(snapshot.assets, drafts);
  const assetNames = assignEntityNames(assets.map(l => l.asset.name));
  report.collisions.push(...renamed.keys(), ...assetNames.collisions);
  // Names are valid and lower case already: the references need no parsing.
  const dagRef = (draft: AirflowDagDraft) =>
    `component:${NAMESPACE}/${dagName(draft)}`;

  // An unmapped owner is reported once per DAG, whether for its entity or
  // for an asset it owns.
  const reportedOwners = new Set<string>();
  const ownerOf = (draft: AirflowDagDraft) => {
    if (draft.problems?.unmappedOwner && !reportedOwners.has(draft.dagId)) {
      reportedOwners.add(draft.dagId);
      report.unmappedOwners.push(draft.dagId);
    }
    return draft.owner;
  };

  // The assets each DAG reads, by its draft.
  const consumed = new Map<AirflowDagDraft, string[]>();
  for (const { asset, consumers } of assets) {
    if (consumers.length === 0) continue;
    const ref = `resource:${NAMESPACE}/${assetNames.names.get(asset.name)}`;
    for (const draft of consumers) {
      const list = consumed.get(draft);
      if (list) list.push(ref);
      else consumed.set(draft, [ref]);
    }
  }

  const linkTitle = `Airflow (${instance.name})`;
  const dags: ComponentEntity[] = [];
  for (const draft of drafts.values()) {
    const { dagId, problems } = draft;
    const name = dagName(draft);
    if (name !== dagId) report.renamed++;
    if (exclude?.dagIds.has(dagId)) {
      report.deferred++;
      continue;
    }
    if (problems?.unlinkable) report.unlinkable.push(dagId);
    if (problems?.invalidLifecycle) report.invalidLifecycles.push(dagId);
    ownerOf(draft);
    if (problems?.droppedTags) report.droppedTags.push(dagId);
    let reads = consumed.get(draft);
    // Most DAGs read one asset or none: only a longer list needs sorting.
    if (reads && reads.length > 1) reads = uniqueSorted(reads, ref => ref);
    let entity = draft.entity;
    if (
      entity !== undefined &&
      entity.metadata.name === name &&
      sameStrings(entity.spec.dependsOn, reads)
    ) {
      report.unchanged++;
    } else {
      entity = draft.entity = dagEntity(
        draft,
        name,
        reads,
        instance,
        linkTitle,
      );
    }
    dags.push(entity);
  }

  const resources: ResourceEntity[] = [];
  for (const { asset, producers, consumers } of assets) {
    const name = assetNames.names.get(asset.name)!;
    if (name !== asset.name) report.renamed++;
    if (exclude?.assetNames.has(asset.name)) continue;
    // The asset belongs to whoever writes it; else to whoever reads it.
    const owningDag = producers[0] ?? consumers[0];
    const url = assetUrl(instance, asset);
    const location = `url:${url}`;
    const entity: ResourceEntity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name,
        namespace: NAMESPACE,
        annotations: {
          [AIRFLOW_ASSET_URI_ANNOTATION]: asset.uri,
          [AIRFLOW_INSTANCE_ANNOTATION]: instance.name,
          [ANNOTATION_LOCATION]: location,
          [ANNOTATION_ORIGIN_LOCATION]: location,
        },
        links: [{ url, title: linkTitle, type: 'airflow' }],
      },
      spec: {
        type: AIRFLOW_ASSET_RESOURCE_TYPE,
        owner: ownerOf(owningDag),
      },
    };
    if (name !== asset.name) entity.metadata.title = asset.name;
    if (asset.uri !== asset.name) entity.metadata.description = asset.uri;
    if (producers.length) entity.spec.dependsOn = producers.map(dagRef);
    resources.push(entity);
  }
  report.dags = dags.length;
  report.assets = resources.length;
  return { dags, assets: resources, report };
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * The first of the DAG's Airflow owners that is mapped, else the default;
 * undefined when neither is.
 */
function dagOwner(
  dag: AirflowDag,
  options: AirflowEntityOptions,
): string | undefined {
  for (const owner of dag.owners) {
    const mapped = options.owners.get(ownerKey(owner));
    if (mapped) return mapped;
  }
  return options.defaultOwner;
}

/** The DAG in the Airflow UI; undefined when no URL can carry its id. */
function dagLink(
  dagId: string,
  options: AirflowEntityOptions,
): string | undefined {
  try {
    return options.dagUrl(dagId);
  } catch {
    return undefined;
  }
}

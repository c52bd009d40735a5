import {
  AirflowAsset,
  AirflowClient,
  AirflowDag,
} from '@dag-cicd/plugin-dag-cicd-node';
import { AirflowDagFilters } from './config';

/**
 * What one refresh read from one instance: every selected DAG, by id, as
 * the caller mapped it, and every asset.
 */
export interface AirflowCatalogSnapshot<D> {
  /** In the order Airflow listed them. */
  dags: ReadonlyMap<string, D>;
  assets: AirflowAsset[];
}

/**
 * Reads the DAGs the filters select and every asset of an instance, all
 * pages of both or nothing: any failure (the instance down or slow, a page
 * missing, an answer that is not Airflow's) rejects, so that a caller never
 * takes a partial read for deletions. The two collections are paged at the
 * same time, each page after the other within one.
 *
 * Each DAG is mapped by `keep` as its page arrives, and only what it
 * returns is kept: with ten thousand DAGs, holding every page's objects
 * until the last one arrives is most of a refresh's garbage collection.
 */
export async function readAirflowCatalog<D>(
  client: AirflowClient,
  filters: AirflowDagFilters,
  keep: (dag: AirflowDag) => D,
): Promise<AirflowCatalogSnapshot<D>> {
  const [dags, assets] = await Promise.all([
    collect(
      client.iterateDags({
        tags: filters.tags,
        dagIdPattern: filters.dagIdPattern,
        paused: filters.includePaused ? undefined : false,
        includeStale: filters.includeStale,
      }),
      dag => dag.dagId,
      keep,
    ),
    collect(
      client.iterateAssets(),
      asset => String(asset.id),
      asset => asset,
    ),
  ]);
  return { dags, assets: [...assets.values()] };
}

/**
 * Every item of the pages, once: an item created while paging moves the
 * ones after it a place on, so the next page may repeat one. The later copy
 * wins, being the fresher, in the place of the first.
 */
async function collect<T, D>(
  pages: AsyncIterable<T[]>,
  key: (item: T) => string,
  keep: (item: T) => D,
): Promise<Map<string, D>> {
  const items = new Map<string, D>();
  for await (const page of pages) {
    for (const item of page) items.set(key(item), keep(item));
  }
  return items;
}

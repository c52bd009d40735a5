import {
  AirflowAsset,
  AirflowClient,
  AirflowDag,
} from '@dag-cicd/plugin-dag-cicd-node';
import { AirflowDagFilters } from './config';

/** What one refresh read from one instance: every selected DAG and every asset. */
export interface AirflowCatalogSnapshot {
  dags: AirflowDag[];
  assets: AirflowAsset[];
}

/**
 * Reads the DAGs the filters select and every asset of an instance, all
 * pages of both or nothing: any failure (the instance down or slow, a page
 * missing, an answer that is not Airflow's) rejects, so that a caller never
 * takes a partial read for deletions. The two collections are paged at the
 * same time, each page after the other within one.
 */
export async function readAirflowCatalog(
  client: AirflowClient,
  filters: AirflowDagFilters,
): Promise<AirflowCatalogSnapshot> {
  const [dags, assets] = await Promise.all([
    collect(
      client.iterateDags({
        tags: filters.tags,
        dagIdPattern: filters.dagIdPattern,
        paused: filters.includePaused ? undefined : false,
        includeStale: filters.includeStale,
      }),
      dag => dag.dagId,
    ),
    collect(client.iterateAssets(), asset => String(asset.id)),
  ]);
  return { dags, assets };
}

/**
 * Every item of the pages, once: an item created while paging moves the
 * ones after it a place on, so the next page may repeat one. The later copy
 * wins, being the fresher.
 */
async function collect<T>(
  pages: AsyncIterable<T[]>,
  key: (item: T) => string,
): Promise<T[]> {
  const items = new Map<string, T>();
  for await (const page of pages) {
    for (const item of page) items.set(key(item), item);
  }
  return [...items.values()];
}

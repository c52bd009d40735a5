import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Readable } from 'node:stream';

/**
 * One object in a data store, as listed by {@link DataStore.list}.
 *
 * @public
 */
export interface DataStoreObject {
  /** The full URI of the object, `scheme://...`. */
  uri: string;
  /** Size in bytes. */
  size: number;
}

/**
 * Where data lives: a local folder (`file://`), an S3 bucket (`s3://`), or
 * anything a backend module adds through
 * {@link dagCicdDataStoresExtensionPoint}.
 *
 * Every URI is a full `scheme://...` string; every prefix ends with `/`. The
 * DAG CI/CD backend only ever hands a store URIs inside an environment's data
 * namespace, but a store must still refuse a URI outside its own root: it is
 * the last line of defence against writing or deleting someone else's data.
 *
 * @public
 */
export interface DataStore {
  /** The URI scheme this store serves, without `://`, e.g. `file` or `s3`. */
  readonly scheme: string;

  /** Whether an object exists at exactly this URI. */
  exists(uri: string): Promise<boolean>;

  /**
   * Every object under the prefix, recursively, in no particular order.
   * Streamed, so that a prefix with millions of objects does not have to fit
   * in memory.
   */
  list(prefix: string): AsyncIterable<DataStoreObject>;

  /** The content of one object, as a stream. */
  read(uri: string): Promise<Readable>;

  /**
   * Writes one object atomically: readers see either the old object or the
   * whole new one, never a partial object. A store without atomic puts writes
   * to a temporary name beside the target and renames it. If the body stream
   * fails, the target is left as it was.
   */
  write(uri: string, body: Readable | Buffer | string): Promise<void>;

  /** Copies one object; server-side where the store can. */
  copy(fromUri: string, toUri: string): Promise<void>;

  /**
   * Copies many objects, each as {@link DataStore.copy} does, in no promised
   * order: when two copies share a target, either may land last. Optional: a
   * store that can do better than many single copies (worker threads, a batch
   * API) implements it; callers fall back to `copy`.
   *
   * Settles only once no copy is in flight. Rejects with the error of the
   * first failing copy in list order, or the signal's reason once it aborts;
   * copies the store had not yet begun (it may have a batch under way) are
   * then never made, and those made stay.
   */
  copyMany?(
    copies: ReadonlyArray<{ from: string; to: string }>,
    options?: { signal?: AbortSignal },
  ): Promise<void>;

  /**
   * Deletes every object under the prefix, and nothing else.
   *
   * @returns how many objects were deleted
   */
  deletePrefix(prefix: string): Promise<{ deleted: number }>;
}

/**
 * The extension point through which backend modules add data stores.
 *
 * @public
 */
export interface DagCicdDataStoresExtensionPoint {
  /** Adds a store for its {@link DataStore.scheme}. */
  addDataStore(store: DataStore): void;
}

/**
 * Extension point for data stores of the DAG CI/CD backend plugin.
 *
 * @public
 */
export const dagCicdDataStoresExtensionPoint =
  createExtensionPoint<DagCicdDataStoresExtensionPoint>({
    id: 'dag-cicd.data-stores',
  });

import { Config } from '@backstage/config';
import { DataStore } from '@dag-cicd/plugin-dag-cicd-node';
import path from 'node:path';
import { isWithin } from '../namespaces/DataNamespace';
import { FileDataStore } from './FileDataStore';

/** The built-in stores that `dagCicd.dataStore` configures, and the store root. */
export interface ConfiguredDataStores {
  stores: DataStore[];
  /** The `file://` store, which is always there. */
  file: FileDataStore;
  /** Where environment namespaces live: `dagCicd.dataStore.root`. */
  root: string;
}

// The embedded default: a folder beside the backend's working directory, so
// that `npm start` works with no configuration at all.
const DEFAULT_FILE_ROOT = '.data/store';

/**
 * Reads `dagCicd.dataStore`. The `file` store is always there (it is the
 * embedded default); `s3` only when configured. The root defaults to the file
 * store's folder.
 */
export function readDataStoreConfig(
  config: Config,
  extra: { s3?: (config: Config) => DataStore | undefined } = {},
): ConfiguredDataStores {
  const folder = path.resolve(
    config.getOptionalString('dagCicd.dataStore.file.root') ??
      DEFAULT_FILE_ROOT,
  );
  const file = new FileDataStore({ root: folder });
  const s3 = extra.s3?.(config);
  const root =
    config.getOptionalString('dagCicd.dataStore.root') ?? file.rootUri;
  if (!root.endsWith('/') || !isWithin(root, root)) {
    throw new Error(
      `dagCicd.dataStore.root ${JSON.stringify(
        root,
      )} must be a normalised URI prefix ending in "/", such as s3://lake/dag-cicd/`,
    );
  }
  return { stores: s3 ? [file, s3] : [file], file, root };
}

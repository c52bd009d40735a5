import { InputError } from '@backstage/errors';
import { DataStore } from '@dag-cicd/plugin-dag-cicd-node';

/**
 * The data stores the backend knows, by URI scheme: the built-in `file` and
 * `s3`, plus whatever backend modules add through the extension point. Every
 * URI the backend touches is routed through here, so a URI with a scheme no
 * store serves is a clear 400 rather than a crash deep in a copy.
 */
export class DataStores {
  readonly #byScheme = new Map<string, DataStore>();

  constructor(stores: Iterable<DataStore> = []) {
    for (const store of stores) this.add(store);
  }

  add(store: DataStore): void {
    if (this.#byScheme.has(store.scheme)) {
      throw new Error(
        `Two data stores claim the URI scheme "${store.scheme}://"; a backend module may add each scheme once`,
      );
    }
    this.#byScheme.set(store.scheme, store);
  }

  /** The store serving this URI's scheme. @throws InputError if none does */
  forUri(uri: string): DataStore {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(uri)?.[1];
    const store = scheme ? this.#byScheme.get(scheme) : undefined;
    if (!store) {
      throw new InputError(
        `No data store serves ${JSON.stringify(
          uri,
        )}; the configured stores serve ${[...this.#byScheme.keys()]
          .map(s => `${s}://`)
          .join(', ')}`,
      );
    }
    return store;
  }
}

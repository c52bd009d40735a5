import { InputError, NotFoundError } from '@backstage/errors';
import { DataStore, DataStoreObject } from '@dag-cicd/plugin-dag-cicd-node';
import { constants, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isWithin } from '../namespaces/DataNamespace';
import { FileWorkers } from './FileWorkers';
import { awaited, runAsync } from './fileCalls';
import {
  codeOf,
  FileRoot,
  isMissing,
  linkError,
  PathCopy,
  TEMP_PREFIX,
} from './FileRoot';

// O_NOFOLLOW refuses a link as the last component (ELOOP); O_NONBLOCK keeps
// the open of a FIFO from waiting for a writer (it changes nothing for a
// regular file), so that fstat can tell it is not an object.
const OPEN_OBJECT =
  constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The embedded data store: `file://` URIs under one local folder.
 *
 * The URI `file://<root>/a/b.csv` is the file `<root>/a/b.csv`, spelled
 * literally (no percent-encoding; see `isWithin` for why). Every method
 * refuses a URI outside the root, and no method follows a symbolic link
 * found under the root: a link could point anywhere on the machine, so it is
 * neither read through, written through, listed, nor descended into, and
 * `deletePrefix` removes the link itself, never its target.
 *
 * How, and what exactly is guaranteed. Each call checks its paths right
 * before using them and caches nothing from one call to the next, so a link
 * that appears is seen by the next call.
 *
 * - Exact, with no window between check and use: the last component of every
 *   path written (a temporary file created with O_EXCL, then `rename`, which
 *   replaces a link at the target's name and never writes through it),
 *   created (`mkdir`: a link in a folder's place is EEXIST) or read (`open`
 *   with O_NOFOLLOW, then `fstat` of what was opened).
 * - Checked just before use: the folders above every path, with one
 *   `realpath` each. It resolves every link, so the path holds none exactly
 *   when the answer reads the same as the question; when it does not, one
 *   `lstat` per folder decides (a file system that folds case answers in its
 *   own spelling, with no link at all). Also checked just before use: the
 *   source of a copy, with `lstat` (libuv copies by path), and the folders
 *   below one that `list` or `deletePrefix` walks, by the entry types the
 *   directory itself gives.
 * - Not covered: a folder swapped for a link between the check and the use,
 *   microseconds later, by someone who can already write under the root.
 *   Node has no `openat2(RESOLVE_BENEATH)` to close that window. The checks
 *   stop every link that is there when a call starts, which is what a
 *   hostile key or a careless link in the data can produce.
 * - The root's own real path is read once: the root is configuration, and
 *   moving it while the backend runs is not supported.
 *
 * The checks live in `FileRoot`, written once as programs of file system
 * calls. On the event loop each call is a round trip to libuv's thread pool,
 * about a fifth of the cost of copying a 16 KiB file, so checks that do not
 * depend on each other run at once, and none is made twice: a copy is three
 * checks side by side, then the copy and a rename. `copyMany` runs the same
 * programs blocking in worker threads, where a call costs only itself, and
 * `list` walks folders there (`walkFolder`), a chunk at a time.
 */
export class FileDataStore implements DataStore {
  readonly scheme = 'file';
  readonly #rootUri: string;
  readonly #files: FileRoot;

  constructor(options: { root: string }) {
    const root = options.root.replace(/\/+$/, '');
    if (!path.isAbsolute(options.root) || path.normalize(root) !== root) {
      throw new InputError(
        `The file data store root must be a normalised absolute path, got ${JSON.stringify(
          options.root,
        )}`,
      );
    }
    this.#rootUri = `file://${root}/`;
    this.#files = new FileRoot(root);
    if (!isWithin(this.#rootUri, this.#rootUri)) {
      throw new InputError(
        `The file data store root ${JSON.stringify(
          options.root,
        )} cannot be a URI prefix: it must not contain "\\", "%", "?", "#" or control characters`,
      );
    }
  }

  /**
   * Makes the root folder, and the folders above it, when it is missing, as
   * a database makes its data folder: the embedded default lives in a
   * folder a fresh checkout does not have. For startup only; no other method
   * ever makes the root, so that a root that goes missing later (an
   * unmounted volume) fails loudly rather than filling up an empty stand-in.
   */
  async ensureRoot(): Promise<void> {
    await fs.mkdir(this.#files.path, { recursive: true });
  }

  /** The URI prefix of the root folder, e.g. `file:///var/data/dag-cicd/`. */
  get rootUri(): string {
    return this.#rootUri;
  }

  async exists(uri: string): Promise<boolean> {
    const stat = await runAsync(this.#files.object(this.#path(uri), uri));
    return stat?.isFile() ?? false;
  }

  async *list(prefix: string): AsyncIterable<DataStoreObject> {
    const folder = this.#path(this.#prefix(prefix));
    if (await runAsync(this.#files.checkFolder(folder, prefix))) {
      yield* FileWorkers.shared().walk(folder, prefix);
    }
  }

  async read(uri: string): Promise<Readable> {
    const file = this.#path(uri);
    // The folders first: an open, unlike an lstat, may have effects (a
    // device, an automount), so none is made through a link.
    if (!(await runAsync(this.#files.checkFolder(path.dirname(file), uri)))) {
      throw new NotFoundError(`No object at ${uri}`);
    }
    let handle;
    try {
      handle = await fs.open(file, OPEN_OBJECT);
    } catch (error) {
      if (codeOf(error) === 'ELOOP') throw linkError(uri);
      if (isMissing(error)) throw new NotFoundError(`No object at ${uri}`);
      throw error;
    }
    // fstat of what was opened: no window for a swap after a check.
    let isFile = false;
    try {
      isFile = (await handle.stat()).isFile();
    } finally {
      if (!isFile) await handle.close();
    }
    if (!isFile) {
      throw new NotFoundError(`No object at ${uri}`);
    }
    return handle.createReadStream();
  }

  async write(uri: string, body: Readable | Buffer | string): Promise<void> {
    const file = this.#path(this.#objectUri(uri));
    await runAsync(
      this.#files.write(file, uri, temp =>
        awaited(() =>
          pipeline(
            typeof body === 'string' || Buffer.isBuffer(body)
              ? Readable.from([body])
              : body,
            createWriteStream(temp, { flags: 'wx' }),
          ),
        ),
      ),
    );
  }

  async copy(fromUri: string, toUri: string): Promise<void> {
    await runAsync(this.#files.copy(this.#copy(fromUri, toUri)));
  }

  /**
   * Copies many objects in worker threads (see `FileWorkers`), each exactly
   * as `copy` does. Every URI is checked before the first copy.
   */
  async copyMany(
    copies: ReadonlyArray<{ from: string; to: string }>,
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    await FileWorkers.shared().copy(
      this.#files.path,
      copies.map(({ from, to }) => this.#copy(from, to)),
      options?.signal,
    );
  }

  async deletePrefix(prefix: string): Promise<{ deleted: number }> {
    const folder = this.#path(this.#prefix(prefix));
    if (!(await runAsync(this.#files.checkFolder(folder, prefix)))) {
      return { deleted: 0 };
    }
    // Checked above for links; lstat tells a folder from a file.
    if (!(await fs.lstat(folder)).isDirectory()) {
      return { deleted: 0 };
    }
    const deleted = await this.#deleteTree(folder);
    // The root folder itself stays: it belongs to the configuration.
    if (folder !== this.#files.path) {
      await fs.rmdir(folder);
    }
    return { deleted };
  }

  /** Maps a URI to its file path, refusing anything outside the root. */
  #path(uri: string): string {
    if (!isWithin(this.#rootUri, uri)) {
      throw new InputError(
        `${JSON.stringify(uri)} is not within the data store root ${
          this.#rootUri
        }`,
      );
    }
    // A normalised URI has no empty, `.` or `..` segment: its path is the
    // file's path as it is, less a prefix's trailing `/`.
    const relative = uri.slice(this.#rootUri.length).replace(/\/$/, '');
    return relative === ''
      ? this.#files.path
      : `${this.#files.path}/${relative}`;
  }

  #prefix(prefix: string): string {
    if (!prefix.endsWith('/')) {
      throw new InputError(
        `${JSON.stringify(prefix)} is not a prefix: it must end with "/"`,
      );
    }
    return prefix;
  }

  /** The paths of a copy's source and target, with their URIs. */
  #copy(fromUri: string, toUri: string): PathCopy {
    return {
      from: { path: this.#path(fromUri), uri: fromUri },
      to: { path: this.#path(this.#objectUri(toUri)), uri: toUri },
    };
  }

  #objectUri(uri: string): string {
    if (uri.endsWith('/')) {
      throw new InputError(
        `${JSON.stringify(uri)} names a prefix, not an object`,
      );
    }
    return uri;
  }

  /** Deletes everything inside a folder, counting files and links. */
  async #deleteTree(folder: string): Promise<number> {
    let deleted = 0;
    for await (const entry of await fs.opendir(folder)) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        deleted += await this.#deleteTree(full);
        await fs.rmdir(full);
      } else {
        // Files, links (the link, not its target) and anything else.
        await fs.unlink(full);
        if (!entry.name.startsWith(TEMP_PREFIX)) {
          deleted += 1;
        }
      }
    }
    return deleted;
  }
}

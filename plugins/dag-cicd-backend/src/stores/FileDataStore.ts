import { InputError, NotFoundError } from '@backstage/errors';
import { DataStore, DataStoreObject } from '@dag-cicd/plugin-dag-cicd-node';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isWithin } from '../namespaces/DataNamespace';

// In-flight writes live beside their target under this name, so that a rename
// can publish them atomically (same folder, same file system). `list` hides
// them; a crashed write leaves one behind for `deletePrefix` to clean up.
const TEMP_PREFIX = '.dag-cicd-tmp-';

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The embedded data store: `file://` URIs under one local folder.
 *
 * The URI `file://<root>/a/b.csv` is the file `<root>/a/b.csv`, spelled
 * literally (no percent-encoding; see `isWithin` for why). Every method
 * refuses a URI outside the root, and no method follows a symbolic link
 * found under the root: a link could point anywhere on the machine, so it is
 * neither read through, written through, listed, nor descended into, and
 * `deletePrefix` removes the link itself, never its target.
 */
export class FileDataStore implements DataStore {
  readonly scheme = 'file';
  readonly #root: string;
  readonly #rootUri: string;

  constructor(options: { root: string }) {
    const root = options.root.replace(/\/+$/, '');
    if (!path.isAbsolute(options.root) || path.normalize(root) !== root) {
      throw new InputError(
        `The file data store root must be a normalised absolute path, got ${JSON.stringify(
          options.root,
        )}`,
      );
    }
    this.#root = root;
    this.#rootUri = `file://${root}/`;
    if (!isWithin(this.#rootUri, this.#rootUri)) {
      throw new InputError(
        `The file data store root ${JSON.stringify(
          options.root,
        )} cannot be a URI prefix: it must not contain "\\", "%", "?", "#" or control characters`,
      );
    }
  }

  /** The URI prefix of the root folder, e.g. `file:///var/data/dag-cicd/`. */
  get rootUri(): string {
    return this.#rootUri;
  }

  async exists(uri: string): Promise<boolean> {
    const file = await this.#resolve(uri);
    try {
      return (await fs.lstat(file)).isFile();
    } catch (error) {
      if (isMissing(error)) {
        return false;
      }
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<DataStoreObject> {
    const folder = await this.#resolve(this.#prefix(prefix));
    yield* this.#walk(folder, prefix);
  }

  async read(uri: string): Promise<Readable> {
    const file = await this.#resolve(uri);
    await this.#requireFile(file, uri);
    return createReadStream(file);
  }

  async write(uri: string, body: Readable | Buffer | string): Promise<void> {
    const file = await this.#resolve(this.#object(uri));
    await this.#ensureFolder(path.dirname(file));
    await this.#publish(file, async temp => {
      const source =
        typeof body === 'string' || Buffer.isBuffer(body)
          ? Readable.from([body])
          : body;
      await pipeline(source, createWriteStream(temp, { flags: 'wx' }));
    });
  }

  async copy(fromUri: string, toUri: string): Promise<void> {
    const from = await this.#resolve(fromUri);
    const to = await this.#resolve(this.#object(toUri));
    await this.#requireFile(from, fromUri);
    await this.#ensureFolder(path.dirname(to));
    await this.#publish(to, temp =>
      fs.copyFile(from, temp, fs.constants.COPYFILE_EXCL),
    );
  }

  async deletePrefix(prefix: string): Promise<{ deleted: number }> {
    const folder = await this.#resolve(this.#prefix(prefix));
    let stat;
    try {
      stat = await fs.lstat(folder);
    } catch (error) {
      if (isMissing(error)) {
        return { deleted: 0 };
      }
      throw error;
    }
    if (!stat.isDirectory()) {
      return { deleted: 0 };
    }
    const deleted = await this.#deleteTree(folder);
    // The root folder itself stays: it belongs to the configuration.
    if (folder !== this.#root) {
      await fs.rmdir(folder);
    }
    return { deleted };
  }

  /**
   * Maps a URI to its file path, refusing anything outside the root and any
   * path whose folders under the root include a symbolic link.
   */
  async #resolve(uri: string): Promise<string> {
    if (!isWithin(this.#rootUri, uri)) {
      throw new InputError(
        `${JSON.stringify(uri)} is not within the data store root ${
          this.#rootUri
        }`,
      );
    }
    const segments = uri
      .slice(this.#rootUri.length)
      .split('/')
      .filter(s => s !== '');
    let current = this.#root;
    for (const segment of segments) {
      current = path.join(current, segment);
      try {
        if ((await fs.lstat(current)).isSymbolicLink()) {
          throw new InputError(
            `${JSON.stringify(
              uri,
            )} goes through a symbolic link, which the file data store does not follow`,
          );
        }
      } catch (error) {
        if (isMissing(error)) {
          break;
        }
        throw error;
      }
    }
    return path.join(this.#root, ...segments);
  }

  #prefix(prefix: string): string {
    if (!prefix.endsWith('/')) {
      throw new InputError(
        `${JSON.stringify(prefix)} is not a prefix: it must end with "/"`,
      );
    }
    return prefix;
  }

  #object(uri: string): string {
    if (uri.endsWith('/')) {
      throw new InputError(
        `${JSON.stringify(uri)} names a prefix, not an object`,
      );
    }
    return uri;
  }

  async #requireFile(file: string, uri: string): Promise<void> {
    try {
      if ((await fs.lstat(file)).isFile()) {
        return;
      }
    } catch (error) {
      if (!isMissing(error)) {
        throw error;
      }
    }
    throw new NotFoundError(`No object at ${uri}`);
  }

  /** Creates the folders under the root one by one, never through a link. */
  async #ensureFolder(folder: string): Promise<void> {
    const relative = path.relative(this.#root, folder);
    let current = this.#root;
    for (const segment of relative === '' ? [] : relative.split(path.sep)) {
      current = path.join(current, segment);
      try {
        await fs.mkdir(current);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
      }
      // A link may have appeared since #resolve looked; check again.
      if (!(await fs.lstat(current)).isDirectory()) {
        throw new InputError(
          `${current} is not a folder; the file data store does not follow links`,
        );
      }
    }
  }

  /**
   * Fills a temporary file beside the target and renames it over the target,
   * so that readers see the old object or the whole new one. On failure the
   * temporary file is removed and the target is left as it was.
   */
  async #publish(
    file: string,
    fill: (temp: string) => Promise<void>,
  ): Promise<void> {
    const temp = path.join(
      path.dirname(file),
      `${TEMP_PREFIX}${randomUUID()}-${path.basename(file)}`.slice(0, 255),
    );
    try {
      await fill(temp);
      await fs.rename(temp, file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
  }

  async *#walk(
    folder: string,
    prefix: string,
  ): AsyncGenerator<DataStoreObject> {
    let dir;
    try {
      dir = await fs.opendir(folder);
    } catch (error) {
      if (isMissing(error)) {
        return;
      }
      throw error;
    }
    // opendir streams entries, so a folder with millions of files is not read
    // into memory at once. Entry types come from the directory itself, like
    // lstat: a link to a folder is a link, not a folder.
    for await (const entry of dir) {
      if (entry.name.startsWith(TEMP_PREFIX)) {
        continue;
      }
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        yield* this.#walk(full, `${prefix}${entry.name}/`);
      } else if (entry.isFile()) {
        const { size } = await fs.lstat(full);
        yield { uri: `${prefix}${entry.name}`, size };
      }
    }
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

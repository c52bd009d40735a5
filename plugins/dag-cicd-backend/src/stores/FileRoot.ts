import { InputError, NotFoundError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { constants, Stats } from 'node:fs';
import path from 'node:path';
import {
  both,
  copyFile,
  FileProgram,
  lstat,
  mkdir,
  realpath,
  rename,
  stat,
  unlink,
} from './fileCalls';

// In-flight writes live beside their target under this name, so that a rename
// can publish them atomically (same folder, same file system). `list` hides
// them; a crashed write leaves one behind for `deletePrefix` to clean up.
export const TEMP_PREFIX = '.dag-cicd-tmp-';

// Clones the blocks where the file system can (Btrfs, XFS, APFS): no bytes
// copied at all. Elsewhere libuv falls back to copy_file_range or sendfile.
// EXCL: the temporary file is created, never opened through a link.
const COPY_FLAGS = constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE;

export function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

export function isMissing(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function underFileError(uri: string): InputError {
  return new InputError(`${JSON.stringify(uri)} is under a file, not a folder`);
}

/** An object store may hold `a` and `a/b.csv` both; a file system cannot. */
function folderInTheWayError(uri: string): InputError {
  return new InputError(
    `${JSON.stringify(
      uri,
    )} is a folder of other objects, so no object can be written under that name`,
  );
}

/** The error a failed publish of `uri` reports, for what was in the way. */
function publishError(error: unknown, uri: string): unknown {
  switch (codeOf(error)) {
    case 'ENOTDIR':
      return underFileError(uri);
    case 'EISDIR':
      return folderInTheWayError(uri);
    default:
      return error;
  }
}

export function linkError(uri: string): InputError {
  return new InputError(
    `${JSON.stringify(
      uri,
    )} goes through a symbolic link, which the file data store does not follow`,
  );
}

/** One object to copy: paths under a root, with the URIs errors name. */
export interface PathCopy {
  from: { path: string; uri: string };
  to: { path: string; uri: string };
}

/**
 * The file store's root folder and the checks that keep every path under it
 * free of symbolic links (see `FileDataStore` for what is guaranteed and
 * how). Each check is a {@link FileProgram}, so that the store runs it on the
 * event loop and a copy worker runs the very same check blocking.
 *
 * `uri` arguments only name the object in error messages.
 */
export class FileRoot {
  /** The root folder, a normalised absolute path. */
  readonly path: string;
  // Read once: the root is configuration, and moving it while the backend
  // runs is not supported.
  #real?: string;

  constructor(root: string) {
    this.path = root;
  }

  /**
   * Whether `folder` (the root or a path under it) exists with no symbolic
   * link from the root down to it; false when it does not exist, or a folder
   * above it does not (a dangling link included: there is nothing to follow).
   *
   * @throws InputError when a link is on the way
   */
  *checkFolder(folder: string, uri: string): FileProgram<boolean> {
    let real;
    try {
      real = yield* realpath(folder);
    } catch (error) {
      if (isMissing(error)) return false;
      if (codeOf(error) === 'ELOOP') throw linkError(uri);
      throw error;
    }
    this.#real ??= yield* realpath(this.path);
    if (real === `${this.#real}${folder.slice(this.path.length)}`) {
      return true;
    }
    // Somewhere else than it reads: a link, or only a different spelling.
    return yield* this.#lstatEachFolder(folder, uri);
  }

  /** The slow, exact form of checkFolder: one lstat per folder. */
  *#lstatEachFolder(folder: string, uri: string): FileProgram<boolean> {
    const relative = path.relative(this.path, folder);
    let current = this.path;
    for (const segment of relative === '' ? [] : relative.split(path.sep)) {
      current = path.join(current, segment);
      try {
        if ((yield* lstat(current)).isSymbolicLink()) {
          throw linkError(uri);
        }
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    }
    return true;
  }

  /**
   * What is at `file`, never following a link: its lstat, or undefined when
   * nothing is there. The lstat runs alongside the folders' check: it opens
   * nothing and has no effect, and its answer counts only if the check
   * passes.
   *
   * @throws InputError when the file or a folder above it is a link
   */
  *object(file: string, uri: string): FileProgram<Stats | undefined> {
    const [present, found] = yield* both(
      this.checkFolder(path.dirname(file), uri),
      lstatIfPresent(file),
    );
    if (!present || !found) return undefined;
    if (found.isSymbolicLink()) throw linkError(uri);
    return found;
  }

  /**
   * Creates a missing folder and the missing ones above it, one level at a
   * time below the deepest that exists (checked like any other), so that no
   * `mkdir` runs through a link.
   */
  *#makeFolder(folder: string, uri: string): FileProgram<void> {
    // `folder` is known to be missing; the root is never made.
    const missing: string[] = [];
    for (
      let current = folder;
      current !== this.path;
      current = path.dirname(current)
    ) {
      if (missing.length > 0 && (yield* this.checkFolder(current, uri))) break;
      missing.push(current);
    }
    for (const current of missing.reverse()) {
      try {
        yield* mkdir(current);
      } catch (error) {
        if (codeOf(error) === 'ENOTDIR') {
          throw underFileError(uri);
        }
        if (codeOf(error) === 'ENOENT' && !(yield* this.#rootExists())) {
          throw new Error(
            `The file data store root ${this.path} does not exist (is its volume mounted?); the backend makes it at startup when environments live there`,
          );
        }
        if (codeOf(error) !== 'EEXIST') {
          throw error;
        }
        // Made meanwhile by another call, or something else is there.
        const found = yield* lstat(current);
        if (found.isSymbolicLink()) {
          throw linkError(uri);
        }
        if (!found.isDirectory()) {
          throw new InputError(
            `${current} is not a folder; the file data store does not follow links`,
          );
        }
      }
    }
  }

  *#rootExists(): FileProgram<boolean> {
    try {
      yield* stat(this.path);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Writes the object at `file` from `fill`: its folders checked, and made
   * when missing, then published.
   */
  *write(
    file: string,
    uri: string,
    fill: (temp: string) => FileProgram<unknown>,
  ): FileProgram<void> {
    const folder = path.dirname(file);
    if (!(yield* this.checkFolder(folder, uri))) {
      yield* this.#makeFolder(folder, uri);
    }
    yield* this.#publish(file, uri, fill);
  }

  /**
   * Fills a temporary file beside the target and renames it over the target,
   * so that readers see the old object or the whole new one. On failure the
   * temporary file is removed and the target is left as it was.
   */
  *#publish(
    file: string,
    uri: string,
    fill: (temp: string) => FileProgram<unknown>,
  ): FileProgram<void> {
    const temp = path.join(
      path.dirname(file),
      `${TEMP_PREFIX}${randomUUID()}-${path.basename(file)}`.slice(0, 255),
    );
    try {
      yield* fill(temp);
      yield* rename(temp, file);
    } catch (error) {
      try {
        yield* unlink(temp);
      } catch (cleanup) {
        if (!isMissing(cleanup)) throw cleanup;
      }
      throw publishError(error, uri);
    }
  }

  /**
   * Copies the object at `from` to `to`: three checks side by side (the
   * source's folders and the source itself, the target's folders), then the
   * target's missing folders, a copy into a temporary file and a rename.
   */
  *copy({ from, to }: PathCopy): FileProgram<void> {
    const folder = path.dirname(to.path);
    const [source, present] = yield* both(
      this.object(from.path, from.uri),
      this.checkFolder(folder, to.uri),
    );
    if (!source?.isFile()) {
      throw new NotFoundError(`No object at ${from.uri}`);
    }
    if (!present) {
      yield* this.#makeFolder(folder, to.uri);
    }
    yield* this.#publish(to.path, to.uri, temp =>
      copyFile(from.path, temp, COPY_FLAGS),
    );
  }
}

function* lstatIfPresent(file: string): FileProgram<Stats | undefined> {
  try {
    return yield* lstat(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

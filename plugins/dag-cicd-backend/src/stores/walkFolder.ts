import { DataStoreObject } from '@dag-cicd/plugin-dag-cicd-node';
import fs from 'node:fs';
import path from 'node:path';
import { isMissing, TEMP_PREFIX } from './FileRoot';

/** Directory entries read at once. */
const DIR_BUFFER = 256;

/**
 * Every object under `folder` (whose URI prefix is `prefix`), depth first,
 * read blocking: run in a file store worker (see `FileWorkers.walk`), where a
 * system call costs only itself, and pulled a chunk at a time, so that a
 * folder of millions of files is never held at once.
 *
 * Entry types come from the directory itself, like lstat: a link to a
 * folder is a link, neither listed nor descended into; only regular files
 * are objects. A file's size needs an lstat, which also skips a file that
 * vanished or changed type since the folder was read. In-flight writes
 * (temporary files) are not objects. A folder that vanished is empty.
 */
export function* walkFolder(
  folder: string,
  prefix: string,
): Generator<DataStoreObject> {
  const pending: Array<[string, string]> = [[folder, prefix]];
  while (pending.length > 0) {
    const [current, currentPrefix] = pending.pop()!;
    let dir: fs.Dir;
    try {
      dir = fs.opendirSync(current, { bufferSize: DIR_BUFFER });
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    try {
      for (let entry = dir.readSync(); entry; entry = dir.readSync()) {
        if (entry.name.startsWith(TEMP_PREFIX)) continue;
        if (entry.isDirectory()) {
          pending.push([
            path.join(current, entry.name),
            `${currentPrefix}${entry.name}/`,
          ]);
        } else if (entry.isFile()) {
          let stat: fs.Stats;
          try {
            stat = fs.lstatSync(path.join(current, entry.name));
          } catch (error) {
            if (isMissing(error)) continue;
            throw error;
          }
          if (stat.isFile()) {
            yield { uri: `${currentPrefix}${entry.name}`, size: stat.size };
          }
        }
      }
    } finally {
      dir.closeSync();
    }
  }
}

import { InputError, NotFoundError } from '@backstage/errors';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { FileDataStore } from './FileDataStore';
import {
  describeDataStoreConformance,
  replay,
} from './__testUtils__/dataStoreConformance';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
  }
  return items;
}

/** Every file under a folder (links as their target path) with its sha256. */
async function checksums(folder: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await fs.readdir(folder, {
    recursive: true,
    withFileTypes: true,
  })) {
    const full = path.join(entry.parentPath, entry.name);
    const key = path.relative(folder, full);
    if (entry.isSymbolicLink()) {
      result[key] = `-> ${await fs.readlink(full)}`;
    } else if (entry.isFile()) {
      result[key] = createHash('sha256')
        .update(await fs.readFile(full))
        .digest('hex');
    }
  }
  return result;
}

// Each copy test runs both ways: `copyMany` runs the same checks in a worker.
const copyWays = ['copy', 'copyMany'] as const;

function copying(store: FileDataStore, way: (typeof copyWays)[number]) {
  return (from: string, to: string) =>
    way === 'copy' ? store.copy(from, to) : store.copyMany([{ from, to }]);
}

describe('FileDataStore', () => {
  let tmp: string;
  let root: string;
  let outside: string;
  let store: FileDataStore;
  let rootUri: string;
  let ci1: string;

  beforeEach(async () => {
    tmp = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'dag-cicd-file-store-')),
    );
    root = path.join(tmp, 'data');
    outside = path.join(tmp, 'outside');
    await fs.mkdir(root);
    await fs.mkdir(outside);
    store = new FileDataStore({ root });
    rootUri = `file://${root}/`;
    ci1 = `${rootUri}default/orders/ci_1/`;
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  describeDataStoreConformance(async () => ({
    store,
    prefix: `${rootUri}conformance/`,
  }));

  it('serves the file scheme under its root', () => {
    expect(store.scheme).toBe('file');
    expect(store.rootUri).toBe(rootUri);
  });

  it('makes a missing root at startup, and only then', async () => {
    const fresh = new FileDataStore({ root: path.join(tmp, 'new/store') });
    const uri = `${fresh.rootUri}default/orders/ci_1/a.csv`;
    // Never made as a side effect of a write: a vanished root fails loudly.
    await expect(fresh.write(uri, 'a')).rejects.toThrow(
      `The file data store root ${path.join(tmp, 'new/store')} does not exist`,
    );
    await expect(fs.stat(path.join(tmp, 'new'))).rejects.toThrow(/ENOENT/);
    await fresh.ensureRoot();
    await fresh.ensureRoot(); // idempotent
    await fresh.write(uri, 'a');
    expect(await fresh.exists(uri)).toBe(true);
  });

  it('writes, reads and tells whether an object exists', async () => {
    const uri = `${ci1}out/part-0.csv`;
    expect(await store.exists(uri)).toBe(false);
    await store.write(uri, 'id,amount\n1,10\n');
    expect(await store.exists(uri)).toBe(true);
    expect(await text(await store.read(uri))).toBe('id,amount\n1,10\n');
    expect(
      await fs.readFile(
        path.join(root, 'default/orders/ci_1/out/part-0.csv'),
        'utf8',
      ),
    ).toBe('id,amount\n1,10\n');
  });

  it('writes Buffers and streams, and replaces an existing object', async () => {
    const uri = `${ci1}x.bin`;
    await store.write(uri, Buffer.from([1, 2, 3]));
    expect(
      await fs.readFile(path.join(root, 'default/orders/ci_1/x.bin')),
    ).toEqual(Buffer.from([1, 2, 3]));
    await store.write(uri, Readable.from(['a', 'b', 'c']));
    expect(await text(await store.read(uri))).toBe('abc');
  });

  it('says a prefix is not an object', async () => {
    await store.write(`${ci1}out/part-0.csv`, 'x');
    expect(await store.exists(`${ci1}out/`)).toBe(false);
    await expect(store.write(`${ci1}out/`, 'x')).rejects.toThrow(InputError);
  });

  it('fails to read a missing object with NotFoundError', async () => {
    await expect(store.read(`${ci1}missing.csv`)).rejects.toThrow(
      NotFoundError,
    );
  });

  it('lists every object under a prefix, recursively, with its size', async () => {
    await store.write(`${ci1}a.csv`, '12345');
    await store.write(`${ci1}deep/er/b.json`, '{}');
    await store.write(`${rootUri}default/orders/ci_10/c.csv`, 'sibling');
    const listed = await collect(store.list(ci1));
    expect(listed.sort((x, y) => x.uri.localeCompare(y.uri))).toEqual([
      { uri: `${ci1}a.csv`, size: 5 },
      { uri: `${ci1}deep/er/b.json`, size: 2 },
    ]);
    expect(await collect(store.list(`${ci1}nothing/`))).toEqual([]);
  });

  it('lists a folder of many files, and files that vanish meanwhile are not listed', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `part-${i}.csv`);
    await fs.mkdir(path.join(root, 'many/deep'), { recursive: true });
    for (const [i, name] of names.entries()) {
      await fs.writeFile(path.join(root, 'many', name), 'x'.repeat(i));
    }
    await fs.writeFile(path.join(root, 'many/deep/last.csv'), 'last');
    const listed = new Map<string, number>();
    for await (const { uri, size } of store.list(`${rootUri}many/`)) {
      listed.set(uri.slice(`${rootUri}many/`.length), size);
      // Deleted while the listing is under way: not listed, no error.
      await fs.rm(path.join(root, 'many/part-149.csv'), { force: true });
    }
    expect(listed.get('deep/last.csv')).toBe(4);
    // Every file once, with its size; the one deleted only if it was listed
    // before it went.
    const sizes = names.map((name, i) => [name, i] as const);
    expect([...listed].filter(([name]) => name !== 'deep/last.csv')).toEqual(
      expect.arrayContaining(sizes.slice(0, 149)),
    );
    expect(listed.size - 1).toBeGreaterThanOrEqual(149);
    expect(listed.get('part-149.csv') ?? 149).toBe(149);
  });

  it('lists thousands of files in chunks, each once, and stops when the reader does', async () => {
    const count = 1300;
    for (let folder = 0; folder < 4; folder++) {
      await fs.mkdir(path.join(root, `big/f${folder}`), { recursive: true });
    }
    for (let i = 0; i < count; i++) {
      await fs.writeFile(path.join(root, `big/f${i % 4}/p${i}.csv`), 'x');
    }
    const listed = await collect(store.list(`${rootUri}big/`));
    expect(new Set(listed.map(o => o.uri)).size).toBe(count);
    expect(listed.every(o => o.size === 1)).toBe(true);

    let read = 0;
    for await (const _ of store.list(`${rootUri}big/`)) {
      if (++read === 10) break;
    }
    expect(read).toBe(10);
    // The walk it left is closed; the next one starts afresh.
    expect(await collect(store.list(`${rootUri}big/`))).toHaveLength(count);
  });

  it('copies one object', async () => {
    await store.write(`${rootUri}prod/events/e.csv`, 'event');
    await store.copy(`${rootUri}prod/events/e.csv`, `${ci1}in/events/e.csv`);
    expect(await text(await store.read(`${ci1}in/events/e.csv`))).toBe('event');
    expect(await text(await store.read(`${rootUri}prod/events/e.csv`))).toBe(
      'event',
    );
    await expect(
      store.copy(`${rootUri}prod/missing.csv`, `${ci1}x.csv`),
    ).rejects.toThrow(NotFoundError);
  });

  describe('copyMany', () => {
    const keys = Array.from(
      { length: 150 },
      (_, i) => `dt=2026-11-${String(i % 7).padStart(2, '0')}/part-${i}.csv`,
    );

    beforeEach(async () => {
      for (const key of keys) {
        await store.write(`${rootUri}prod/events/${key}`, `rows of ${key}\n`);
      }
    });

    it('copies every object, in worker threads, making the folders', async () => {
      await store.copyMany(
        keys.map(key => ({
          from: `${rootUri}prod/events/${key}`,
          to: `${ci1}inputs/events/${key}`,
        })),
      );
      expect(await checksums(path.join(root, 'default/orders/ci_1'))).toEqual(
        Object.fromEntries(
          Object.entries(await checksums(path.join(root, 'prod/events'))).map(
            ([key, sum]) => [`inputs/events/${key}`, sum],
          ),
        ),
      );
    });

    it('checks every URI before copying anything', async () => {
      const copies = keys.map(key => ({
        from: `${rootUri}prod/events/${key}`,
        to: `${ci1}inputs/events/${key}`,
      }));
      copies.push({ from: copies[0].from, to: `file://${outside}/x.csv` });
      await expect(store.copyMany(copies)).rejects.toThrow(
        /is not within the data store root/,
      );
      expect(await collect(store.list(ci1))).toEqual([]);
      expect(await fs.readdir(outside)).toEqual([]);
    });

    it("fails with the store's own error types, stopping short of the list's end after the first failure", async () => {
      const copies = keys.map(key => ({
        from: `${rootUri}prod/events/${key}`,
        to: `${ci1}inputs/events/${key}`,
      }));
      copies.splice(3, 0, {
        from: `${rootUri}prod/missing.csv`,
        to: `${ci1}inputs/missing.csv`,
      });
      const failure = await store.copyMany(copies).catch(error => error);
      expect(failure).toBeInstanceOf(NotFoundError);
      expect(failure.message).toBe(`No object at ${rootUri}prod/missing.csv`);
      // Settled: nothing lands after the failure was reported.
      const copied = (await collect(store.list(ci1))).length;
      expect(copied).toBeLessThan(keys.length);
      await new Promise(resolve => setTimeout(resolve, 50));
      expect((await collect(store.list(ci1))).length).toBe(copied);
    });

    it('stops at an aborted signal, with its reason', async () => {
      const controller = new AbortController();
      controller.abort(new Error('the environment was torn down'));
      await expect(
        store.copyMany(
          keys.map(key => ({
            from: `${rootUri}prod/events/${key}`,
            to: `${ci1}inputs/events/${key}`,
          })),
          { signal: controller.signal },
        ),
      ).rejects.toThrow('the environment was torn down');
      expect(await collect(store.list(ci1))).toEqual([]);
    });

    it('fails as copies made one at a time do, having made every copy before the failure (property)', async () => {
      // Sources present or missing, targets distinct (copies sharing one
      // land in no promised order): the same error as the first failing
      // single copy, and everything a one-at-a-time run made is made.
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(
            fc.record({
              from: fc.oneof(
                fc.constantFrom(...keys.slice(0, 20)),
                fc.constantFrom('missing-1.csv', 'missing-2.csv'),
              ),
              to: fc.stringMatching(/^[a-d]{1,3}(\/[a-d]{1,3})?$/),
            }),
            { selector: copy => copy.to, maxLength: 40 },
          ),
          async list => {
            const run = `run-${++runs}`;
            const copies = (target: string) =>
              list.map(({ from, to }) => ({
                from: from.startsWith('missing')
                  ? `${rootUri}prod/${from}`
                  : `${rootUri}prod/events/${from}`,
                to: `${rootUri}${run}/${target}/${to}.csv`,
              }));
            const many = await store.copyMany(copies('many')).then(
              () => undefined,
              error => error,
            );
            let single: Error | undefined;
            const made: string[] = [];
            for (const { from, to } of copies('single')) {
              try {
                await store.copy(from, to);
                made.push(to.replace('/single/', '/many/'));
              } catch (error) {
                single = error as Error;
                break;
              }
            }
            expect(many?.name).toBe(single?.name);
            expect(many?.message).toBe(single?.message);
            for (const uri of made) {
              expect(await store.exists(uri)).toBe(true);
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('copies nothing for an empty list', async () => {
      await store.copyMany([]);
      expect(await collect(store.list(ci1))).toEqual([]);
    });
  });

  describe('atomic write', () => {
    function failingMidway() {
      return new Readable({
        read() {
          this.push('half of the rows\n');
          this.destroy(new Error('connection reset'));
        },
      });
    }

    it('leaves no target when the source fails mid-way', async () => {
      const uri = `${ci1}out/part-0.csv`;
      await expect(store.write(uri, failingMidway())).rejects.toThrow(
        'connection reset',
      );
      expect(await store.exists(uri)).toBe(false);
      // No temporary file left behind either.
      expect(
        await fs.readdir(path.join(root, 'default/orders/ci_1/out')),
      ).toEqual([]);
    });
  });

  describe('deletePrefix', () => {
    it('deletes exactly one environment, leaving everything else byte for byte', async () => {
      const ci10 = `${rootUri}default/orders/ci_10/`;
      await store.write(`${ci1}out/part-0.csv`, 'ci_1 output');
      await store.write(`${ci1}out/deep/part-1.csv`, 'more ci_1 output');
      await store.write(`${ci1}_manifests/run/task.json`, '{}');
      await store.write(`${ci10}out/part-0.csv`, 'ci_10 output');
      await store.write(`${rootUri}default/orders/ci_1.csv`, 'look-alike file');
      await store.write(`${rootUri}prod/orders/events.csv`, 'production data');
      await fs.writeFile(path.join(outside, 'secret.txt'), 'outside the root');
      await fs.mkdir(path.join(outside, 'folder'));
      await fs.writeFile(path.join(outside, 'folder/keep.txt'), 'keep me');
      // Links inside the prefix pointing outside it: to a file, to a folder.
      await fs.symlink(
        path.join(outside, 'secret.txt'),
        path.join(root, 'default/orders/ci_1/out/secret-link'),
      );
      await fs.symlink(
        path.join(outside, 'folder'),
        path.join(root, 'default/orders/ci_1/folder-link'),
      );
      await fs.symlink(
        path.join(root, 'prod'),
        path.join(root, 'default/orders/ci_1/prod-link'),
      );

      const prefixFolder = path.join(root, 'default/orders/ci_1');
      const before = await checksums(tmp);
      const expected = Object.fromEntries(
        Object.entries(before).filter(
          ([file]) =>
            !path.join(tmp, file).startsWith(`${prefixFolder}${path.sep}`),
        ),
      );

      expect(await store.deletePrefix(ci1)).toEqual({ deleted: 6 });

      expect(await checksums(tmp)).toEqual(expected);
      expect(Object.keys(expected)).toEqual(
        expect.arrayContaining([
          'data/default/orders/ci_10/out/part-0.csv',
          'data/default/orders/ci_1.csv',
          'data/prod/orders/events.csv',
          'outside/secret.txt',
          'outside/folder/keep.txt',
        ]),
      );
      await expect(fs.lstat(prefixFolder)).rejects.toThrow(/ENOENT/);
    });

    it('deletes nothing for a prefix that does not exist', async () => {
      expect(await store.deletePrefix(`${ci1}never/`)).toEqual({ deleted: 0 });
    });

    it('only takes prefixes', async () => {
      await expect(
        store.deletePrefix(`${rootUri}default/orders/ci_1`),
      ).rejects.toThrow(InputError);
    });
  });

  describe('symbolic links', () => {
    beforeEach(async () => {
      await fs.mkdir(path.join(root, 'default/orders/ci_1'), {
        recursive: true,
      });
      await fs.writeFile(path.join(outside, 'secret.txt'), 'outside the root');
      await fs.symlink(outside, path.join(root, 'default/orders/ci_1/escape'));
      await fs.symlink(
        path.join(outside, 'secret.txt'),
        path.join(root, 'default/orders/ci_1/secret.txt'),
      );
    });

    it('does not list through a link or list the link', async () => {
      expect(await collect(store.list(ci1))).toEqual([]);
    });

    it('does not read through a link', async () => {
      await expect(store.read(`${ci1}escape/secret.txt`)).rejects.toThrow(
        /symbolic link/,
      );
      await expect(store.read(`${ci1}secret.txt`)).rejects.toThrow(
        /symbolic link/,
      );
    });

    it('does not write through a link', async () => {
      await expect(
        store.write(`${ci1}escape/planted.txt`, 'x'),
      ).rejects.toThrow(/symbolic link/);
      expect(await fs.readdir(outside)).toEqual(['secret.txt']);
    });

    it('does not delete through a link named as the prefix', async () => {
      await expect(store.deletePrefix(`${ci1}escape/`)).rejects.toThrow(
        /symbolic link/,
      );
      expect(await fs.readdir(outside)).toEqual(['secret.txt']);
    });

    it.each(copyWays)(
      'does not copy from or through a link (%s)',
      async way => {
        const copy = copying(store, way);
        await store.write(`${ci1}in.csv`, 'inside');
        for (const from of [`${ci1}secret.txt`, `${ci1}escape/secret.txt`]) {
          await expect(copy(from, `${ci1}copy.csv`)).rejects.toThrow(
            /symbolic link/,
          );
        }
        await expect(
          copy(`${ci1}in.csv`, `${ci1}escape/copy.csv`),
        ).rejects.toThrow(/symbolic link/);
        expect(await store.exists(`${ci1}copy.csv`)).toBe(false);
        expect(await fs.readdir(outside)).toEqual(['secret.txt']);
      },
    );

    it.each(copyWays)(
      'creates no folder through a link deep in the path (%s)',
      async way => {
        await expect(
          store.write(`${ci1}escape/new/deeper/x.csv`, 'x'),
        ).rejects.toThrow(/symbolic link/);
        await store.write(`${ci1}in.csv`, 'x');
        await expect(
          copying(store, way)(`${ci1}in.csv`, `${ci1}escape/new/x.csv`),
        ).rejects.toThrow(/symbolic link/);
        expect(await fs.readdir(outside)).toEqual(['secret.txt']);
      },
    );

    it.each(copyWays)(
      "replaces a link at the target's name, never writing through it (%s)",
      async way => {
        await store.write(`${ci1}secret.txt`, 'written');
        await store.write(`${ci1}in.csv`, 'copied');
        await copying(store, way)(`${ci1}in.csv`, `${ci1}secret.txt`);
        const target = path.join(root, 'default/orders/ci_1/secret.txt');
        expect((await fs.lstat(target)).isFile()).toBe(true);
        expect(await fs.readFile(target, 'utf8')).toBe('copied');
        expect(
          await fs.readFile(path.join(outside, 'secret.txt'), 'utf8'),
        ).toBe('outside the root');
      },
    );

    it('finds nothing behind a dangling link, and creates nothing there', async () => {
      const gone = path.join(outside, 'gone');
      await fs.symlink(gone, path.join(root, 'default/orders/ci_1/dangling'));
      await expect(store.read(`${ci1}dangling`)).rejects.toThrow();
      await expect(store.read(`${ci1}dangling/x.csv`)).rejects.toThrow(
        NotFoundError,
      );
      expect(await store.exists(`${ci1}dangling/x.csv`)).toBe(false);
      await expect(store.write(`${ci1}dangling/x.csv`, 'x')).rejects.toThrow(
        /symbolic link/,
      );
      expect(await collect(store.list(`${ci1}dangling/`))).toEqual([]);
      expect(await fs.readdir(outside)).toEqual(['secret.txt']);
    });

    it('holds when the root itself is reached through a link', async () => {
      const viaLink = path.join(tmp, 'data-link');
      await fs.symlink(root, viaLink);
      const linked = new FileDataStore({ root: viaLink });
      const uri = `${linked.rootUri}default/orders/ci_1/out/x.csv`;
      await linked.write(uri, 'through the configured root');
      expect(await text(await linked.read(uri))).toBe(
        'through the configured root',
      );
      await expect(
        linked.read(`${linked.rootUri}default/orders/ci_1/secret.txt`),
      ).rejects.toThrow(/symbolic link/);
      await expect(
        linked.write(`${linked.rootUri}default/orders/ci_1/escape/x`, 'x'),
      ).rejects.toThrow(/symbolic link/);
      expect(await fs.readdir(outside)).toEqual(['secret.txt']);
    });
  });

  it('neither reads nor copies a FIFO, and does not wait on one', async () => {
    await fs.mkdir(path.join(root, 'default'));
    execFileSync('mkfifo', [path.join(root, 'default/pipe')]);
    const pipe = `${rootUri}default/pipe`;
    expect(await store.exists(pipe)).toBe(false);
    await expect(store.read(pipe)).rejects.toThrow(NotFoundError);
    for (const way of copyWays) {
      await expect(
        copying(store, way)(pipe, `${rootUri}default/x`),
      ).rejects.toThrow(NotFoundError);
    }
    expect(await collect(store.list(`${rootUri}default/`))).toEqual([]);
  });

  it('says a file on the way is not a folder', async () => {
    await store.write(`${ci1}a.csv`, 'x');
    await expect(store.write(`${ci1}a.csv/b.csv`, 'y')).rejects.toThrow(
      InputError,
    );
    for (const way of copyWays) {
      await expect(
        copying(store, way)(`${ci1}a.csv`, `${ci1}a.csv/c/d.csv`),
      ).rejects.toThrow(InputError);
    }
    expect(await store.exists(`${ci1}a.csv/b.csv`)).toBe(false);
    expect(await text(await store.read(`${ci1}a.csv`))).toBe('x');
  });

  it('says a folder is in the way of an object of its name, and leaves the folder as it was', async () => {
    // As an S3 listing of both `a.csv` and `a.csv/b.csv` would ask.
    await store.write(`${ci1}a.csv/b.csv`, 'y');
    await store.write(`${ci1}x.csv`, 'x');
    await expect(store.write(`${ci1}a.csv`, 'x')).rejects.toThrow(
      /"file:.*\/a\.csv" is a folder of other objects/,
    );
    for (const way of copyWays) {
      await expect(
        copying(store, way)(`${ci1}x.csv`, `${ci1}a.csv`),
      ).rejects.toThrow(InputError);
    }
    // The files as they were, and no temporary file left beside them.
    expect(
      Object.keys(await checksums(path.join(root, 'default/orders/ci_1'))),
    ).toEqual(['x.csv', 'a.csv/b.csv']);
    expect(await text(await store.read(`${ci1}a.csv/b.csv`))).toBe('y');
  });

  it('never touches or reveals anything outside the root, wherever links are (property)', async () => {
    // Links planted anywhere in a small tree, to a folder or a file outside
    // the root or to nothing at all, then any sequence of operations on paths
    // that run into them: the outside stays byte for byte as it was, and no
    // answer carries its content.
    const secret = 'outside the root';
    const places = ['a', 'b', 'a/b', 'a/x.csv', 'b/y.json', 'a/b/ci_1.csv'];
    const links = fc.uniqueArray(
      fc.record({
        place: fc.constantFrom(...places),
        to: fc.constantFrom('folder', 'file', 'nothing'),
      }),
      { selector: l => l.place.split('/')[0], maxLength: 3 },
    );
    /** Every file and folder under `folder`, files with their checksums. */
    const snapshot = async (folder: string) => ({
      names: (await fs.readdir(folder, { recursive: true })).sort(),
      files: await checksums(folder),
    });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        links,
        fc.array(fc.constantFrom(...places), { maxLength: 3 }),
        fc.array(
          fc.oneof(
            ...(['write', 'read', 'exists'] as const).map(op =>
              fc.record({
                op: fc.constant(op),
                key: fc.constantFrom(...places, 'a/b/x.csv', 'b/y.json/z.csv'),
                body: fc.constant('data'),
                streamed: fc.boolean(),
              }),
            ),
            fc.record({
              op: fc.constant('copy' as const),
              from: fc.constantFrom(...places),
              to: fc.constantFrom(...places, 'a/b/c/x.csv'),
            }),
            fc.record({
              op: fc.constant('copyMany' as const),
              copies: fc.array(
                fc.record({
                  from: fc.constantFrom(...places),
                  to: fc.constantFrom(...places, 'a/b/c/x.csv'),
                }),
                { minLength: 1, maxLength: 3 },
              ),
            }),
            ...(['list', 'deletePrefix'] as const).map(op =>
              fc.record({
                op: fc.constant(op),
                prefix: fc.constantFrom('', 'a/', 'b/', 'a/b/'),
              }),
            ),
          ),
          { maxLength: 12 },
        ),
        async (planted, files, scenario) => {
          const run = `run-${++runs}`;
          const inside = path.join(root, run);
          // Each run its own outside, so that one run's damage cannot hide
          // or show up as another's.
          const away = path.join(outside, run);
          await fs.mkdir(path.join(away, 'a'), { recursive: true });
          await fs.writeFile(path.join(away, 'x.csv'), secret);
          await fs.writeFile(path.join(away, 'a/x.csv'), secret);
          const before = await snapshot(away);
          const targets = {
            folder: away,
            file: path.join(away, 'x.csv'),
            nothing: path.join(away, 'gone'),
          };
          for (const file of files) {
            // Paths that clash with an earlier file are left out.
            const full = path.join(inside, file);
            await fs
              .mkdir(path.dirname(full), { recursive: true })
              .then(() => fs.writeFile(full, 'inside'))
              .catch(() => {});
          }
          for (const { place, to } of planted) {
            const full = path.join(inside, place);
            await fs
              .rm(full, { recursive: true, force: true })
              .then(() => fs.mkdir(path.dirname(full), { recursive: true }))
              .then(() => fs.symlink(targets[to], full))
              .catch(() => {});
          }
          const transcript = await replay(store, `${rootUri}${run}/`, [
            ...scenario,
            { op: 'list', prefix: '' },
          ]);
          expect(JSON.stringify(transcript)).not.toContain(secret);
          expect(await snapshot(away)).toEqual(before);
        },
      ),
      { numRuns: 150 },
    );
  });

  describe('refuses URIs outside its root', () => {
    it.each([
      ['another file', 'file:///etc/passwd'],
      ['the folder beside the root', () => `file://${outside}/secret.txt`],
      ['a parent escape', () => `${rootUri}../outside/secret.txt`],
      ['an escape inside a path', () => `${rootUri}default/../../outside/x`],
      ['an encoded escape', () => `${rootUri}%2e%2e/outside/x`],
      ['a backslash escape', () => `${rootUri}..\\outside\\x`],
      ['a root look-alike', () => `file://${root}-2/x`],
      ['another scheme', 's3://lake/x'],
      ['a relative path', 'default/orders/x'],
    ])('%s', async (_, uriOf) => {
      const uri = typeof uriOf === 'function' ? uriOf() : uriOf;
      const prefix = uri.endsWith('/') ? uri : `${uri}/`;
      await expect(store.exists(uri)).rejects.toThrow(InputError);
      await expect(store.read(uri)).rejects.toThrow(InputError);
      await expect(store.write(uri, 'x')).rejects.toThrow(InputError);
      for (const way of copyWays) {
        const copy = copying(store, way);
        await expect(copy(`${ci1}a`, uri)).rejects.toThrow(InputError);
        await expect(copy(uri, `${ci1}a`)).rejects.toThrow(InputError);
      }
      await expect(store.deletePrefix(prefix)).rejects.toThrow(InputError);
      await expect(collect(store.list(prefix))).rejects.toThrow(InputError);
      expect(await fs.readdir(outside)).toEqual([]);
    });
  });

  it('refuses a root that is not a normalised absolute path', () => {
    expect(() => new FileDataStore({ root: 'relative/data' })).toThrow(
      InputError,
    );
    expect(() => new FileDataStore({ root: '/var/data/../etc' })).toThrow(
      InputError,
    );
    expect(() => new FileDataStore({ root: '/var/da%2fta' })).toThrow(
      InputError,
    );
  });
});

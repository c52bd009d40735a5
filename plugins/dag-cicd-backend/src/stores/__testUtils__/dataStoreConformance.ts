/* eslint-disable jest/no-export */
// A shared suite, not a test file: each store's test file calls it.
import { InputError, NotFoundError } from '@backstage/errors';
import { DataStore } from '@dag-cicd/plugin-dag-cicd-node';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';

/** A store under test, and an empty prefix of it that is fresh per test. */
export interface DataStoreUnderTest {
  store: DataStore;
  prefix: string;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
  }
  return items;
}

/** A body that sends some bytes and then fails, like a dropped connection. */
export function failingMidway(): Readable {
  return new Readable({
    read() {
      this.push('half of the rows\n');
      this.destroy(new Error('connection reset'));
    },
  });
}

/**
 * What every {@link DataStore} promises, whatever it stores data in. Each
 * store's own test file calls this once, next to the tests of what only that
 * store has (symbolic links, multipart uploads, ...).
 */
export function describeDataStoreConformance(
  setup: () => Promise<DataStoreUnderTest>,
): void {
  describe('DataStore conformance', () => {
    let store: DataStore;
    let prefix: string;

    beforeEach(async () => {
      ({ store, prefix } = await setup());
    });

    it('round-trips strings, Buffers and streams, replacing what was there', async () => {
      const uri = `${prefix}out/part-0.csv`;
      expect(await store.exists(uri)).toBe(false);
      await store.write(uri, 'id,amount\n1,10\n');
      expect(await store.exists(uri)).toBe(true);
      expect(await text(await store.read(uri))).toBe('id,amount\n1,10\n');
      await store.write(uri, Buffer.from([0, 1, 2, 255]));
      expect(Buffer.concat(await (await store.read(uri)).toArray())).toEqual(
        Buffer.from([0, 1, 2, 255]),
      );
      await store.write(uri, Readable.from(['a', 'b', 'c']));
      expect(await text(await store.read(uri))).toBe('abc');
      await store.write(uri, '');
      expect(await text(await store.read(uri))).toBe('');
    });

    it('tells objects from prefixes', async () => {
      await store.write(`${prefix}out/part-0.csv`, 'x');
      expect(await store.exists(`${prefix}out/`)).toBe(false);
      await expect(store.write(`${prefix}out/`, 'x')).rejects.toThrow(
        InputError,
      );
      await expect(store.read(`${prefix}out/`)).rejects.toThrow(NotFoundError);
      await expect(
        store.copy(`${prefix}out/part-0.csv`, `${prefix}in/`),
      ).rejects.toThrow(InputError);
      await expect(store.deletePrefix(`${prefix}out`)).rejects.toThrow(
        InputError,
      );
      await expect(collect(store.list(`${prefix}out`))).rejects.toThrow(
        InputError,
      );
    });

    it('fails on a missing object with NotFoundError', async () => {
      await expect(store.read(`${prefix}missing.csv`)).rejects.toThrow(
        NotFoundError,
      );
      await expect(
        store.copy(`${prefix}missing.csv`, `${prefix}x.csv`),
      ).rejects.toThrow(NotFoundError);
      expect(await store.exists(`${prefix}x.csv`)).toBe(false);
    });

    it('lists every object under a prefix, recursively, with its size', async () => {
      const ci1 = `${prefix}ci_1/`;
      await store.write(`${ci1}a.csv`, '12345');
      await store.write(`${ci1}deep/er/b.json`, '{}');
      await store.write(`${prefix}ci_10/c.csv`, 'sibling');
      await store.write(`${prefix}ci_1.csv`, 'look-alike');
      const listed = await collect(store.list(ci1));
      expect(listed.sort((x, y) => x.uri.localeCompare(y.uri))).toEqual([
        { uri: `${ci1}a.csv`, size: 5 },
        { uri: `${ci1}deep/er/b.json`, size: 2 },
      ]);
      expect(await collect(store.list(`${ci1}nothing/`))).toEqual([]);
    });

    it('copies an object, leaving the source as it was', async () => {
      await store.write(`${prefix}prod/e.csv`, 'event');
      await store.write(`${prefix}ci_1/in/e.csv`, 'to be replaced');
      await store.copy(`${prefix}prod/e.csv`, `${prefix}ci_1/in/e.csv`);
      expect(await text(await store.read(`${prefix}ci_1/in/e.csv`))).toBe(
        'event',
      );
      expect(await text(await store.read(`${prefix}prod/e.csv`))).toBe('event');
      await store.copy(`${prefix}prod/e.csv`, `${prefix}prod/e.csv`);
      expect(await text(await store.read(`${prefix}prod/e.csv`))).toBe('event');
    });

    it('leaves nothing, or the previous object, when a body fails', async () => {
      const uri = `${prefix}out/part-0.csv`;
      await expect(store.write(uri, failingMidway())).rejects.toThrow(
        'connection reset',
      );
      expect(await store.exists(uri)).toBe(false);
      expect(await collect(store.list(prefix))).toEqual([]);
      await store.write(uri, 'old, complete\n');
      await expect(store.write(uri, failingMidway())).rejects.toThrow(
        'connection reset',
      );
      expect(await text(await store.read(uri))).toBe('old, complete\n');
    });

    it('never shows a partial object while a write is under way', async () => {
      const uri = `${prefix}out/big.csv`;
      let release!: () => void;
      const gate = new Promise<void>(resolve => {
        release = resolve;
      });
      async function* slow() {
        yield 'first half\n';
        await gate;
        yield 'second half\n';
      }
      const writing = store.write(uri, Readable.from(slow()));
      await new Promise(resolve => setTimeout(resolve, 20));
      expect(await store.exists(uri)).toBe(false);
      expect(await collect(store.list(prefix))).toEqual([]);
      release();
      await writing;
      expect(await text(await store.read(uri))).toBe(
        'first half\nsecond half\n',
      );
    });

    it('deletes exactly the objects under a prefix', async () => {
      const ci1 = `${prefix}ci_1/`;
      await store.write(`${ci1}out/part-0.csv`, 'ci_1 output');
      await store.write(`${ci1}out/deep/part-1.csv`, 'more ci_1 output');
      await store.write(`${ci1}_manifests/run/task.json`, '{}');
      await store.write(`${prefix}ci_10/out/part-0.csv`, 'ci_10 output');
      await store.write(`${prefix}ci_1.csv`, 'look-alike');
      expect(await store.deletePrefix(ci1)).toEqual({ deleted: 3 });
      const left = await collect(store.list(prefix));
      expect(left.map(o => o.uri).sort()).toEqual([
        `${prefix}ci_1.csv`,
        `${prefix}ci_10/out/part-0.csv`,
      ]);
      expect(await store.deletePrefix(ci1)).toEqual({ deleted: 0 });
    });

    it.each([
      ['a parent escape', '../x.csv'],
      ['an escape inside a path', 'a/../../x.csv'],
      ['an encoded escape', '%2e%2e/x.csv'],
      ['a backslash escape', '..\\x.csv'],
      ['an empty segment', 'a//x.csv'],
      ['a query', 'a?x=1'],
    ])('refuses a URI with %s for every method', async (_, relative) => {
      const uri = `${prefix}${relative}`;
      const asPrefix = `${uri}/`;
      await expect(store.exists(uri)).rejects.toThrow(InputError);
      await expect(store.read(uri)).rejects.toThrow(InputError);
      await expect(store.write(uri, 'x')).rejects.toThrow(InputError);
      await expect(store.copy(`${prefix}a.csv`, uri)).rejects.toThrow(
        InputError,
      );
      await expect(store.copy(uri, `${prefix}a.csv`)).rejects.toThrow(
        InputError,
      );
      await expect(store.deletePrefix(asPrefix)).rejects.toThrow(InputError);
      await expect(collect(store.list(asPrefix))).rejects.toThrow(InputError);
    });
  });
}

/** One step of a random scenario, on keys relative to a scenario prefix. */
export type Operation =
  | { op: 'write'; key: string; body: string; streamed: boolean }
  | { op: 'writeFailing'; key: string }
  | { op: 'copy'; from: string; to: string }
  | { op: 'copyMany'; copies: Array<{ from: string; to: string }> }
  | { op: 'exists'; key: string }
  | { op: 'read'; key: string }
  | { op: 'list'; prefix: string }
  | { op: 'deletePrefix'; prefix: string };

// Folder names never look like file names, so no scenario writes a file
// where another has a folder: S3 allows `a` and `a/b` side by side, a file
// system does not, and that difference is not what these scenarios probe.
const folders = fc.array(fc.constantFrom('a', 'b', 'ci_1', 'ci_10'), {
  maxLength: 2,
});
const folder = folders.map(f => f.map(s => `${s}/`).join(''));
const key = fc
  .tuple(folder, fc.constantFrom('x.csv', 'y.json', 'ci_1.csv'))
  .map(([f, name]) => `${f}${name}`);

/** Random scenarios that collide often: few names, shallow trees. */
export const operations: fc.Arbitrary<Operation[]> = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constant('write' as const),
      key,
      body: fc.string({ maxLength: 20 }),
      streamed: fc.boolean(),
    }),
    fc.record({ op: fc.constant('writeFailing' as const), key }),
    fc.record({ op: fc.constant('copy' as const), from: key, to: key }),
    fc.record({ op: fc.constant('exists' as const), key }),
    fc.record({ op: fc.constant('read' as const), key }),
    fc.record({ op: fc.constant('list' as const), prefix: folder }),
    fc.record({ op: fc.constant('deletePrefix' as const), prefix: folder }),
  ),
  { minLength: 1, maxLength: 25 },
);

async function outcomeOf(
  store: DataStore,
  prefix: string,
  operation: Operation,
): Promise<unknown> {
  switch (operation.op) {
    case 'write':
      return store.write(
        `${prefix}${operation.key}`,
        operation.streamed
          ? Readable.from([Buffer.from(operation.body)])
          : operation.body,
      );
    case 'writeFailing':
      return store.write(`${prefix}${operation.key}`, failingMidway());
    case 'copy':
      return store.copy(
        `${prefix}${operation.from}`,
        `${prefix}${operation.to}`,
      );
    case 'copyMany':
      return store.copyMany!(
        operation.copies.map(({ from, to }) => ({
          from: `${prefix}${from}`,
          to: `${prefix}${to}`,
        })),
      );
    case 'exists':
      return store.exists(`${prefix}${operation.key}`);
    case 'read':
      return text(await store.read(`${prefix}${operation.key}`));
    case 'list':
      return (await collect(store.list(`${prefix}${operation.prefix}`)))
        .map(o => [o.uri.slice(prefix.length), o.size])
        .sort();
    case 'deletePrefix':
      return store.deletePrefix(`${prefix}${operation.prefix}`);
    default:
      throw new Error(`Unknown operation ${JSON.stringify(operation)}`);
  }
}

/**
 * Runs a scenario on a store under `prefix` and returns what each step
 * answered, in a form two stores can be compared on: values with URIs made
 * relative to the prefix, errors by name and message.
 */
export async function replay(
  store: DataStore,
  prefix: string,
  scenario: Operation[],
): Promise<unknown[]> {
  const transcript: unknown[] = [];
  for (const operation of scenario) {
    try {
      transcript.push({ ok: await outcomeOf(store, prefix, operation) });
    } catch (error) {
      const { name, message } = error as Error;
      transcript.push({ error: name, message: message.split(prefix).join('') });
    }
  }
  return transcript;
}

import { InputError, NotAllowedError } from '@backstage/errors';
import { DataStore, DataStoreObject } from '@dag-cicd/plugin-dag-cicd-node';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { isWithin } from '../namespaces/DataNamespace';
import { DataStores } from '../stores/DataStores';
import { FileDataStore } from '../stores/FileDataStore';
import { failingMidway } from '../stores/__testUtils__/dataStoreConformance';
import { FaultRates } from './faults';
import { parseInputProfile } from './InputProfile';
import { CHAOS_REPORT, SeedInputsOptions, seedInputs } from './seedInputs';

/** Every file under a folder with its sha256; `{}` for a missing folder. */
async function checksums(folder: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  let entries;
  try {
    entries = await fs.readdir(folder, {
      recursive: true,
      withFileTypes: true,
    });
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      result[path.relative(folder, full)] = createHash('sha256')
        .update(await fs.readFile(full))
        .digest('hex');
    }
  }
  return result;
}

/**
 * A FileDataStore that records every write, copy and delete, and refuses one
 * outside the namespace or inside production itself: the test's oracle, in
 * case a bug slipped past `assertWritable`.
 */
class GuardedStore implements DataStore {
  readonly scheme = 'file';
  readonly mutations: string[] = [];
  readonly copies: string[] = [];
  /** Extra listing entries, as a misbehaving or hostile store would list. */
  extra = new Map<string, string[]>();
  /** A body to serve instead of the file, by URI. */
  bodies = new Map<string, () => Readable>();

  constructor(
    readonly inner: FileDataStore,
    readonly namespace: string,
    readonly production: string,
  ) {}

  #mutate(uri: string) {
    this.mutations.push(uri);
    if (!isWithin(this.namespace, uri) || isWithin(this.production, uri)) {
      throw new Error(`ESCAPE: ${uri}`);
    }
  }

  exists(uri: string) {
    return this.inner.exists(uri);
  }
  async *list(prefix: string): AsyncIterable<DataStoreObject> {
    for (const key of this.extra.get(prefix) ?? []) {
      yield { uri: `${prefix}${key}`, size: 3 };
    }
    yield* this.inner.list(prefix);
  }
  async read(uri: string) {
    const body = this.bodies.get(uri);
    if (body) return body();
    if ([...this.extra].some(([p, keys]) => keys.some(k => p + k === uri))) {
      return Readable.from(['x\n']);
    }
    return this.inner.read(uri);
  }
  async write(uri: string, body: Readable | Buffer | string) {
    this.#mutate(uri);
    return this.inner.write(uri, body);
  }
  async copy(from: string, to: string) {
    this.#mutate(to);
    this.copies.push(to);
    if (this.bodies.has(from) || !(await this.inner.exists(from))) {
      return this.inner.write(to, await this.read(from));
    }
    return this.inner.copy(from, to);
  }
  async deletePrefix(prefix: string) {
    this.#mutate(prefix);
    return this.inner.deletePrefix(prefix);
  }
}

/** A store that fails on any call: proof that a profile does no I/O. */
const noIo: DataStore = new Proxy({ scheme: 'file' } as DataStore, {
  get(target, property) {
    if (property === 'scheme') return target.scheme;
    return () => {
      throw new Error(`unexpected I/O: ${String(property)}`);
    };
  },
});

function csv(day: number, rows: number): string {
  const lines = ['id,day,note'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${day * 1000 + i},2026-11-${day},"line one\nline ""two"""`);
  }
  return `${lines.join('\n')}\n`;
}

describe('seedInputs', () => {
  let tmp: string;
  let data: string;
  let rootUri: string;
  let production: string;
  let namespace: string;
  let inputs: Record<string, string>;
  let store: GuardedStore;
  let fixturesRoot: string;
  let options: SeedInputsOptions;

  const folder = (uri: string) => uri.slice('file://'.length);
  const seed = (profile: string, more: Partial<SeedInputsOptions> = {}) =>
    seedInputs({ ...options, profile: parseInputProfile(profile), ...more });
  const put = async (uri: string, body: string | Buffer) => {
    await fs.mkdir(path.dirname(folder(uri)), { recursive: true });
    await fs.writeFile(folder(uri), body);
  };

  beforeEach(async () => {
    tmp = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'dag-cicd-seed-')),
    );
    data = path.join(tmp, 'data');
    await fs.mkdir(data);
    rootUri = `file://${data}/`;
    production = `${rootUri}prod/orders/`;
    namespace = `${rootUri}dag-cicd/default/orders/ci_1/`;
    fixturesRoot = `${rootUri}repo/fixtures/`;
    inputs = {
      events: `${production}events/`,
      customers: `${production}customers/`,
    };
    for (let day = 10; day < 30; day++) {
      await put(`${inputs.events}dt=2026-11-${day}/part-0.csv`, csv(day, 40));
    }
    await put(`${inputs.events}_SUCCESS`, '');
    await put(
      `${inputs.events}dt=2026-11-10/part-1.parquet`,
      Buffer.alloc(900, 7),
    );
    await put(
      `${inputs.customers}customers.jsonl`,
      Array.from({ length: 300 }, (_, i) => `{"id":${i}}\n`).join(''),
    );
    store = new GuardedStore(
      new FileDataStore({ root: data }),
      namespace,
      production,
    );
    options = {
      profile: { kind: 'empty' },
      namespace,
      productionPrefix: production,
      inputs,
      stores: new DataStores([store]),
      limits: { maxObjects: 1000, maxBytes: 2 ** 30, rowFraction: 1 },
      fixturesRoot,
      seed: 42,
    };
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const inNamespace = (uri: string) => `${namespace}inputs/${uri}`;
  const copied = () => checksums(folder(`${namespace}inputs/`));

  describe('empty', () => {
    it('gives each input an empty folder of its own, emptying a stale one', async () => {
      await put(inNamespace('events/stale.csv'), 'old');
      expect(await seed('empty')).toEqual({
        inputs: {
          customers: { uri: inNamespace('customers/'), mode: 'copy' },
          events: { uri: inNamespace('events/'), mode: 'copy' },
        },
        skipped: [],
        skippedCount: 0,
      });
      expect(await copied()).toEqual({});
    });
  });

  describe('production-readonly', () => {
    it('points at production, read-only, without any I/O', async () => {
      expect(
        await seed('production-readonly', { stores: new DataStores([noIo]) }),
      ).toEqual({
        inputs: {
          customers: { uri: inputs.customers, mode: 'read-only' },
          events: { uri: inputs.events, mode: 'read-only' },
        },
        skipped: [],
        skippedCount: 0,
      });
    });

    it('still refuses an input prefix that is not normalised', async () => {
      await expect(
        seed('production-readonly', {
          inputs: { events: `${production}a/../../x/` },
        }),
      ).rejects.toThrow(/input "events" .* is not a normalised URI prefix/);
    });
  });

  describe('sample', () => {
    it('copies whole objects server-side under the same keys at row fraction 1', async () => {
      const result = await seed('sample');
      expect(result.inputs.events).toEqual({
        uri: inNamespace('events/'),
        mode: 'copy',
      });
      const source = await checksums(folder(production));
      const target = await copied();
      expect(Object.keys(target)).toHaveLength(23);
      for (const [key, sum] of Object.entries(target)) {
        expect(source[key]).toBe(sum);
      }
      expect(store.copies).toHaveLength(23);
      expect(store.mutations.filter(m => !m.endsWith('/'))).toEqual(
        store.copies,
      );
    });

    it('takes at most maxObjects objects and maxBytes bytes per input', async () => {
      const size = Buffer.byteLength(csv(10, 40));
      await seed('sample', {
        limits: { maxObjects: 5, maxBytes: 3 * size + 10, rowFraction: 1 },
      });
      const events = Object.keys(await copied()).filter(k =>
        k.startsWith('events/'),
      );
      // The empty _SUCCESS always fits; three CSV files fill the bytes.
      expect(events.length).toBeLessThanOrEqual(5);
      const bytes = (
        await Promise.all(
          events.map(k => fs.stat(folder(inNamespace(k))).then(s => s.size)),
        )
      ).reduce((a, b) => a + b, 0);
      expect(bytes).toBeLessThanOrEqual(3 * size + 10);
      expect(Object.keys(await copied())).toContain(
        'customers/customers.jsonl',
      );
    });

    it('keeps a seeded fraction of rows, with the CSV header and whole quoted rows', async () => {
      await seed('sample', {
        limits: { maxObjects: 1000, maxBytes: 2 ** 30, rowFraction: 0.25 },
      });
      const part = await fs.readFile(
        folder(inNamespace('events/dt=2026-11-10/part-0.csv')),
        'utf8',
      );
      const original = csv(10, 40);
      expect(part.startsWith('id,day,note\n')).toBe(true);
      const rows = part.match(/\d+,2026-11-10,"line one\nline ""two"""\n/g)!;
      expect(part).toBe(`id,day,note\n${rows.join('')}`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThan(40);
      for (const row of rows) expect(original).toContain(row);
      // A Parquet object cannot be split into rows: copied whole.
      expect(
        await fs.readFile(
          folder(inNamespace('events/dt=2026-11-10/part-1.parquet')),
        ),
      ).toEqual(Buffer.alloc(900, 7));
    });

    it('gives the same objects, byte for byte, for the same seed; others for another', async () => {
      const limits = { maxObjects: 6, maxBytes: 2 ** 30, rowFraction: 0.3 };
      await seed('sample', { limits });
      const first = await copied();
      await seed('sample', { limits });
      expect(await copied()).toEqual(first);
      await seed('sample', { limits, seed: 43 });
      expect(await copied()).not.toEqual(first);
    });

    it('recovers from a crash mid-way: a second run leaves exactly the first run’s objects', async () => {
      const limits = { maxObjects: 6, maxBytes: 2 ** 30, rowFraction: 0.3 };
      await seed('sample', { limits });
      const expected = await copied();
      await fs.rm(folder(`${namespace}inputs/`), { recursive: true });
      await put(inNamespace('events/dt=2026-11-10/part-0.csv'), 'half a fi');
      await put(inNamespace('events/left-over.csv'), 'from another run');
      await seed('sample', { limits });
      expect(await copied()).toEqual(expected);
    });

    it('leaves no partial object when a source stream fails', async () => {
      const broken = `${inputs.events}dt=2026-11-12/part-0.csv`;
      store.bodies.set(broken, failingMidway);
      await expect(
        seed('sample', {
          limits: { maxObjects: 1000, maxBytes: 2 ** 30, rowFraction: 0.5 },
        }),
      ).rejects.toThrow('connection reset');
      const target = folder(inNamespace('events/dt=2026-11-12/'));
      expect(await fs.readdir(target).catch(() => [])).toEqual([]);
    });

    it('skips a key it cannot write into the namespace, and says which and why', async () => {
      const unsafe = [
        'a/../../x.csv',
        'ts=2026-11-24 00:00:00/part-0.csv',
        'ts=2026-11-24%2000%3A00/part-0.csv',
        'a//b.csv',
      ];
      store.extra.set(inputs.events, unsafe);
      const result = await seed('sample');
      expect(result.skippedCount).toBe(4);
      expect(result.skipped).toEqual(
        [...unsafe].sort().map(key => ({
          input: 'events',
          key,
          reason: expect.stringContaining(JSON.stringify(key)),
        })),
      );
      expect(result.skipped[0].reason).toMatch(/relative path/);
      // The rest of the input is copied as it would have been without them.
      expect(Object.keys(await copied())).toHaveLength(23);
      expect(store.copies).toHaveLength(23);
      expect(
        store.mutations.filter(m => /%| |\.\.|\/\//.test(folder(m))),
      ).toEqual([]);
    });

    it('fills the sample with writable objects, and lists a bounded, ordered few of those it skipped', async () => {
      const unsafe = Array.from(
        { length: 250 },
        (_, i) => `ts=2026-11-24 00:${String(i).padStart(3, '0')}/part.csv`,
      );
      store.extra.set(inputs.events, [...unsafe].reverse());
      const limits = { maxObjects: 5, maxBytes: 2 ** 30, rowFraction: 1 };
      const result = await seed('sample', { limits });
      expect(
        Object.keys(await copied()).filter(k => k.startsWith('events/')),
      ).toHaveLength(5);
      expect(result.skippedCount).toBe(250);
      expect(result.skipped.map(s => s.key)).toEqual(unsafe.slice(0, 100));
    });

    it('skips S3 folder markers', async () => {
      store.extra.set(inputs.events, ['dt=2026-11-10/']);
      await seed('sample');
      expect(store.mutations.some(m => m.endsWith('dt=2026-11-10/'))).toBe(
        false,
      );
    });

    it.each([
      [{ maxObjects: -1, maxBytes: 1, rowFraction: 1 }, /maxObjects/],
      [{ maxObjects: 1.5, maxBytes: 1, rowFraction: 1 }, /maxObjects/],
      [{ maxObjects: 1, maxBytes: NaN, rowFraction: 1 }, /maxBytes/],
      [{ maxObjects: 1, maxBytes: 1, rowFraction: 0 }, /rowFraction/],
      [{ maxObjects: 1, maxBytes: 1, rowFraction: 1.1 }, /rowFraction/],
    ])('refuses the limits %j', async (limits, message) => {
      await expect(seed('sample', { limits })).rejects.toThrow(InputError);
      await expect(seed('sample', { limits })).rejects.toThrow(message);
    });

    it('refuses a seed the fault injector could not use', async () => {
      await expect(seed('sample', { seed: -1 })).rejects.toThrow(
        'seed must be an unsigned 32-bit integer, got -1',
      );
    });

    it('stops when aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(
        seed('sample', { signal: controller.signal }),
      ).rejects.toThrow(/abort/i);
      expect(store.mutations).toEqual([]);
    });
  });

  it('stops the streamed copies once a bulk copy fails', async () => {
    // A store whose copyMany fails at once: the non-CSV objects go to it,
    // the 20 CSV files and the JSON Lines one are streamed at row fraction
    // 0.5, 8 at a time.
    class FailingBulk extends GuardedStore {
      async copyMany() {
        throw new Error('the bulk copy broke');
      }
    }
    const failing = new FailingBulk(
      new FileDataStore({ root: data }),
      namespace,
      production,
    );
    await expect(
      seed('sample', {
        stores: new DataStores([failing]),
        limits: { ...options.limits, rowFraction: 0.5 },
      }),
    ).rejects.toThrow('the bulk copy broke');
    const streamed = Object.keys(await copied());
    expect(streamed.length).toBeLessThan(21);
  });

  describe('chaos', () => {
    const limits = { maxObjects: 4, maxBytes: 2 ** 30, rowFraction: 0.5 };

    it('runs each CSV and JSON Lines object through the fault injector and reports it', async () => {
      await seed('chaos', { limits, chaos: { duplicates: 1 } });
      const report = (
        await fs.readFile(folder(`${namespace}${CHAOS_REPORT}`), 'utf8')
      )
        .trim()
        .split('\n')
        .map(line => JSON.parse(line));
      const files = Object.keys(await copied()).filter(k =>
        /\.(csv|jsonl)$/.test(k),
      );
      const summaries = report.filter(line => line.summary);
      expect(summaries.map(s => s.file)).toEqual(
        files.map(f => `inputs/${f}`).sort(),
      );
      for (const { file, summary } of summaries) {
        expect(summary.rowsOut).toBe(2 * summary.rowsIn);
        const text = await fs.readFile(folder(`${namespace}${file}`), 'utf8');
        expect(text.split('\n').length).toBeGreaterThan(summary.rowsIn);
      }
      expect(report.filter(line => line.fault === 'duplicates').length).toBe(
        summaries.reduce((n, s) => n + s.summary.rowsIn, 0),
      );
    });

    it('writes the same objects and report for the same seed', async () => {
      const rates = { nulls: 0.2, malformed: 0.1, outOfOrder: 0.1 };
      await seed('chaos', { limits, chaos: rates });
      const first = await checksums(folder(namespace));
      expect(Object.keys(first)).toContain(CHAOS_REPORT);
      await seed('chaos', { limits, chaos: rates });
      expect(await checksums(folder(namespace))).toEqual(first);
    });

    it('writes an empty report when there is nothing to mutate', async () => {
      await seed('chaos', { limits, inputs: {} });
      expect(
        await fs.readFile(folder(`${namespace}${CHAOS_REPORT}`), 'utf8'),
      ).toBe('');
    });

    it('refuses unknown faults', async () => {
      await expect(
        seed('chaos', { chaos: { gremlins: 1 } as FaultRates }),
      ).rejects.toThrow(/chaos.gremlins is not a fault/);
    });
  });

  describe('fixtures', () => {
    it('copies the set’s folder of each input; an input without one is empty', async () => {
      await put(`${fixturesRoot}small/events/dt=1/a.csv`, 'id\n1\n');
      await put(`${fixturesRoot}small/events/b.jsonl`, '{}\n');
      await put(`${fixturesRoot}small/other/c.csv`, 'not an input');
      await put(`${fixturesRoot}big/events/d.csv`, 'another set');
      expect((await seed('fixtures:small')).inputs).toEqual({
        customers: { uri: inNamespace('customers/'), mode: 'copy' },
        events: { uri: inNamespace('events/'), mode: 'copy' },
      });
      expect(await copied()).toEqual({
        'events/b.jsonl': expect.any(String),
        'events/dt=1/a.csv': expect.any(String),
      });
      expect(
        await fs.readFile(folder(inNamespace('events/dt=1/a.csv')), 'utf8'),
      ).toBe('id\n1\n');
    });

    it('ignores the sample limits: a fixture set is what it is', async () => {
      await put(`${fixturesRoot}small/events/a.csv`, 'id\n1\n2\n3\n');
      await put(`${fixturesRoot}small/events/b.csv`, 'id\n4\n');
      await seed('fixtures:small', {
        limits: { maxObjects: 1, maxBytes: 1, rowFraction: 0.1 },
      });
      expect(
        await fs.readFile(folder(inNamespace('events/a.csv')), 'utf8'),
      ).toBe('id\n1\n2\n3\n');
      expect(Object.keys(await copied())).toHaveLength(2);
    });

    it('says which set is missing and where it looked', async () => {
      await expect(seed('fixtures:nope')).rejects.toThrow(
        new InputError(`fixture set "nope" not found under ${fixturesRoot}`),
      );
      await expect(
        seed('fixtures:nope', { fixturesRoot: undefined }),
      ).rejects.toThrow(
        'fixture set "nope" not found: no fixtures root is configured for this DAG',
      );
      expect(store.mutations).toEqual([]);
    });
  });

  describe('from', () => {
    const earlier = () => `${rootUri}dag-cicd/default/orders/ci_0/`;

    it('copies the earlier environment’s inputs, not its outputs, and survives its teardown', async () => {
      await put(`${earlier()}inputs/events/a.csv`, 'id\n1\n');
      await put(`${earlier()}inputs/customers/c.jsonl`, '{}\n');
      await put(`${earlier()}outputs/totals.csv`, 'total\n1\n');
      await put(`${earlier()}_manifests/run/task.json`, '{}');
      const result = await seed('from:ci_0', { sourceNamespace: earlier() });
      expect(result.inputs.events).toEqual({
        uri: inNamespace('events/'),
        mode: 'copy',
      });
      await fs.rm(folder(earlier()), { recursive: true });
      expect(await checksums(folder(namespace))).toEqual({
        'inputs/events/a.csv': expect.any(String),
        'inputs/customers/c.jsonl': expect.any(String),
      });
    });

    it('seeds empty inputs from an environment that has none', async () => {
      const result = await seed('from:ci_0', { sourceNamespace: earlier() });
      expect(result.inputs.customers).toEqual({
        uri: inNamespace('customers/'),
        mode: 'copy',
      });
      expect(await copied()).toEqual({});
    });

    it('needs the earlier namespace, and not its own', async () => {
      await expect(seed('from:ci_0')).rejects.toThrow(
        'profile from:ci_0 needs the data namespace of environment "ci_0"',
      );
      await expect(
        seed('from:ci_1', { sourceNamespace: namespace }),
      ).rejects.toThrow(/names the environment being seeded/);
    });
  });

  describe('data isolation', () => {
    it('never writes production, even with the namespace inside production', async () => {
      const before = await checksums(data);
      const inside = `${production}dag-cicd/default/orders/ci_1/`;
      for (const profile of ['empty', 'sample', 'chaos', 'fixtures:small']) {
        await put(`${fixturesRoot}small/events/a.csv`, 'id\n1\n');
        await expect(seed(profile, { namespace: inside })).rejects.toThrow(
          NotAllowedError,
        );
      }
      expect(store.mutations).toEqual([]);
      expect(await checksums(data)).toEqual({
        ...before,
        'repo/fixtures/small/events/a.csv': expect.any(String),
      });
    });

    it('refuses an input whose copy would contain its own source', async () => {
      await expect(
        seed('sample', { inputs: { events: `${namespace}inputs/events/x/` } }),
      ).rejects.toThrow(/one contains the other/);
    });

    const hostile = fc.oneof(
      fc
        .array(
          fc.constantFrom(
            '..',
            '.',
            '/',
            '//',
            '\\',
            '%2f',
            '%2e%2e',
            '\uff0f',
            '\u2024',
            '\u0000',
            '?',
            '#',
            ':',
            'file://',
            ' ',
            'a',
            '_x',
            'ci_2',
            'x.csv',
          ),
          { maxLength: 6 },
        )
        .map(parts => parts.join('')),
      fc.string({ maxLength: 20 }),
    );

    const validKeys = ['x.csv', 'dt=1/part-0.csv', '_SUCCESS', 'a/b.jsonl'];
    const profiles = [
      'empty',
      'sample',
      'chaos',
      'fixtures:small',
      'from:ci_0',
      'production-readonly',
    ];

    it('writes nothing outside the namespace, whatever the names, keys and profile', async () => {
      const before = await checksums(folder(production));
      let seeded = 0;
      await put(`${fixturesRoot}small/events/a.csv`, 'id\n1\n');
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { arbitrary: hostile, weight: 1 },
            { arbitrary: fc.constantFrom('events', 'customers'), weight: 3 },
          ),
          fc.array(
            fc.oneof(
              { arbitrary: hostile, weight: 1 },
              { arbitrary: fc.constantFrom(...validKeys), weight: 4 },
            ),
            { maxLength: 4 },
          ),
          fc.oneof(
            { arbitrary: fc.constantFrom(...profiles), weight: 4 },
            hostile.map(h => `fixtures:${h}`),
            hostile.map(h => `from:${h}`),
            hostile,
          ),
          async (name, keys, profileString) => {
            const source = `${production}${name}/`;
            const earlier = `${rootUri}dag-cicd/default/orders/ci_0/`;
            // Every source lists the same keys: production, fixtures, ci_0.
            store.extra = new Map(
              [
                source,
                `${fixturesRoot}small/${name}/`,
                `${earlier}inputs/${name}/`,
              ].map(prefix => [prefix, keys]),
            );
            const limits = { maxObjects: 10, maxBytes: 1000, rowFraction: 0.5 };
            const outcome = await Promise.resolve()
              .then(() =>
                seedInputs({
                  ...options,
                  profile: parseInputProfile(profileString),
                  inputs: { [name]: source },
                  sourceNamespace: earlier,
                  limits,
                }),
              )
              .then(
                result => {
                  seeded += 1;
                  return Object.values(result.inputs).every(
                    input =>
                      input.mode === 'read-only' ||
                      isWithin(namespace, input.uri),
                  );
                },
                (error: Error) => error,
              );
            // Either every copied input is in the namespace, or the run was
            // refused with a 400 or 403, never stopped by the guard.
            expect(
              outcome === true ||
                outcome instanceof InputError ||
                outcome instanceof NotAllowedError,
            ).toBe(true);
          },
        ),
        { numRuns: 200 },
      );
      // The property is only as strong as the runs that got to write.
      expect(seeded).toBeGreaterThan(50);
      expect(store.copies.length).toBeGreaterThan(50);
      expect(
        store.mutations.filter(
          m => !isWithin(namespace, m) || isWithin(production, m),
        ),
      ).toEqual([]);
      expect(await checksums(folder(production))).toEqual(before);
    });
  });
});

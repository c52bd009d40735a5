import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FileDataStore } from './FileDataStore';
import { S3DataStore } from './S3DataStore';
import {
  collect,
  describeDataStoreConformance,
  operations,
  replay,
} from './__testUtils__/dataStoreConformance';
import {
  createTestBucket,
  listKeys,
  rawS3Client,
  removeTestBucket,
  testS3Server,
} from './__testUtils__/testS3Server';

const MiB = 2 ** 20;

/** `size` bytes of a repeatable pattern, streamed in 64 KiB chunks. */
function generated(size: number, fail?: Error): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        if (fail) this.destroy(fail);
        else this.push(null);
        return;
      }
      const chunk = Buffer.alloc(Math.min(64 * 1024, size - sent));
      for (let i = 0; i < chunk.length; i++) chunk[i] = (sent + i) % 251;
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

async function sha256(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

const server = testS3Server();

(server ? describe : describe.skip)('S3DataStore', () => {
  let client: S3Client;
  let bucket: string;
  let root: string;
  let store: S3DataStore;
  let runs = 0;
  const stores: S3DataStore[] = [];

  /** A store on the test bucket; destroyed after the file's tests. */
  function s3Store(options: { root?: string; maxKeys?: number } = {}) {
    const created = new S3DataStore({
      root: root,
      endpoint: server!.endpoint,
      forcePathStyle: true,
      credentials: {
        accessKeyId: server!.accessKeyId,
        secretAccessKey: server!.secretAccessKey,
      },
      partSize: 5 * MiB,
      ...options,
    });
    stores.push(created);
    return created;
  }

  /** The key a URI of the test bucket names. */
  const keyOf = (uri: string) => uri.slice(`s3://${bucket}/`.length);

  /** Puts an object straight into the bucket, under any key at all. */
  const putRaw = (key: string) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));

  /** A prefix of the store that no other test has used. */
  const freshPrefix = () => `${root}t${++runs}/`;

  beforeAll(async () => {
    client = rawS3Client(server!);
    bucket = await createTestBucket(client);
    root = `s3://${bucket}/lake/`;
    store = s3Store();
  });

  afterAll(async () => {
    await removeTestBucket(client, bucket);
    stores.forEach(s => s.destroy());
    client.destroy();
  });

  describeDataStoreConformance(async () => ({
    store,
    prefix: freshPrefix(),
  }));

  it('serves the s3 scheme under its root', () => {
    expect(store.scheme).toBe('s3');
    expect(store.rootUri).toBe(root);
  });

  it('stores an object under the key its URI names', async () => {
    const prefix = freshPrefix();
    await store.write(`${prefix}out/dt=2026-11-24/part-0.csv`, 'id\n1\n');
    expect(await listKeys(client, bucket, keyOf(prefix))).toEqual([
      `${keyOf(prefix)}out/dt=2026-11-24/part-0.csv`,
    ]);
  });

  it('streams a body larger than one part as a multipart upload', async () => {
    const uri = `${freshPrefix()}big.bin`;
    const size = 12 * MiB + 123;
    await store.write(uri, generated(size));
    const key = keyOf(uri);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key }),
    );
    expect(head.ContentLength).toBe(size);
    // A multipart object's ETag ends in `-<number of parts>`.
    expect(head.ETag).toMatch(/-3"$/);
    expect(await sha256(await store.read(uri))).toBe(
      await sha256(generated(size)),
    );
  });

  it('aborts the multipart upload of a failing body, leaving nothing behind', async () => {
    const prefix = freshPrefix();
    const uri = `${prefix}big.bin`;
    await expect(
      store.write(uri, generated(11 * MiB, new Error('connection reset'))),
    ).rejects.toThrow('connection reset');
    expect(await store.exists(uri)).toBe(false);
    expect(await collect(store.list(prefix))).toEqual([]);
    const { Uploads = [] } = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket }),
    );
    expect(Uploads.map(u => u.Key)).not.toContain(keyOf(uri));
  });

  it('lists and deletes more objects than one page holds', async () => {
    const prefix = freshPrefix();
    const paged = s3Store({ maxKeys: 150 });
    const count = 1001;
    const names = Array.from(
      { length: count },
      (_, i) => `p${String(i).padStart(4, '0')}/o.csv`,
    );
    // Written straight to the bucket, 25 at a time, to keep set-up short.
    for (let i = 0; i < count; i += 25) {
      await Promise.all(
        names.slice(i, i + 25).map(name => putRaw(`${keyOf(prefix)}${name}`)),
      );
    }
    const listed = await collect(paged.list(prefix));
    expect(listed).toHaveLength(count);
    expect(listed.map(o => o.uri.slice(prefix.length)).sort()).toEqual(names);
    expect(listed.every(o => o.size === keyOf(o.uri).length)).toBe(true);

    expect(await paged.deletePrefix(prefix)).toEqual({ deleted: count });
    expect(await collect(paged.list(prefix))).toEqual([]);
  }, 60_000);

  it('copies server-side, keys with "=" and "+" included', async () => {
    const prefix = freshPrefix();
    await store.write(`${prefix}prod/dt=2026-11-24/a+b.csv`, 'rows');
    await store.copy(
      `${prefix}prod/dt=2026-11-24/a+b.csv`,
      `${prefix}ci_1/in/dt=2026-11-24/a+b.csv`,
    );
    const keys = await listKeys(client, bucket, keyOf(prefix));
    expect(keys.map(k => k.split('/').slice(2).join('/'))).toEqual([
      'ci_1/in/dt=2026-11-24/a+b.csv',
      'prod/dt=2026-11-24/a+b.csv',
    ]);
  });

  it('deletes a prefix, never its sibling ci_10/ nor its parent', async () => {
    const prefix = freshPrefix();
    const base = keyOf(prefix);
    const keys = [
      'ci_1/out/part-0.csv',
      'ci_1/deep/er/x.json',
      // Literal keys no URI can name; still under ci_1/ in S3's terms.
      'ci_1/../x.csv',
      'ci_1/ts=2026-11-24 00%3A00/part-0.csv',
      'ci_10/out/part-0.csv',
      'ci_1',
      'ci_1.csv',
      'x.csv',
    ];
    for (const key of keys) {
      await putRaw(`${base}${key}`);
    }
    expect(await store.deletePrefix(`${prefix}ci_1/`)).toEqual({
      deleted: 4,
    });
    expect(await listKeys(client, bucket, base)).toEqual(
      ['ci_1', 'ci_1.csv', 'ci_10/out/part-0.csv', 'x.csv'].map(
        k => `${base}${k}`,
      ),
    );
  });

  it('deletes exactly the keys under the prefix, for any keys (property)', async () => {
    // Raw keys, inside and outside the store's root, including ones no
    // URI can name (`..`, `%`, empty segments), under one run folder each.
    const segment = fc.constantFrom(
      'lake',
      'lake-2',
      'ci_1',
      'ci_10',
      'ci_1.csv',
      'x',
      '..',
      '.',
      '',
      '%2e%2e',
      'a b',
    );
    const rawKey = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map(s => s.join('/'))
      .filter(k => k !== '');
    const target = fc
      .array(fc.constantFrom('ci_1', 'ci_10', 'x'), { maxLength: 2 })
      .map(s => s.map(p => `${p}/`).join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(rawKey, { minLength: 1, maxLength: 15 }),
        target,
        async (keys, relative) => {
          const run = `r${++runs}/`;
          const scoped = s3Store({ root: `s3://${bucket}/${run}lake/` });
          for (const key of keys) {
            await putRaw(`${run}${key}`);
          }
          const under = `${run}lake/${relative}`;
          const inside = keys.filter(k => `${run}${k}`.startsWith(under));
          const { deleted } = await scoped.deletePrefix(
            `s3://${bucket}/${under}`,
          );
          expect(deleted).toBe(inside.length);
          expect(await listKeys(client, bucket, run)).toEqual(
            keys
              .filter(k => !inside.includes(k))
              .map(k => `${run}${k}`)
              .sort(),
          );
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);

  it('agrees with the file store on any sequence of operations (property)', async () => {
    const tmp = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'dag-cicd-agree-')),
    );
    try {
      const files = new FileDataStore({ root: tmp });
      await fc.assert(
        fc.asyncProperty(operations, async scenario => {
          const run = `run-${++runs}/`;
          expect(await replay(store, `${root}${run}`, scenario)).toEqual(
            await replay(files, `${files.rootUri}${run}`, scenario),
          );
        }),
        { numRuns: 40 },
      );
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }, 60_000);

  describe('refuses URIs outside its root', () => {
    it.each([
      ['another bucket', () => 's3://other-bucket/lake/x.csv'],
      ['the bucket outside the root', () => `s3://${bucket}/x.csv`],
      ['a root look-alike', () => `s3://${bucket}/lake-2/x.csv`],
      ['a parent escape', () => `${root}../x.csv`],
      ['an encoded escape', () => `${root}%2e%2e/x.csv`],
      ['an upper-case scheme', () => `S3://${bucket}/lake/x.csv`],
      ['another scheme', () => 'file:///etc/passwd'],
      ['a relative path', () => 'lake/x.csv'],
      ['a bare key', () => `${bucket}/lake/x.csv`],
    ])('%s', async (_, uriOf) => {
      const uri = uriOf();
      const prefix = uri.endsWith('/') ? uri : `${uri}/`;
      await store.write(`${root}inside.csv`, 'x');
      const before = await listKeys(client, bucket);
      await expect(store.exists(uri)).rejects.toThrow(InputError);
      await expect(store.read(uri)).rejects.toThrow(InputError);
      await expect(store.write(uri, 'x')).rejects.toThrow(InputError);
      await expect(store.copy(`${root}inside.csv`, uri)).rejects.toThrow(
        InputError,
      );
      await expect(store.copy(uri, `${root}inside.csv`)).rejects.toThrow(
        InputError,
      );
      await expect(store.deletePrefix(prefix)).rejects.toThrow(InputError);
      await expect(collect(store.list(prefix))).rejects.toThrow(InputError);
      expect(await listKeys(client, bucket)).toEqual(before);
    });
  });

  it('refuses a root that is not s3://bucket/prefix/', () => {
    for (const bad of [
      'lake/',
      's3://lake',
      's3://lake/prefix',
      's3://Lake/',
      's3://la_ke/',
      's3:///prefix/',
      's3://lake/../other/',
      's3://lake/a%2fb/',
      'file:///var/data/',
    ]) {
      expect(() => new S3DataStore({ root: bad })).toThrow(InputError);
    }
  });

  it('refuses page and part sizes outside what S3 allows', () => {
    expect(() => s3Store({ maxKeys: 0 })).toThrow(InputError);
    expect(() => s3Store({ maxKeys: 1001 })).toThrow(InputError);
    expect(() => new S3DataStore({ root, partSize: 5 * MiB - 1 })).toThrow(
      InputError,
    );
  });

  describe('fromConfig', () => {
    const s3Config = (s3?: object) =>
      new ConfigReader({ dagCicd: s3 ? { dataStore: { s3 } } : {} });

    it('is undefined when no s3 store is configured', () => {
      expect(S3DataStore.fromConfig(s3Config())).toBeUndefined();
    });

    it('builds a working store from dagCicd.dataStore.s3', async () => {
      const configured = S3DataStore.fromConfig(
        s3Config({
          root,
          endpoint: server!.endpoint,
          region: 'eu-west-1',
          forcePathStyle: true,
          accessKeyId: server!.accessKeyId,
          secretAccessKey: server!.secretAccessKey,
        }),
      )!;
      stores.push(configured);
      const uri = `${freshPrefix()}from-config.csv`;
      await configured.write(uri, 'configured');
      expect(await store.exists(uri)).toBe(true);
    });

    it('wants both keys of a static credential, or neither', () => {
      expect(() =>
        S3DataStore.fromConfig(s3Config({ root, accessKeyId: 'AKIA' })),
      ).toThrow(/accessKeyId and secretAccessKey together/);
      expect(() =>
        S3DataStore.fromConfig(s3Config({ root, sessionToken: 'token' })),
      ).toThrow(/sessionToken only with them/);
    });
  });
});

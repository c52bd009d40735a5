import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { DataStore, DataStoreObject } from '@dag-cicd/plugin-dag-cicd-node';
import { Readable } from 'node:stream';
import { isWithin } from '../namespaces/DataNamespace';

// S3's own limits: one DeleteObjects call takes at most 1000 keys, one
// ListObjectsV2 page holds at most 1000, one CopyObject copies at most 5 GiB.
const DELETE_BATCH = 1000;
const MAX_KEYS = 1000;
const MAX_COPY_BYTES = 5 * 2 ** 30;

// Streamed bodies are uploaded in parts of this size, so a body of any length
// needs at most `PART_QUEUE` parts in memory. S3's minimum part size is 5 MiB.
const MIN_PART_SIZE = 5 * 2 ** 20;
const DEFAULT_PART_SIZE = 8 * 2 ** 20;
const PART_QUEUE = 4;

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
// (no upper case, no `_`: path-style and virtual-host URLs must agree).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Options of {@link S3DataStore}. Everything but `root` is optional: without
 * them the AWS SDK's defaults apply (region and credentials from the
 * environment, the instance profile, `~/.aws`, ...).
 */
export interface S3DataStoreOptions {
  /** Where the store's objects live: `s3://bucket/` or `s3://bucket/prefix/`. */
  root: string;
  /** An S3-compatible endpoint such as `http://127.0.0.1:9000`; AWS if unset. */
  endpoint?: string;
  /**
   * The bucket's region. Defaults to the SDK's region chain, or to
   * `us-east-1` when `endpoint` is set (S3-compatible servers ignore it).
   */
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most non-AWS servers need. */
  forcePathStyle?: boolean;
  /** Static credentials; the SDK's default credential chain when absent. */
  credentials?: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
  /** Objects per ListObjectsV2 page, 1–1000 (default 1000). */
  maxKeys?: number;
  /** Part size of multipart uploads of streamed bodies, at least 5 MiB. */
  partSize?: number;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata
    ?.httpStatusCode;
}

// HeadObject answers 404 without a body, so the SDK names it `NotFound`;
// GetObject and CopyObject answer `NoSuchKey`. A missing bucket is
// `NoSuchBucket`: a configuration error, never "no such object".
function isNoSuchKey(error: unknown): boolean {
  const name = (error as Error)?.name;
  return (
    name === 'NoSuchKey' || (name !== 'NoSuchBucket' && statusOf(error) === 404)
  );
}

/** Encodes a key for `CopySource`, which S3 reads URL-encoded. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function parseRoot(root: string): { bucket: string; rootUri: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(root);
  if (
    !match ||
    !root.endsWith('/') ||
    !BUCKET.test(match[1]) ||
    !isWithin(root, root)
  ) {
    throw new InputError(
      `The s3 data store root must be s3://<bucket>/ or s3://<bucket>/<prefix>/ ending in "/", with a valid bucket name and no ".", "..", empty segments, "\\", "%", "?" or "#"; got ${JSON.stringify(
        root,
      )}`,
    );
  }
  return { bucket: match[1], rootUri: root };
}

/**
 * A data store in an S3 bucket (or any S3-compatible server), under one root
 * prefix: `s3://bucket/prefix/`.
 *
 * The URI `s3://bucket/a/b.csv` is the object with key `a/b.csv`. S3 keys are
 * plain strings, not paths (`a/../b` is a key of its own), but every URI a
 * caller hands in must pass `isWithin` against the root, so no caller can
 * name a key outside it, nor one that another tool would read as a path
 * outside it.
 *
 * Writes are atomic: a PUT publishes the whole object or nothing, and a
 * streamed body goes up as a multipart upload that is aborted when the body
 * fails, so a reader never sees a partial object. (A crash between the two
 * leaves invisible parts behind; a bucket lifecycle rule with
 * `AbortIncompleteMultipartUpload` reclaims them.)
 *
 * In a versioned bucket, `deletePrefix` leaves delete markers and the old
 * versions stay: that is the bucket's retention policy, not this store's.
 */
export class S3DataStore implements DataStore {
  readonly scheme = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #rootUri: string;
  readonly #bucketUri: string;
  readonly #maxKeys: number;
  readonly #partSize: number;

  /**
   * The store configured under `dagCicd.dataStore.s3`, or undefined when
   * that block is absent.
   */
  static fromConfig(config: Config): S3DataStore | undefined {
    const s3 = config.getOptionalConfig('dagCicd.dataStore.s3');
    if (!s3) {
      return undefined;
    }
    const accessKeyId = s3.getOptionalString('accessKeyId');
    const secretAccessKey = s3.getOptionalString('secretAccessKey');
    const sessionToken = s3.getOptionalString('sessionToken');
    if (!accessKeyId !== !secretAccessKey || (sessionToken && !accessKeyId)) {
      throw new InputError(
        'dagCicd.dataStore.s3: set accessKeyId and secretAccessKey together (sessionToken only with them), or none of them to use the AWS default credential chain',
      );
    }
    return new S3DataStore({
      root: s3.getString('root'),
      endpoint: s3.getOptionalString('endpoint'),
      region: s3.getOptionalString('region'),
      forcePathStyle: s3.getOptionalBoolean('forcePathStyle'),
      credentials:
        accessKeyId && secretAccessKey
          ? { accessKeyId, secretAccessKey, sessionToken }
          : undefined,
    });
  }

  constructor(options: S3DataStoreOptions) {
    const { bucket, rootUri } = parseRoot(options.root);
    const maxKeys = options.maxKeys ?? MAX_KEYS;
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > MAX_KEYS) {
      throw new InputError(
        `maxKeys must be an integer from 1 to ${MAX_KEYS}, got ${maxKeys}`,
      );
    }
    const partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) {
      throw new InputError(
        `partSize must be at least ${MIN_PART_SIZE} bytes (5 MiB, the S3 minimum), got ${partSize}`,
      );
    }
    const config: S3ClientConfig = {
      endpoint: options.endpoint,
      region: options.region ?? (options.endpoint ? 'us-east-1' : undefined),
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
    };
    this.#client = new S3Client(config);
    this.#bucket = bucket;
    this.#rootUri = rootUri;
    this.#bucketUri = `s3://${bucket}/`;
    this.#maxKeys = maxKeys;
    this.#partSize = partSize;
  }

  /** The URI prefix of the root, e.g. `s3://lake/dag-cicd/`. */
  get rootUri(): string {
    return this.#rootUri;
  }

  /** Closes the client's idle connections; the store is unusable after. */
  destroy(): void {
    this.#client.destroy();
  }

  async exists(uri: string): Promise<boolean> {
    const key = this.#key(uri);
    // No object is ever written under a prefix's own name (see `write`).
    if (uri.endsWith('/')) {
      return false;
    }
    try {
      await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      return true;
    } catch (error) {
      if (isNoSuchKey(error)) {
        return false;
      }
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<DataStoreObject> {
    const prefixKey = this.#key(this.#prefix(prefix));
    for await (const key of this.#keysUnder(prefixKey)) {
      yield { uri: `${this.#bucketUri}${key.key}`, size: key.size };
    }
  }

  async read(uri: string): Promise<Readable> {
    const key = this.#key(uri);
    if (uri.endsWith('/')) {
      throw new NotFoundError(`No object at ${uri}`);
    }
    try {
      const { Body } = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      // In Node the SDK's body is an IncomingMessage, a Readable.
      return Body as Readable;
    } catch (error) {
      if (isNoSuchKey(error)) {
        throw new NotFoundError(`No object at ${uri}`);
      }
      throw error;
    }
  }

  async write(uri: string, body: Readable | Buffer | string): Promise<void> {
    const key = this.#key(this.#object(uri));
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          // The SDK leaves it out for an empty body, then warns about it.
          ContentLength: Buffer.byteLength(body),
        }),
      );
      return;
    }
    // A body shorter than one part goes up as one PUT; a longer one as a
    // multipart upload, completed only once the body has ended. If the body
    // fails, `Upload` aborts the upload (leavePartsOnError is false), so
    // neither a partial object nor stray parts remain.
    await new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: body },
      partSize: this.#partSize,
      queueSize: PART_QUEUE,
      leavePartsOnError: false,
    }).done();
  }

  async copy(fromUri: string, toUri: string): Promise<void> {
    const fromKey = this.#key(fromUri);
    const toKey = this.#key(this.#object(toUri));
    if (fromUri.endsWith('/')) {
      throw new NotFoundError(`No object at ${fromUri}`);
    }
    // S3 refuses to copy an object onto itself without changing it; the
    // result would be the object as it is, so only check that it exists.
    if (fromKey === toKey) {
      if (!(await this.exists(fromUri))) {
        throw new NotFoundError(`No object at ${fromUri}`);
      }
      return;
    }
    try {
      await this.#client.send(
        new CopyObjectCommand({
          Bucket: this.#bucket,
          Key: toKey,
          CopySource: `${this.#bucket}/${encodeKey(fromKey)}`,
        }),
      );
    } catch (error) {
      if (isNoSuchKey(error)) {
        throw new NotFoundError(`No object at ${fromUri}`);
      }
      throw await this.#explainCopyFailure(error, fromUri, fromKey);
    }
  }

  async deletePrefix(prefix: string): Promise<{ deleted: number }> {
    const prefixKey = this.#key(this.#prefix(prefix));
    let deleted = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length > 0) {
        deleted += await this.#deleteKeys(batch);
        batch = [];
      }
    };
    // Listing goes on while earlier pages are deleted: a continuation token
    // marks a position in key order, which deleting listed keys keeps.
    for await (const { key } of this.#keysUnder(prefixKey)) {
      batch.push(key);
      if (batch.length === DELETE_BATCH) {
        await flush();
      }
    }
    await flush();
    return { deleted };
  }

  /**
   * Every key under a prefix key, page by page, fetched as the caller
   * iterates. Each listed key is checked again before anyone sees it: a
   * server that answered with a key outside the prefix (a bug, or a proxy
   * rewriting the request) would otherwise have it deleted.
   *
   * The check is a plain string prefix, which is exactly S3's notion of
   * "under": a listed key is a literal name, not a path that any layer
   * resolves, so `ci_1/../x` is an object under `ci_1/` and deleting it
   * touches nothing else. (`isWithin` would be the wrong test here: it
   * refuses keys such as Hive's escaped `ts=2026-11-24 00%3A00` partitions,
   * which `deletePrefix` must remove with their environment, as the file
   * store removes every file in its folder whatever its name.) `prefixKey`
   * ends in `/`, so `ci_1/` never matches `ci_10/x`.
   */
  async *#keysUnder(
    prefixKey: string,
  ): AsyncGenerator<{ key: string; size: number }> {
    const pages = paginateListObjectsV2(
      { client: this.#client, pageSize: this.#maxKeys },
      { Bucket: this.#bucket, Prefix: prefixKey },
    );
    for await (const page of pages) {
      for (const { Key, Size } of page.Contents ?? []) {
        if (Key === undefined || !Key.startsWith(prefixKey)) {
          throw new Error(
            `S3 listed the key ${JSON.stringify(
              Key,
            )} for the prefix ${JSON.stringify(prefixKey)} of bucket ${
              this.#bucket
            }; refusing to go on`,
          );
        }
        yield { key: Key, size: Size ?? 0 };
      }
    }
  }

  async #deleteKeys(keys: string[]): Promise<number> {
    const { Errors = [] } = await this.#client.send(
      new DeleteObjectsCommand({
        Bucket: this.#bucket,
        Delete: { Objects: keys.map(Key => ({ Key })), Quiet: true },
      }),
    );
    if (Errors.length > 0) {
      const [first] = Errors;
      throw new Error(
        `Could not delete ${Errors.length} of ${
          keys.length
        } objects in bucket ${this.#bucket}, e.g. ${JSON.stringify(
          first.Key,
        )}: ${first.Code} ${first.Message}`,
      );
    }
    return keys.length;
  }

  /**
   * CopyObject copies at most 5 GiB; larger objects need a multipart copy
   * (UploadPartCopy), which this store does not do yet. Rather than pass on
   * S3's terse `InvalidRequest`, look at the source and say so.
   */
  async #explainCopyFailure(
    error: unknown,
    fromUri: string,
    fromKey: string,
  ): Promise<unknown> {
    try {
      const { ContentLength = 0 } = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: fromKey }),
      );
      if (ContentLength > MAX_COPY_BYTES) {
        return new InputError(
          `${fromUri} is ${ContentLength} bytes; the s3 data store copies objects of at most 5 GiB (a single CopyObject), multipart copy is not supported`,
        );
      }
    } catch {
      // The original error says more than this one.
    }
    return error;
  }

  /** The key of a URI, refusing anything outside the root. */
  #key(uri: string): string {
    if (!isWithin(this.#rootUri, uri)) {
      throw new InputError(
        `${JSON.stringify(uri)} is not within the data store root ${
          this.#rootUri
        }`,
      );
    }
    return uri.slice(this.#bucketUri.length);
  }

  #prefix(prefix: string): string {
    if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
      throw new InputError(
        `${JSON.stringify(prefix)} is not a prefix: it must end with "/"`,
      );
    }
    return prefix;
  }

  #object(uri: string): string {
    if (typeof uri === 'string' && uri.endsWith('/')) {
      throw new InputError(
        `${JSON.stringify(uri)} names a prefix, not an object`,
      );
    }
    return uri;
  }
}

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';

/** Where the S3-compatible test server listens, and how to sign for it. */
export interface TestS3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The S3-compatible server that `npm test` starts (scripts/lib/s3server.mjs),
 * from `DAG_CICD_TEST_S3_*`. Undefined, with a warning, when jest was started
 * by hand without one, so that the S3 tests skip. But when `npm test` asked
 * for every test server (`DAG_CICD_REQUIRE_SERVERS`, or the older
 * `DAG_CICD_REQUIRE_POSTGRES`), a missing one throws, failing the run instead
 * of silently testing less.
 */
export function testS3Server(): TestS3Server | undefined {
  const endpoint = process.env.DAG_CICD_TEST_S3_ENDPOINT;
  if (!endpoint) {
    if (
      process.env.DAG_CICD_REQUIRE_SERVERS ||
      process.env.DAG_CICD_REQUIRE_POSTGRES
    ) {
      throw new Error(
        'The test run requires its servers (DAG_CICD_REQUIRE_SERVERS) but DAG_CICD_TEST_S3_ENDPOINT is not set: run the tests through `npm test`, which starts an S3 server.',
      );
    }
    // eslint-disable-next-line no-console
    console.warn(
      'S3 tests skipped: no S3 server (DAG_CICD_TEST_S3_ENDPOINT is unset; `npm test` starts one)',
    );
    return undefined;
  }
  return {
    endpoint,
    accessKeyId: process.env.DAG_CICD_TEST_S3_ACCESS_KEY_ID ?? 'test',
    secretAccessKey: process.env.DAG_CICD_TEST_S3_SECRET_ACCESS_KEY ?? 'test',
  };
}

/** A client of the test server, for setting up and inspecting buckets. */
export function rawS3Client(server: TestS3Server): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    },
  });
}

/** Creates a bucket with a random name, so test files never share one. */
export async function createTestBucket(client: S3Client): Promise<string> {
  const bucket = `dag-cicd-test-${randomBytes(6).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Every key in the bucket under `prefix`, sorted. */
export async function listKeys(
  client: S3Client,
  bucket: string,
  prefix = '',
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ContinuationToken: token,
      }),
    );
    keys.push(...(page.Contents ?? []).map(o => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** Empties and removes a bucket made by {@link createTestBucket}. */
export async function removeTestBucket(
  client: S3Client,
  bucket: string,
): Promise<void> {
  const keys = await listKeys(client, bucket);
  for (let i = 0; i < keys.length; i += 1000) {
    await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map(Key => ({ Key })) },
      }),
    );
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

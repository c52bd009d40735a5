/*
 * What server-side copy buys the `sample` profile on S3: copying N objects
 * with the s3 store's `copy` (CopyObject: the bytes never leave the server),
 * against the baseline of streaming each object through the backend
 * (`read` piped into `write`), the only way a store without server-side copy
 * could do it. Same objects, same concurrency (8 at a time), best of 3,
 * against a moto S3 server started by the benchmark on 127.0.0.1 (so the
 * network between backend and store costs nothing here: on a real network
 * the baseline only gets worse). Ratio: baseline time ÷ copy time.
 * DAG_CICD_BENCH_S3_OBJECTS sets N (default 200) for 64 KiB objects; the
 * larger sizes move about as many bytes in fewer objects.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3DataStore } from '../src/stores/S3DataStore';
import {
  formatRate,
  inParallel,
  report,
  Row,
  runBenchmark,
  throughput,
} from './harness';

const KiB = 2 ** 10;
const MiB = 2 ** 20;
const OBJECTS = Number(process.env.DAG_CICD_BENCH_S3_OBJECTS ?? 200);
const CONCURRENCY = 8;
const SIZES = [64 * KiB, 1 * MiB, 8 * MiB];

async function measure(store: S3DataStore, size: number): Promise<Row> {
  // Fewer of the larger objects, so that each size moves about as many
  // bytes as N objects of 64 KiB (moto keeps every object in memory).
  const objects = Math.min(
    OBJECTS,
    Math.max(8, Math.round((OBJECTS * 64 * KiB) / size)),
  );
  const prefix = `${store.rootUri}s${size}/`;
  const body = Buffer.alloc(size, 'x');
  const keys = Array.from({ length: objects }, (_, i) => i);
  await inParallel(keys, CONCURRENCY, i =>
    store.write(`${prefix}src/${i}.csv`, body),
  );
  const bytes = objects * size;

  const copied = await throughput(bytes, () =>
    inParallel(keys, CONCURRENCY, i =>
      store.copy(`${prefix}src/${i}.csv`, `${prefix}copy/${i}.csv`),
    ),
  );
  const streamed = await throughput(bytes, () =>
    inParallel(keys, CONCURRENCY, async i =>
      store.write(
        `${prefix}streamed/${i}.csv`,
        await store.read(`${prefix}src/${i}.csv`),
      ),
    ),
  );
  await store.deletePrefix(prefix);
  const label = size < MiB ? `${size / KiB} KiB` : `${size / MiB} MiB`;
  return {
    case: `${objects} objects of ${label}`,
    measured: `copy ${formatRate(copied)}`,
    baseline: `read+write ${formatRate(streamed)}`,
    ratio: copied / streamed,
    target: '≥ 1× (never slower)',
    ok: copied >= streamed,
  };
}

async function main() {
  // eslint-disable-next-line @backstage/no-relative-monorepo-imports
  const { startS3Server } = await import('../../../scripts/lib/s3server.mjs');
  const started = Date.now();
  const server = await startS3Server();
  const startup = Date.now() - started;
  const connection = {
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: {
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    },
  };
  const client = new S3Client({ ...connection, region: 'us-east-1' });
  const store = new S3DataStore({
    ...connection,
    root: 's3://dag-cicd-bench/sample/',
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: 'dag-cicd-bench' }));
    const rows: Row[] = [];
    for (const size of SIZES) rows.push(await measure(store, size));
    report(
      `s3 copy: server-side CopyObject vs read+write through the backend (moto on 127.0.0.1, up in ${startup} ms), ${CONCURRENCY} at a time, best of 3`,
      rows,
    );
  } finally {
    store.destroy();
    client.destroy();
    await server.stop();
  }
}

runBenchmark(main);

/*
 * The fault injector's throughput and memory. Throughput: injecting faults at
 * realistic rates (1% of rows for each row fault) into a generated CSV and
 * JSON Lines file, against a raw streaming read of the same file
 * (fs.createReadStream into a sink that drops everything): the floor any
 * streaming transform stands on. Each case is measured in turns with its own
 * raw read, best of 5 each, so that both see the same load on a shared
 * machine. Target: ≥ 50% of raw. Memory: peak RSS and
 * live heap while injecting into a 64 MiB and a 1 GiB file
 * (DAG_CICD_BENCH_LARGE_MB to change 1024); streaming means they match.
 * The files are generated under the OS temp folder and deleted afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createFaultInjector,
  DataFormat,
  FaultRates,
} from '../src/profiles/faults';
import {
  formatBytes,
  formatRate,
  report,
  Row,
  runBenchmark,
  throughput,
} from './harness';

const MiB = 2 ** 20;
const LARGE = Number(process.env.DAG_CICD_BENCH_LARGE_MB ?? 1024) * MiB;
const SMALL = Math.min(64 * MiB, LARGE / 4);
const REPEATS = 5;

const ROW_FAULTS: FaultRates = {
  nulls: 0.01,
  malformed: 0.01,
  duplicates: 0.01,
  late: 0.01,
  outOfOrder: 0.01,
};

function scaled(rates: FaultRates, factor: number): FaultRates {
  return Object.fromEntries(
    Object.entries(rates).map(([fault, rate]) => [fault, rate * factor]),
  );
}

/** A sink that drops everything, as fast as it can. */
function sink(): Writable {
  return new Writable({
    write: (_chunk, _encoding, callback) => callback(),
    writev: (_chunks, callback) => callback(),
  });
}

const COUNTRIES = ['DE', 'FR', 'US', 'JP', 'BR', 'IN'];

/** Row i of an events table; every 50th comment has a comma, a quote and a newline. */
function event(i: number) {
  const at = new Date(Date.UTC(2026, 10, 24) + i * 37).toISOString();
  const comment =
    i % 50 === 0 ? `refund, "partial"\nsee ticket ${i}` : `order ${i} shipped`;
  return {
    id: i,
    event_time: at,
    user_id: `u${(i * 7919) % 100_000}`,
    amount: ((i * 13) % 100_000) / 100,
    country: COUNTRIES[i % COUNTRIES.length],
    comment,
  };
}

function csvLine(e: ReturnType<typeof event>): string {
  const comment = /[",\n]/.test(e.comment)
    ? `"${e.comment.replaceAll('"', '""')}"`
    : e.comment;
  return `${e.id},${e.event_time},${e.user_id},${e.amount},${e.country},${comment}\n`;
}

async function generate(
  format: DataFormat,
  bytes: number,
): Promise<{ file: string; size: number }> {
  const file = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-bench-faults-')),
    `events.${format}`,
  );
  const out = fs.createWriteStream(file);
  let size = 0;
  let i = 0;
  if (format === 'csv') {
    const header = 'id,event_time,user_id,amount,country,comment\n';
    out.write(header);
    size += header.length;
  }
  while (size < bytes) {
    let batch = '';
    while (batch.length < MiB) {
      const e = event(i++);
      batch += format === 'csv' ? csvLine(e) : `${JSON.stringify(e)}\n`;
    }
    size += Buffer.byteLength(batch);
    if (!out.write(batch)) {
      await new Promise(resolve => out.once('drain', resolve));
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return { file, size };
}

function remove(file: string) {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

function rawRead(file: string) {
  return pipeline(fs.createReadStream(file), sink());
}

function inject(
  file: string,
  format: DataFormat,
  rates: FaultRates,
  reportTo: Writable = sink(),
) {
  return pipeline(
    fs.createReadStream(file),
    createFaultInjector({
      format,
      seed: 42,
      file: path.basename(file),
      rates,
      report: reportTo,
    }),
    sink(),
  );
}

/**
 * Peak RSS while `fn` runs (sampled every 10 ms), and peak live heap: what
 * is still reachable after a full GC (every 50 ms), which unlike the heap's
 * raw peak does not depend on when the collector happens to run. Chunks in
 * flight between the streams are buffers outside the heap, in the RSS.
 */
async function peakMemory(fn: () => Promise<unknown>) {
  const gc = global.gc ?? (() => {});
  gc();
  let rss = 0;
  let heap = 0;
  const sampleRss = () => {
    rss = Math.max(rss, process.memoryUsage.rss());
  };
  const sampleHeap = () => {
    gc();
    heap = Math.max(heap, process.memoryUsage().heapUsed);
  };
  sampleRss();
  const timers = [setInterval(sampleRss, 10), setInterval(sampleHeap, 50)];
  try {
    await fn();
  } finally {
    timers.forEach(clearInterval);
  }
  sampleRss();
  return { rss, heap };
}

async function main() {
  const rows: Row[] = [];
  for (const format of ['csv', 'jsonl'] as const) {
    const { file, size } = await generate(format, SMALL);
    try {
      await rawRead(file); // warms the page cache
      const cases: Array<[string, FaultRates, boolean]> = [
        ['1% of rows per row fault', ROW_FAULTS, true],
        ['0.1% of rows per row fault', scaled(ROW_FAULTS, 0.1), false],
        ['+ drift (every row rewritten)', { ...ROW_FAULTS, drift: 1 }, false],
        [
          '+ truncated (every row queued)',
          { ...ROW_FAULTS, truncated: 1 },
          false,
        ],
      ];
      for (const [name, rates, targeted] of cases) {
        let raw = 0;
        let measured = 0;
        for (let i = 0; i < REPEATS; i++) {
          raw = Math.max(raw, await throughput(size, () => rawRead(file), 1));
          measured = Math.max(
            measured,
            await throughput(size, () => inject(file, format, rates), 1),
          );
        }
        rows.push({
          case: `${format} ${formatBytes(size)}, ${name}`,
          measured: formatRate(measured),
          baseline: `${formatRate(raw)} raw read`,
          ratio: measured / raw,
          target: targeted ? '≥ 0.50× raw' : '',
          ok: targeted ? measured / raw >= 0.5 : undefined,
        });
      }
    } finally {
      remove(file);
    }
  }
  report('Fault injector throughput vs a raw streaming read', rows);

  // Memory: the smaller file first, so that anything the larger one
  // retains shows as growth.
  const tiny = await generate('csv', SMALL / 4);
  const small = await generate('csv', SMALL);
  const large = await generate('csv', LARGE);
  try {
    const smallPeak = await peakMemory(() =>
      inject(small.file, 'csv', ROW_FAULTS),
    );
    const largePeak = await peakMemory(() =>
      inject(large.file, 'csv', ROW_FAULTS),
    );
    // Every row fault on every row, the report going to a real file: the
    // report's backpressure is what keeps this flat.
    const everyRow = scaled(ROW_FAULTS, 100);
    const withReport = (file: string) => () =>
      inject(file, 'csv', everyRow, fs.createWriteStream(`${file}.report`));
    const everyTinyPeak = await peakMemory(withReport(tiny.file));
    const everySmallPeak = await peakMemory(withReport(small.file));
    const reportSize = fs.statSync(`${small.file}.report`).size;

    const memoryRow = (
      name: string,
      measured: number,
      baseline: number,
      baselineName: string,
    ): Row => ({
      case: name,
      measured: formatBytes(measured),
      baseline: `${formatBytes(baseline)} ${baselineName}`,
      ratio: measured / baseline,
      target: '≤ 1.25× (flat)',
      ok: measured / baseline <= 1.25,
    });
    report('Fault injector peak memory: file size does not matter', [
      ...(['rss', 'heap'] as const).map(what =>
        memoryRow(
          `peak ${
            what === 'rss' ? 'rss' : 'live heap'
          }, 1% per row fault, ${formatBytes(large.size)} file`,
          largePeak[what],
          smallPeak[what],
          `at ${formatBytes(small.size)}`,
        ),
      ),
      memoryRow(
        `peak live heap, every row fault on every row, ${formatBytes(
          small.size,
        )} file (${formatBytes(reportSize)} report)`,
        everySmallPeak.heap,
        everyTinyPeak.heap,
        `at ${formatBytes(tiny.size)}`,
      ),
    ]);
  } finally {
    remove(tiny.file);
    remove(small.file);
    remove(large.file);
  }
}

runBenchmark(main);

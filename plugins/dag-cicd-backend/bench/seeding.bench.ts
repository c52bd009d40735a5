/*
 * Seeding throughput of the input profiles on the file store: `sample` at row
 * fraction 1 (whole objects, `store.copy`) and `fixtures`, against a raw
 * `fs.copyFile` of the same files, and `sample` at row fraction 0.1 (each CSV
 * streamed through the row sample) against a raw stream pipe
 * (createReadStream into createWriteStream) of the same files, each measured
 * in turns with its case (best of 9 each; the file system is synced before
 * each, untimed). Baselines use
 * the same concurrency as `seedInputs` (8) and start, like it, from an empty
 * target folder; cleaning up is never timed. Throughput counts the source
 * bytes. Target for the whole-object path: ≥ 80% of raw (ratio ≥ 0.80).
 * Three shapes, from many small objects, where per-object work dominates, to
 * a few large ones, where bytes do. The `store.copy` and `store.copyMany`
 * rows copy the same files with the store alone, no seeding logic: the gap
 * between `store.copy` and copyFile is the store's per-object cost on the
 * event loop (three checks side by side: a realpath of the source's and of
 * the target's folder and an lstat of the source; then a temporary file and a
 * rename), and `store.copyMany` makes the same checked copies in worker
 * threads, as seeding does. The rows against `store.copyMany` show the cost
 * of seeding itself (listing with an lstat per object for its size,
 * sampling, checking every key and target).
 * The files are generated under the OS temp folder and deleted afterwards.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { seedInputs, SeedInputsOptions } from '../src/profiles/seedInputs';
import { DataStores } from '../src/stores/DataStores';
import { FileDataStore } from '../src/stores/FileDataStore';
import {
  formatRate,
  inParallel,
  now,
  report,
  Row,
  runBenchmark,
} from './harness';

const KiB = 2 ** 10;
const MiB = 2 ** 20;
const CONCURRENCY = 8;
const REPEATS = 9;
const SHAPES = [
  { objects: 1500, size: 16 * KiB },
  { objects: 48, size: 2 * MiB },
  { objects: 6, size: 64 * MiB },
];

/** A CSV file of about `size` bytes, rows of about 70 bytes. */
function csv(size: number, seed: number): string {
  const rows = ['id,ts,customer,amount,note'];
  let length = rows[0].length + 1;
  for (let i = 0; length < size; i++) {
    const row = `${seed * 1e6 + i},2026-11-24T10:${String(i % 60).padStart(
      2,
      '0',
    )}:00Z,c${i % 977},${(i * 7.31).toFixed(2)},"note ${i}"`;
    rows.push(row);
    length += row.length + 1;
  }
  return `${rows.join('\n')}\n`;
}

type Run = () => Promise<unknown>;

/**
 * Milliseconds one call of `run` takes, after an untimed `setup` and an
 * untimed `sync`: every run writes tens of MiB, and without it a run pays for
 * the write-back of the runs before it, whichever they were.
 */
async function timed(
  setup: () => Promise<unknown>,
  run: () => Promise<unknown>,
): Promise<number> {
  await setup();
  execFileSync('sync');
  global.gc?.();
  const start = now();
  await run();
  return now() - start;
}

/**
 * Best bytes per second of `run` and of `baseline`, measured in turns, so
 * that both see the same load on a shared machine.
 */
async function paired(
  bytes: number,
  setup: () => Promise<unknown>,
  run: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
): Promise<[number, number]> {
  let best = Infinity;
  let bestBaseline = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    bestBaseline = Math.min(bestBaseline, await timed(setup, baseline));
    best = Math.min(best, await timed(setup, run));
  }
  return [bytes / (best / 1000), bytes / (bestBaseline / 1000)];
}

async function main() {
  const tmp = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-seeding-bench-')),
  );
  const rows: Row[] = [];
  try {
    const store = new FileDataStore({ root: tmp });
    for (const { objects, size } of SHAPES) {
      const shape = `${objects} × ${
        size < MiB ? `${size / KiB} KiB` : `${size / MiB} MiB`
      }`;
      const base = path.join(tmp, `s${size}`);
      const production = `file://${base}/prod/`;
      const fixturesRoot = `file://${base}/fixtures/`;
      const namespace = `file://${base}/env/ci_1/`;
      const raw = path.join(base, 'raw');
      // One input of date partitions, the same files as a fixture set.
      const files: string[] = [];
      let bytes = 0;
      for (let i = 0; i < objects; i++) {
        const key = `dt=2026-11-${String(i % 28).padStart(
          2,
          '0',
        )}/part-${i}.csv`;
        const body = csv(size, i);
        bytes += Buffer.byteLength(body);
        files.push(key);
        for (const folder of ['prod/events', 'fixtures/big/events']) {
          const file = path.join(base, folder, key);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, body);
        }
      }
      const options = (
        profile: SeedInputsOptions['profile'],
        rowFraction: number,
      ): SeedInputsOptions => ({
        profile,
        namespace,
        productionPrefix: production,
        inputs: { events: `${production}events/` },
        stores: new DataStores([store]),
        limits: { maxObjects: objects, maxBytes: bytes, rowFraction },
        fixturesRoot,
        seed: 42,
      });
      const cleanTarget = () =>
        Promise.all([
          fs.promises.rm(path.join(base, 'env'), {
            recursive: true,
            force: true,
          }),
          fs.promises.rm(raw, { recursive: true, force: true }),
        ]);
      const rawCopy = () =>
        inParallel(files, CONCURRENCY, async key => {
          const to = path.join(raw, key);
          await fs.promises.mkdir(path.dirname(to), { recursive: true });
          await fs.promises.copyFile(path.join(base, 'prod/events', key), to);
        });
      const rawPipe = () =>
        inParallel(files, CONCURRENCY, async key => {
          const to = path.join(raw, key);
          await fs.promises.mkdir(path.dirname(to), { recursive: true });
          await pipeline(
            fs.createReadStream(path.join(base, 'prod/events', key)),
            fs.createWriteStream(to),
          );
        });

      const storeCopy = () =>
        inParallel(files, CONCURRENCY, key =>
          store.copy(
            `${production}events/${key}`,
            `${namespace}inputs/events/${key}`,
          ),
        );
      const storeCopyMany = () =>
        store.copyMany(
          files.map(key => ({
            from: `${production}events/${key}`,
            to: `${namespace}inputs/events/${key}`,
          })),
        );
      const sampleWhole = () => seedInputs(options({ kind: 'sample' }, 1));
      const fixtures = () =>
        seedInputs(options({ kind: 'fixtures', set: 'big' }, 1));
      const sampleRows = () => seedInputs(options({ kind: 'sample' }, 0.1));
      // [case, run, baseline, baseline's name, target ratio]
      const cases: Array<[string, Run, Run, string, number | undefined]> = [
        ['store.copy alone', storeCopy, rawCopy, 'copyFile', undefined],
        ['store.copyMany alone', storeCopyMany, rawCopy, 'copyFile', undefined],
        ['sample, row fraction 1', sampleWhole, rawCopy, 'copyFile', 0.8],
        ['fixtures:big', fixtures, rawCopy, 'copyFile', 0.8],
        [
          'sample, row fraction 0.1',
          sampleRows,
          rawPipe,
          'stream pipe',
          undefined,
        ],
        [
          'sample, row fraction 1',
          sampleWhole,
          storeCopyMany,
          'store.copyMany',
          undefined,
        ],
        ['fixtures:big', fixtures, storeCopyMany, 'store.copyMany', undefined],
      ];
      for (const [name, run, baselineRun, baselineName, target] of cases) {
        const [measured, baseline] = await paired(
          bytes,
          cleanTarget,
          run,
          baselineRun,
        );
        const ratio = measured / baseline;
        rows.push({
          case: `${name}, ${shape}`,
          measured: formatRate(measured),
          baseline: `${formatRate(baseline)} (${baselineName})`,
          ratio,
          target: target ? `≥ ${target.toFixed(2)}×` : '',
          ok: target ? ratio >= target : undefined,
        });
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  report('Seeding inputs on the file store (ratio: seeding ÷ raw)', rows);
}

runBenchmark(main);

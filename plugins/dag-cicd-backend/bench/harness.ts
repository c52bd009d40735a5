/*
 * The benchmark harness: every figure is printed next to a baseline measured
 * in the same process, on the same machine, in the same run, so that a ratio
 * means something on a laptop and in CI alike. Absolute numbers are printed
 * too, against the targets, but the ratio is what to compare.
 */

/** Nanosecond-resolution wall clock in milliseconds. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The p-th percentile (0–100) of samples, by nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median of samples (the 50th percentile, by nearest rank). */
export function median(samples: number[]): number {
  return percentile(samples, 50);
}

/** Runs `fn` `iterations` times after `warmup` untimed runs; latencies in ms. */
export async function sampleLatencies(
  iterations: number,
  fn: (i: number) => Promise<unknown>,
  warmup = Math.min(50, Math.ceil(iterations / 10)),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = now();
    await fn(i);
    samples.push(now() - start);
  }
  return samples;
}

/** Runs `fn` for each of `items`, at most `concurrency` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Bytes per second of one call of `fn` that processes `bytes`. */
export async function throughput(
  bytes: number,
  fn: () => Promise<unknown>,
  repeats = 3,
): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = now();
    await fn();
    best = Math.min(best, now() - start);
  }
  return bytes / (best / 1000);
}

export function formatMs(ms: number): string {
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${(bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s`;
}

export function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export interface Row {
  case: string;
  measured: string;
  baseline: string;
  /** measured ÷ baseline, or baseline ÷ measured, as the row says. */
  ratio: number;
  target: string;
  /** Whether the target is met; undefined when the row has no target. */
  ok?: boolean;
}

function verdict(ok: boolean | undefined): string {
  if (ok === undefined) return '';
  return ok ? 'ok' : 'MISSED';
}

/** Prints one benchmark's rows as an aligned table, with a verdict column. */
export function report(title: string, rows: Row[]): void {
  const cells = rows.map(r => [
    r.case,
    r.measured,
    r.baseline,
    `${r.ratio.toFixed(2)}×`,
    r.target,
    verdict(r.ok),
  ]);
  const header = ['case', 'measured', 'baseline', 'ratio', 'target', ''];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map(c => c[i].length)),
  );
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n## ${title}\n${line(header)}\n`);
  for (const c of cells) process.stdout.write(`${line(c)}\n`);
}

/**
 * Runs a benchmark's `main`; when it fails, prints the start of the error
 * (a failed bulk insert's message holds every row of it) and exits 1, so
 * that `yarn bench` counts the failure.
 */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch(error => {
    console.error(
      String(error?.stack ?? error).slice(0, 1500),
      error?.cause ?? '',
    );
    process.exit(1);
  });
}

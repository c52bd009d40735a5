import { InputError } from '@backstage/errors';
import { EnvironmentInput } from '@dag-cicd/plugin-dag-cicd-common';
import { DataStore } from '@dag-cicd/plugin-dag-cicd-node';
import {
  PassThrough,
  Transform,
  Writable,
  addAbortSignal,
  pipeline,
} from 'node:stream';
import {
  assertWritable,
  isWithin,
  resolveWithin,
} from '../namespaces/DataNamespace';
import { assertPathSegment } from '../namespaces/pathSegment';
import { DataStores } from '../stores/DataStores';
import {
  FaultRates,
  createFaultInjector,
  formatOf,
  validateFaultRates,
} from './faults';
import { forEachConcurrently } from '../util/concurrency';
import { InputProfile, formatInputProfile } from './InputProfile';
import { seededRandom } from './random';
import { sampleObjects, SampledObject } from './sampleObjects';
import { sampleRows } from './sampleRows';
import {
  SAMPLE_LIMIT_NAMES,
  SampleLimits,
  checkSampleLimit,
} from './sampleLimits';

export interface SeedInputsOptions {
  profile: InputProfile;
  /** The environment's data namespace; ends with `/`. */
  namespace: string;
  /** The DAG's production prefix, which is never written. */
  productionPrefix: string;
  /** Input name → its production URI prefix (ending with `/`). */
  inputs: Record<string, string>;
  stores: DataStores;
  limits: SampleLimits;
  /** Where fixture sets live: `<fixturesRoot><set>/<input name>/...`. */
  fixturesRoot?: string;
  /** For `from:<environment>`: that environment's namespace. */
  sourceNamespace?: string;
  /** Decides the sample, its rows and the injected faults. */
  seed: number;
  /** The fault injector's rates, for `chaos`; absent, none are injected. */
  chaos?: FaultRates;
  signal?: AbortSignal;
}

/** An object of an input left out of the copy, and why. */
export interface SkippedObject {
  /** The input's name. */
  input: string;
  /** The object's key, relative to the input's source prefix. */
  key: string;
  reason: string;
}

/** What {@link seedInputs} did. */
export interface SeededInputs {
  /** Where the DAG finds each input. */
  inputs: Record<string, EnvironmentInput>;
  /**
   * Objects whose keys cannot be written into a namespace, such as the Hive
   * partition `ts=2026-11-24 00:00:00` (a space) or `a%2Fb`: at most
   * {@link MAX_SKIPPED_LISTED}, the first by input and key.
   */
  skipped: SkippedObject[];
  /** How many objects were skipped in all. */
  skippedCount: number;
}

/** Skipped objects listed in a {@link SeededInputs}; the rest are only counted. */
export const MAX_SKIPPED_LISTED = 100;

/** Where the fault injector's report goes, relative to the namespace. */
export const CHAOS_REPORT = '_chaos/report.jsonl';

// Objects copied at once one by one: streamed copies (row samples, faults,
// copies between stores) and server-side copies on a store without
// `copyMany` (S3, which is latency-bound: several in flight keep it busy; 8
// is what the S3 copy benchmark uses). The file store's whole-object copies
// go to its `copyMany` instead.
const CONCURRENCY = 8;

/**
 * Skipped objects, however many: counted, and the first
 * {@link MAX_SKIPPED_LISTED} by input and key kept (whatever order the store
 * lists them in, so that the record is the same each run).
 */
class SkippedObjects {
  count = 0;
  #kept: SkippedObject[] = [];

  add(object: SkippedObject): void {
    this.count += 1;
    this.#kept.push(object);
    // Pruned in batches, like the sample: memory stays bounded.
    if (this.#kept.length >= 2 * MAX_SKIPPED_LISTED) {
      this.#kept = this.listed();
    }
  }

  listed(): SkippedObject[] {
    return this.#kept
      .sort(
        (a, b) =>
          compareStrings(a.input, b.input) || compareStrings(a.key, b.key),
      )
      .slice(0, MAX_SKIPPED_LISTED);
  }
}

/** One object to copy, from a source prefix into the namespace. */
interface Copy {
  from: string;
  to: string;
  /** The object's key relative to the input, e.g. `dt=2026-11-24/part-0.csv`. */
  key: string;
  /** The target relative to the namespace, e.g. `inputs/events/part-0.csv`. */
  file: string;
}

/**
 * Fills an environment's inputs according to its input profile, and returns
 * where the DAG finds each one.
 *
 * - `empty`: `<namespace>inputs/<name>/`, emptied.
 * - `production-readonly`: production's own prefixes, read-only; no I/O.
 * - `sample`: a bounded, seeded sample of each production input (see
 *   {@link sampleObjects} for which objects, {@link sampleRows} for which rows)
 *   copied to `<namespace>inputs/<name>/<same key>`.
 * - `chaos`: the same sample, with each CSV and JSON Lines object run through
 *   the fault injector; everything injected is listed in one report,
 *   `<namespace>_chaos/report.jsonl`, object after object in key order.
 * - `fixtures:<set>`: every object of `<fixturesRoot><set>/<name>/`, copied.
 * - `from:<environment>`: every object of the earlier environment's
 *   `inputs/<name>/`, copied, not referenced: tearing the earlier environment
 *   down must not empty this one, and this one must never write into it. Its
 *   outputs are not copied; this environment's run produces its own.
 *
 * Every listed key goes through `resolveWithin`, and every target through
 * `assertWritable`, before anything is written. An object whose key cannot
 * be written into a namespace, a hostile `a/../../x` as much as a partition
 * named with a space, is skipped (never written, never normalised into
 * another name) and returned in `skipped`: one odd partition in production
 * does not fail the whole environment. It is left out before sampling, so a
 * sample still holds `maxObjects` objects if the input has them. Each
 * input's folder is emptied first and every object is written atomically, so
 * running this again after a crash leaves the same objects, byte for byte:
 * the seed decides everything.
 *
 * @throws InputError for an invalid input name or prefix, a missing fixture
 * set or invalid limits; NotAllowedError for a target outside the namespace
 * or inside production
 */
export async function seedInputs(
  options: SeedInputsOptions,
): Promise<SeededInputs> {
  const { profile, namespace, productionPrefix, inputs, stores, signal } =
    options;
  signal?.throwIfAborted();
  const names = Object.keys(inputs).sort();
  for (const name of names) {
    assertPathSegment('input name', name);
    assertPrefix(`input ${JSON.stringify(name)}`, inputs[name]);
  }
  if (profile.kind === 'production-readonly') {
    return {
      inputs: Object.fromEntries(
        names.map(name => [name, { uri: inputs[name], mode: 'read-only' }]),
      ),
      skipped: [],
      skippedCount: 0,
    };
  }

  const sampled = profile.kind === 'sample' || profile.kind === 'chaos';
  if (sampled) {
    assertSampling(options.seed, options.limits);
  }
  const rates =
    profile.kind === 'chaos'
      ? validateFaultRates(options.chaos ?? {}, 'chaos')
      : undefined;
  const targets = new Map<string, string>();
  for (const name of names) {
    const target = resolveWithin(namespace, `inputs/${name}/`);
    assertWritable(namespace, target, productionPrefix);
    targets.set(name, target);
  }
  const sources = await sourcePrefixes(options, names);
  for (const [name, source] of sources) {
    const target = targets.get(name)!;
    if (isWithin(source, target) || isWithin(target, source)) {
      throw new InputError(
        `input ${JSON.stringify(
          name,
        )} cannot be copied from ${source} to ${target}: one contains the other`,
      );
    }
  }

  // Plan every copy, and check every target, before writing anything.
  const copies: Copy[] = [];
  const skipped = new SkippedObjects();
  for (const [name, source] of sources) {
    const target = targets.get(name)!;
    const listed = writableKeys(
      listObjects(stores.forUri(source), source),
      target,
      (key, reason) => skipped.add({ input: name, key, reason }),
    );
    const chosen = sampled
      ? await sampleObjects(listed, { seed: options.seed, ...options.limits })
      : await sortedByKey(listed);
    for (const { key } of chosen) {
      // What resolveWithin made of the key when it was listed (see
      // writableKeys); checked again here like every target.
      const to = `${target}${key}`;
      assertWritable(namespace, to, productionPrefix);
      copies.push({
        from: `${source}${key}`,
        to,
        key,
        file: `inputs/${name}/${key}`,
      });
    }
    signal?.throwIfAborted();
  }

  for (const target of targets.values()) {
    await stores.forUri(target).deletePrefix(target);
  }
  const how: CopyOptions = {
    stores,
    seed: options.seed,
    // Fixtures and earlier environments are copied as they are.
    rowFraction: sampled ? options.limits.rowFraction : 1,
    rates,
    signal,
  };
  if (profile.kind === 'chaos') {
    const report = resolveWithin(namespace, CHAOS_REPORT);
    assertWritable(namespace, report, productionPrefix);
    await withReport(stores.forUri(report), report, async sink => {
      // One at a time, in key order, so that the report is the same each run.
      for (const copy of copies) {
        signal?.throwIfAborted();
        await copyObject(copy, { ...how, report: sink });
      }
    });
  } else {
    await copyAll(copies, how);
  }
  return {
    inputs: Object.fromEntries(
      names.map(name => [name, { uri: targets.get(name)!, mode: 'copy' }]),
    ),
    skipped: skipped.listed(),
    skippedCount: skipped.count,
  };
}

/**
 * The objects whose keys `resolveWithin` accepts under `target`, where they
 * are copied to; the others go to `skip` with the reason.
 */
async function* writableKeys(
  objects: AsyncIterable<SampledObject>,
  target: string,
  skip: (key: string, reason: string) => void,
): AsyncIterable<SampledObject> {
  for await (const object of objects) {
    let to;
    try {
      to = resolveWithin(target, object.key);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      skip(object.key, error.message);
      continue;
    }
    // Copied under its own key or not at all, never under a rewritten one.
    if (to !== `${target}${object.key}`) {
      skip(object.key, `it would be copied as ${to}`);
      continue;
    }
    yield object;
  }
}

// Code-unit order, the same on every machine, unlike localeCompare.
function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Where each input is copied from, by profile; none for `empty`. */
async function sourcePrefixes(
  options: SeedInputsOptions,
  names: string[],
): Promise<Map<string, string>> {
  const { profile, inputs, stores } = options;
  const sources = new Map<string, string>();
  switch (profile.kind) {
    case 'sample':
    case 'chaos':
      for (const name of names) sources.set(name, inputs[name]);
      break;
    case 'fixtures': {
      const set = JSON.stringify(profile.set);
      if (!options.fixturesRoot) {
        throw new InputError(
          `fixture set ${set} not found: no fixtures root is configured for this DAG`,
        );
      }
      const setPrefix = resolveWithin(options.fixturesRoot, `${profile.set}/`);
      if (!(await hasObjects(stores.forUri(setPrefix), setPrefix))) {
        throw new InputError(
          `fixture set ${set} not found under ${options.fixturesRoot}`,
        );
      }
      // An input the set has no folder for is seeded empty.
      for (const name of names) {
        sources.set(name, resolveWithin(setPrefix, `${name}/`));
      }
      break;
    }
    case 'from': {
      const from = options.sourceNamespace;
      if (!from) {
        throw new InputError(
          `profile ${formatInputProfile(
            profile,
          )} needs the data namespace of environment ${JSON.stringify(
            profile.environment,
          )}`,
        );
      }
      if (from === options.namespace) {
        throw new InputError(
          `profile ${formatInputProfile(
            profile,
          )} names the environment being seeded; choose an earlier one`,
        );
      }
      for (const name of names) {
        sources.set(name, resolveWithin(from, `inputs/${name}/`));
      }
      break;
    }
    default:
      break;
  }
  return sources;
}

interface CopyOptions {
  stores: DataStores;
  seed: number;
  rowFraction: number;
  rates?: FaultRates;
  /** For `chaos`: where the fault injector reports; it never ends it. */
  report?: Writable;
  signal?: AbortSignal;
}

/**
 * Whether an object is copied as it is: anything but CSV or JSON Lines, and
 * every object when no row is sampled out or faulted.
 */
function isWhole(copy: Copy, options: CopyOptions): boolean {
  return !formatOf(copy.key) || (options.rowFraction >= 1 && !options.report);
}

/**
 * Copies every object. Whole objects go in bulk to a store that has
 * `copyMany` (the file store makes them in worker threads), the rest one by
 * one, {@link CONCURRENCY} at once. Settles only once no copy is in flight,
 * so that a failed seeding never has a copy land after it.
 */
async function copyAll(copies: Copy[], options: CopyOptions): Promise<void> {
  const { stores, signal } = options;
  const bulk = new Map<DataStore, Copy[]>();
  const single: Copy[] = [];
  for (const copy of copies) {
    const store = stores.forUri(copy.from);
    if (
      store.copyMany &&
      store === stores.forUri(copy.to) &&
      isWhole(copy, options)
    ) {
      const some = bulk.get(store) ?? [];
      some.push(copy);
      bulk.set(store, some);
    } else {
      single.push(copy);
    }
  }
  // The first failure stops the other paths too: their copies would only be
  // deleted again when the seeding resumes or the environment is torn down.
  const stop = new AbortController();
  const stopped = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const stopping = (work: Promise<void>) =>
    work.catch(error => {
      stop.abort(error);
      throw error;
    });
  await Promise.allSettled([
    ...[...bulk].map(([store, some]) =>
      stopping(store.copyMany!(some, { signal: stopped })),
    ),
    stopping(
      forEachConcurrently(single, CONCURRENCY, copy => {
        stopped.throwIfAborted();
        return copyObject(copy, { ...options, signal: stopped });
      }),
    ),
  ]);
  // The first failure in time, or the caller's abort: what stopped the rest.
  if (stop.signal.aborted) throw stop.signal.reason;
}

/** Copies one object whole, or streams it through the row sample and faults. */
async function copyObject(copy: Copy, options: CopyOptions): Promise<void> {
  const { stores, signal } = options;
  const source = stores.forUri(copy.from);
  const target = stores.forUri(copy.to);
  const whole = isWhole(copy, options);
  if (whole && source === target) {
    await source.copy(copy.from, copy.to);
    return;
  }
  const body = await source.read(copy.from);
  if (signal) addAbortSignal(signal, body);
  if (whole) {
    await target.write(copy.to, body);
    return;
  }
  const transforms = rowTransforms(copy, formatOf(copy.key)!, options);
  // An error anywhere destroys every stream with it, the last one included,
  // so the store's write fails and publishes nothing; it reports the error.
  pipeline([body, ...transforms], () => {});
  await target.write(copy.to, transforms.at(-1)!);
}

/** The row sample and the fault injector an object streams through. */
function rowTransforms(
  copy: Copy,
  format: NonNullable<ReturnType<typeof formatOf>>,
  { rowFraction, seed, report, rates }: CopyOptions,
): Transform[] {
  const transforms: Transform[] = [];
  if (rowFraction < 1) {
    transforms.push(
      sampleRows({
        format,
        fraction: rowFraction,
        random: seededRandom(seed, copy.key),
        name: copy.from,
      }),
    );
  }
  if (report) {
    transforms.push(
      createFaultInjector({
        format,
        seed,
        file: copy.file,
        rates: rates ?? {},
        report,
      }),
    );
  }
  return transforms;
}

/**
 * Streams one report object while `fill` writes into it. The report is
 * published only if `fill` succeeds.
 */
async function withReport(
  store: DataStore,
  uri: string,
  fill: (report: Writable) => Promise<void>,
): Promise<void> {
  const report = new PassThrough();
  const written = store.write(uri, report);
  // Observed below; this only keeps a failure from being reported unhandled
  // while `fill` is still running.
  written.catch(() => {});
  try {
    await fill(report);
  } catch (error) {
    report.destroy(error as Error);
    await written.catch(() => {});
    throw error;
  }
  report.end();
  await written;
}

async function* listObjects(
  store: DataStore,
  prefix: string,
): AsyncIterable<SampledObject> {
  for await (const { uri, size } of store.list(prefix)) {
    if (!uri.startsWith(prefix)) {
      throw new Error(
        `The data store listed ${JSON.stringify(uri)} under ${prefix}`,
      );
    }
    // `dir/` is an S3 folder marker, not data: the folder exists in the copy
    // as soon as an object does.
    if (!uri.endsWith('/')) {
      yield { key: uri.slice(prefix.length), size };
    }
  }
}

async function sortedByKey(
  objects: AsyncIterable<SampledObject>,
): Promise<SampledObject[]> {
  const all: SampledObject[] = [];
  for await (const object of objects) all.push(object);
  return all.sort((a, b) => compareStrings(a.key, b.key));
}

async function hasObjects(store: DataStore, prefix: string): Promise<boolean> {
  for await (const _ of store.list(prefix)) return true;
  return false;
}

function assertPrefix(field: string, uri: string): void {
  // A URI is within itself exactly when it is a normalised prefix.
  if (typeof uri !== 'string' || !isWithin(uri, uri)) {
    throw new InputError(
      `${field} ${JSON.stringify(
        uri,
      )} is not a normalised URI prefix: it must be scheme://.../ ending in "/"`,
    );
  }
}

function assertSampling(seed: number, limits: SampleLimits): void {
  // The fault injector's rule, for every seeded profile alike.
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InputError(
      `seed must be an unsigned 32-bit integer, got ${seed}`,
    );
  }
  for (const name of SAMPLE_LIMIT_NAMES) {
    checkSampleLimit(name, limits[name], `limits.${name}`);
  }
}

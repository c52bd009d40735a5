import { seededHash } from './random';

/** An object of an input, by its key relative to the input's prefix. */
export interface SampledObject {
  key: string;
  size: number;
}

/**
 * Chooses a bounded, reproducible sample of objects: at most `maxObjects`
 * objects of at most `maxBytes` bytes in total.
 *
 * Each object is ranked by a seeded hash of its key, and the sample is the
 * lowest-ranked objects (a "bottom-k" sample):
 *
 * - it is uniform, and decided by the seed and the keys alone: not by the
 *   order a store lists objects in, which no store promises;
 * - it streams: memory holds about `2 × maxObjects` entries whatever the
 *   number of objects listed;
 * - it is stable: an object added to production later joins the sample only
 *   if it ranks among the lowest, so two samples of a growing input mostly
 *   overlap.
 *
 * The byte bound then walks those `maxObjects` objects by rank and takes each
 * one that still fits, so one large object does not crowd out the small ones
 * after it. An object larger than `maxBytes` on its own can never be taken
 * and is not ranked at all. The result is sorted by key.
 */
export async function sampleObjects(
  objects: AsyncIterable<SampledObject>,
  options: { seed: number; maxObjects: number; maxBytes: number },
): Promise<SampledObject[]> {
  const { seed, maxObjects, maxBytes } = options;
  if (maxObjects === 0) {
    return [];
  }
  let candidates: Array<SampledObject & { rank: string }> = [];
  const byRank = (a: { rank: string; key: string }, b: typeof a) =>
    compare(a.rank, b.rank) || compare(a.key, b.key);
  for await (const object of objects) {
    if (object.size > maxBytes) continue;
    candidates.push({ ...object, rank: seededHash(seed, object.key) });
    // Prune in batches: sorting 2k entries every k objects costs
    // O(n log k) overall, like a heap, with far less code.
    if (candidates.length >= 2 * maxObjects) {
      candidates = candidates.sort(byRank).slice(0, maxObjects);
    }
  }
  // Exactly the k lowest, whatever was pruned when: looking further down
  // would make the sample depend on the listing order.
  candidates = candidates.sort(byRank).slice(0, maxObjects);
  const sample: SampledObject[] = [];
  let bytes = 0;
  for (const { key, size } of candidates) {
    if (bytes + size > maxBytes) continue;
    bytes += size;
    sample.push({ key, size });
  }
  return sample.sort((a, b) => compare(a.key, b.key));
}

// Code-unit order, the same on every machine, unlike localeCompare.
function compare(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

import fc from 'fast-check';
import { seededHash } from './random';
import { SampledObject, sampleObjects } from './sampleObjects';

async function* listed(objects: SampledObject[]) {
  yield* objects;
}

const objects = fc.uniqueArray(
  fc.record({
    key: fc.stringMatching(/^[a-z0-9=_/.-]{1,12}$/),
    size: fc.nat({ max: 1000 }),
  }),
  { selector: o => o.key, maxLength: 60 },
);
const limits = fc.record({
  seed: fc.integer(),
  maxObjects: fc.nat({ max: 30 }),
  maxBytes: fc.nat({ max: 5000 }),
});

// Code-unit order of (rank, key), spelled out.
function byRank(
  a: { rank: string; key: string },
  b: { rank: string; key: string },
): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return 0;
}

describe('sampleObjects', () => {
  const files = Array.from({ length: 100 }, (_, i) => ({
    key: `dt=2026-11-${String(i).padStart(3, '0')}/part-0.csv`,
    size: 100,
  }));

  it('takes at most maxObjects objects and maxBytes bytes, sorted by key', async () => {
    const byCount = await sampleObjects(listed(files), {
      seed: 1,
      maxObjects: 10,
      maxBytes: 1e9,
    });
    expect(byCount).toHaveLength(10);
    expect(byCount.map(o => o.key)).toEqual(byCount.map(o => o.key).sort());
    const byBytes = await sampleObjects(listed(files), {
      seed: 1,
      maxObjects: 100,
      maxBytes: 450,
    });
    expect(byBytes).toHaveLength(4);
  });

  it('spreads the sample over the input rather than taking its first keys', async () => {
    const sample = await sampleObjects(listed(files), {
      seed: 1,
      maxObjects: 10,
      maxBytes: 1e9,
    });
    expect(sample).not.toEqual(files.slice(0, 10));
    const other = await sampleObjects(listed(files), {
      seed: 2,
      maxObjects: 10,
      maxBytes: 1e9,
    });
    expect(other).not.toEqual(sample);
  });

  it('lets small objects in when a large one does not fit', async () => {
    const sample = await sampleObjects(
      listed([{ key: 'huge', size: 10_000 }, ...files.slice(0, 5)]),
      { seed: 1, maxObjects: 10, maxBytes: 300 },
    );
    expect(sample).toHaveLength(3);
    expect(sample.every(o => o.size === 100)).toBe(true);
  });

  it('takes nothing when maxObjects is 0', async () => {
    expect(
      await sampleObjects(listed(files), {
        seed: 1,
        maxObjects: 0,
        maxBytes: 1e9,
      }),
    ).toEqual([]);
  });

  it('is the bottom-k sample by seeded hash, whatever the listing order', async () => {
    await fc.assert(
      fc.asyncProperty(
        objects,
        limits,
        fc.nat(),
        async (all, options, shuffleSeed) => {
          // The definition, computed the slow way.
          const candidates = all
            .filter(o => o.size <= options.maxBytes)
            .map(o => ({ ...o, rank: seededHash(options.seed, o.key) }))
            .sort((a, b) => byRank(a, b))
            .slice(0, options.maxObjects);
          const expected: SampledObject[] = [];
          let bytes = 0;
          for (const { key, size } of candidates) {
            if (bytes + size <= options.maxBytes) {
              bytes += size;
              expected.push({ key, size });
            }
          }
          expected.sort((a, b) => (a.key < b.key ? -1 : 1));

          const shuffled = [...all].sort(
            (a, b) =>
              Number(
                seededHash(shuffleSeed, a.key) < seededHash(shuffleSeed, b.key),
              ) - 0.5,
          );
          const sample = await sampleObjects(listed(shuffled), options);
          expect(sample).toEqual(expected);
          expect(sample.length).toBeLessThanOrEqual(options.maxObjects);
          expect(sample.reduce((n, o) => n + o.size, 0)).toBeLessThanOrEqual(
            options.maxBytes,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

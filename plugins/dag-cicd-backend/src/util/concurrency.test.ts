import fc from 'fast-check';
import { crawl, forEachConcurrently } from './concurrency';

const tick = () => new Promise(resolve => setImmediate(resolve));

describe('forEachConcurrently', () => {
  it('calls fn once per item, never more than limit at a time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(3), { maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        async (delays, limit) => {
          let inFlight = 0;
          let most = 0;
          const seen: number[] = [];
          await forEachConcurrently(delays, limit, async (delay, index) => {
            inFlight++;
            most = Math.max(most, inFlight);
            for (let i = 0; i < delay; i++) await tick();
            seen.push(index);
            inFlight--;
          });
          expect(seen.sort((a, b) => a - b)).toEqual(delays.map((_, i) => i));
          expect(most).toBeLessThanOrEqual(limit);
        },
      ),
    );
  });

  it('starts nothing after the first error, and throws it once the others are done', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    await expect(
      forEachConcurrently([0, 1, 2, 3, 4, 5], 2, async item => {
        started.push(item);
        await tick();
        if (item === 1) throw new Error('item 1 failed');
        await tick();
        finished.push(item);
      }),
    ).rejects.toThrow('item 1 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });

  it('does nothing for no items', async () => {
    const fn = jest.fn();
    await forEachConcurrently([], 4, fn);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('crawl', () => {
  // A tree as nested arrays of leaves: node `n` has children
  // `children(n)` and emits its own number.
  const tree = (depth: number, fanout: number) => {
    const children = (n: number) =>
      String(n).length > depth
        ? []
        : Array.from({ length: fanout }, (_, i) => n * 10 + i + 1);
    return children;
  };

  it('visits every node once, at most `limit` at a time, whatever the timing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.nat(3), { minLength: 1, maxLength: 20 }),
        async (limit, fanout, delays) => {
          const children = tree(2, fanout);
          let active = 0;
          let most = 0;
          let visits = 0;
          const seen: number[] = [];
          for await (const n of crawl<number, number>(
            [0],
            limit,
            async (node, crawler) => {
              active += 1;
              most = Math.max(most, active);
              for (let i = 0; i < delays[visits++ % delays.length]; i++) {
                await tick();
              }
              for (const child of children(node)) crawler.enqueue(child);
              await crawler.emit([node]);
              active -= 1;
            },
          )) {
            seen.push(n);
          }
          const expected: number[] = [];
          const walk = (n: number) => {
            expected.push(n);
            children(n).forEach(walk);
          };
          walk(0);
          expect(seen.sort((a, b) => a - b)).toEqual(
            expected.sort((a, b) => a - b),
          );
          expect(most).toBeLessThanOrEqual(limit);
        },
      ),
    );
  });

  it('holds a visit that emits while the consumer is behind', async () => {
    let emitted = 0;
    const items = crawl<number, number>([0], 1, async (_, crawler) => {
      for (let i = 0; i < 100; i++) {
        emitted += 1;
        if (!(await crawler.emit([i]))) return;
      }
    });
    const first = await items.next();
    expect(first.value).toBe(0);
    await tick();
    // 2 × limit batches buffered, one taken: never the whole 100.
    expect(emitted).toBeLessThanOrEqual(4);
    await items.return(undefined);
  });

  it('stops every visit when the consumer stops early', async () => {
    let emittedAfterStop = 0;
    let stopped = false;
    for await (const n of crawl<number, number>(
      [0, 1, 2],
      3,
      async (node, crawler) => {
        for (let i = 0; ; i++) {
          await tick();
          if (stopped) emittedAfterStop += 1;
          if (!(await crawler.emit([node * 1000 + i]))) return;
        }
      },
    )) {
      if (n >= 0) {
        stopped = true;
        break;
      }
    }
    await tick();
    await tick();
    // Each visit learns at its next emit that the crawl is over.
    expect(emittedAfterStop).toBeLessThanOrEqual(3);
  });

  it('throws the first failure to the consumer and stops the other visits', async () => {
    let later = 0;
    const run = async () => {
      for await (const _ of crawl<number, number>(
        [0, 1],
        2,
        async (node, crawler) => {
          await tick();
          if (node === 1) throw new Error('folder 1 unreadable');
          for (;;) {
            await tick();
            if (!(await crawler.emit([node]))) return;
            later += 1;
          }
        },
      )) {
        // consume
      }
    };
    await expect(run()).rejects.toThrow('folder 1 unreadable');
    expect(later).toBeLessThan(10);
  });
});

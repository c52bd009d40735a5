import fc from 'fast-check';
import { forEachConcurrently } from './concurrency';

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

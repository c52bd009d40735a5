/**
 * Runs `fn` over `items`, at most `limit` at a time, in order of start; stops
 * starting new items at the first error, waits for those in flight, and
 * throws that error.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        await fn(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  if (failure) throw failure.error;
}

/**
 * What a {@link crawl} visit may do: hand results to the consumer, and add
 * nodes to visit.
 */
export interface CrawlVisit<N, T> {
  /**
   * Hands results to the consumer; waits while it is behind. Resolves to
   * false once the crawl has stopped (the consumer is done, or another visit
   * failed): the visit should return then.
   */
  emit(items: T[]): Promise<boolean>;
  enqueue(node: N): void;
}

/**
 * Visits a tree of nodes, at most `limit` at a time, and yields what the
 * visits emit, in no promised order. Made for folder walks: one folder after
 * the other, a walk of many small folders is a chain of round trips, each
 * waiting for the last. Memory stays bounded: a visit that emits while the
 * consumer is `2 × limit` batches behind waits. Stopping the consumer early
 * (a `break`) or a failed visit stops every visit at its next `emit`; the
 * first failure is thrown to the consumer.
 */
export async function* crawl<N, T>(
  roots: N[],
  limit: number,
  visit: (node: N, crawler: CrawlVisit<N, T>) => Promise<void>,
): AsyncGenerator<T> {
  const queue = [...roots];
  const batches: T[][] = [];
  const waiting: Array<() => void> = [];
  let active = 0;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  const wake = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const release = () => {
    while (waiting.length > 0 && (stopped || batches.length < 2 * limit)) {
      waiting.shift()!();
    }
  };
  const crawler: CrawlVisit<N, T> = {
    async emit(items) {
      if (stopped) return false;
      if (items.length > 0) {
        batches.push(items);
        wake();
      }
      while (!stopped && batches.length >= 2 * limit) {
        await new Promise<void>(resolve => waiting.push(resolve));
      }
      return !stopped;
    },
    enqueue(node) {
      queue.push(node);
      start();
    },
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    stopped = true;
    release();
  };
  const done = () => {
    active -= 1;
    start();
    wake();
  };
  function start() {
    while (!stopped && active < limit && queue.length > 0) {
      active += 1;
      visit(queue.shift()!, crawler).catch(fail).finally(done);
    }
  }
  const woken = () =>
    new Promise<void>(resolve => {
      wakeConsumer = resolve;
    });

  try {
    start();
    for (;;) {
      if (failure) throw failure.error;
      const batch = batches.shift();
      if (batch) {
        release();
        yield* batch;
      } else if (active === 0 && queue.length === 0) {
        return;
      } else {
        await woken();
      }
    }
  } finally {
    stopped = true;
    release();
  }
}

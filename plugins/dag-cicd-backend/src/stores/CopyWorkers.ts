import {
  deserializeError,
  InputError,
  NotFoundError,
  serializeError,
} from '@backstage/errors';
import os from 'node:os';
import {
  isMainThread,
  MessagePort,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import { forEachConcurrently } from '../util/concurrency';
import { runSync } from './fileCalls';
import { FileRoot } from './FileRoot';

/** One object to copy: paths under a root, with the URIs errors name. */
export interface PathCopy {
  from: { path: string; uri: string };
  to: { path: string; uri: string };
}

interface Batch {
  id: number;
  root: string;
  copies: PathCopy[];
}

interface Answer {
  id: number;
  error?: ReturnType<typeof serializeError>;
}

// Copies per message, at most. A message costs about as much as a few small
// copies, so a batch amortises it; fewer copies than make two batches per
// lane are split finer, so that a few dozen large objects still spread
// evenly over the workers.
const MAX_BATCH = 16;
// Batches in flight per worker, so that a worker never waits for the main
// thread to hand it the next one.
const IN_FLIGHT = 2;
const MAX_WORKERS = 4;

const ROLE = 'dag-cicd-copy-worker';

// The errors whose type the API maps to a status; any other is an Error.
const ERROR_TYPES: Record<string, new (message: string) => Error> = {
  InputError,
  NotFoundError,
};

function revive(serialized: NonNullable<Answer['error']>): Error {
  const Type = ERROR_TYPES[serialized.name];
  return Type ? new Type(serialized.message) : deserializeError(serialized);
}

/** In a worker: copies each batch in order, answering its first failure. */
function serve(port: MessagePort): void {
  const roots = new Map<string, FileRoot>();
  port.on('message', ({ id, root, copies }: Batch) => {
    let files = roots.get(root);
    if (!files) {
      files = new FileRoot(root);
      roots.set(root, files);
    }
    let answer: Answer = { id };
    try {
      for (const copy of copies) {
        runSync(files.copy(copy.from, copy.to));
      }
    } catch (error) {
      answer = { id, error: serializeError(error as Error) };
    }
    port.postMessage(answer);
  });
}

if (!isMainThread && workerData?.role === ROLE) {
  serve(parentPort!);
}

/** One worker thread and the batches it has been handed. */
class CopyWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: () => void; reject: (error: Error) => void }
  >();

  constructor(onExit: () => void) {
    // The worker runs this very module (see the end of `serve`), whatever
    // file the build made of it. From source (tests, `yarn start`) it needs
    // Backstage's TypeScript transform, which a worker does not inherit.
    this.#worker = new Worker(__filename, {
      workerData: { role: ROLE },
      execArgv: __filename.endsWith('.ts')
        ? [
            '--require',
            require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
          ]
        : undefined,
    });
    // An idle worker does not keep the process alive.
    this.#worker.unref();
    this.#worker.on('message', ({ id, error }: Answer) => {
      const pending = this.#pending.get(id);
      this.#pending.delete(id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (error) pending?.reject(revive(error));
      else pending?.resolve();
    });
    this.#worker.on('error', (error: Error) => this.#failAll(error));
    this.#worker.on('exit', code => {
      this.#failAll(new Error(`A copy worker exited with code ${code}`));
      onExit();
    });
  }

  get load(): number {
    return this.#pending.size;
  }

  copy(batch: Batch): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(batch.id, { resolve, reject });
      this.#worker.postMessage(batch);
    });
  }

  #failAll(error: Error): void {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}

/**
 * Worker threads that make a file store's copies, each a checked copy run
 * blocking (`FileRoot.copy` under `runSync`).
 *
 * Why threads: a checked copy is five system calls (two realpaths, an lstat,
 * copy_file_range into a temporary file, a rename). On the event loop each is
 * a round trip to libuv's thread pool that costs more than the call itself
 * for a small file, so seeding thousands of small objects ran at 0.5–0.7× of
 * a bare `copyFile`; run back to back in a worker the same checks cost only
 * the system calls (see bench/seeding.bench.ts). The checks are the same code
 * either way, so nothing is given up for the speed.
 *
 * One pool per process, like libuv's own: at most one worker per core, four
 * at most, started on first use; idle workers do not keep the process alive,
 * and a worker that dies is replaced at the next batch.
 */
export class CopyWorkers {
  static #shared?: CopyWorkers;

  /** The process's pool. */
  static shared(): CopyWorkers {
    CopyWorkers.#shared ??= new CopyWorkers(
      Math.min(MAX_WORKERS, os.availableParallelism()),
    );
    return CopyWorkers.#shared;
  }

  readonly #size: number;
  readonly #workers: CopyWorker[] = [];
  #nextId = 0;

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  /**
   * Makes the copies, in batches spread over the workers, until all are made
   * or one fails. Resolves or rejects only once no batch is in flight, so
   * that nothing lands after the caller has moved on (say, to clean up), and
   * the copies of batches not yet handed out are never made.
   *
   * The error thrown is the first failing copy's in list order (or the
   * signal's reason), the same however the batches interleave: batches are
   * handed out in order and each stops at its first failure, so every copy
   * before the earliest failed batch's failure was made.
   */
  async copy(
    root: string,
    copies: PathCopy[],
    signal?: AbortSignal,
  ): Promise<void> {
    const lanes = this.#size * IN_FLIGHT;
    const size = Math.min(MAX_BATCH, Math.ceil(copies.length / (2 * lanes)));
    const batches: PathCopy[][] = [];
    for (let i = 0; i < copies.length; i += size) {
      batches.push(copies.slice(i, i + size));
    }
    const failures: unknown[] = [];
    try {
      await forEachConcurrently(batches, lanes, async (batch, index) => {
        try {
          signal?.throwIfAborted();
          await this.#leastBusy().copy({
            id: this.#nextId++,
            root,
            copies: batch,
          });
        } catch (error) {
          failures[index] = error;
          throw error;
        }
      });
    } catch (error) {
      throw failures.find(failure => failure !== undefined) ?? error;
    }
  }

  #leastBusy(): CopyWorker {
    if (this.#workers.length < this.#size) {
      const worker: CopyWorker = new CopyWorker(() => {
        const index = this.#workers.indexOf(worker);
        if (index >= 0) this.#workers.splice(index, 1);
      });
      this.#workers.push(worker);
      return worker;
    }
    return this.#workers.reduce((a, b) => (b.load < a.load ? b : a));
  }
}

import {
  deserializeError,
  InputError,
  NotFoundError,
  serializeError,
} from '@backstage/errors';
import { DataStoreObject } from '@dag-cicd/plugin-dag-cicd-node';
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
import { FileRoot, PathCopy } from './FileRoot';
import { walkFolder } from './walkFolder';

/** What a worker is asked to do. */
type Task =
  | { task: 'copy'; root: string; copies: PathCopy[] }
  /** The next chunk of a walk; the first request of a walk says where. */
  | { task: 'walk'; walk: number; start?: { folder: string; prefix: string } }
  /** Stop a walk the caller no longer reads; not answered. */
  | { task: 'close'; walk: number };

interface Answer {
  id: number;
  error?: ReturnType<typeof serializeError>;
  /** A walk's chunk, and whether it was the last. */
  objects?: DataStoreObject[];
  done?: boolean;
}

// Copies per message, at most. A message costs about as much as a few small
// copies, so a batch amortises it; fewer copies than make two batches per
// lane are split finer, so that a few dozen large objects still spread
// evenly over the workers.
const MAX_BATCH = 16;
// Batches in flight per worker, so that a worker never waits for the main
// thread to hand it the next one.
const IN_FLIGHT = 2;
// Objects per chunk of a walk: the caller holds at most two chunks.
const WALK_CHUNK = 512;
const MAX_WORKERS = 4;

const ROLE = 'dag-cicd-file-worker';

// The errors whose type the API maps to a status; any other is an Error.
const ERROR_TYPES: Record<string, new (message: string) => Error> = {
  InputError,
  NotFoundError,
};

function revive(serialized: NonNullable<Answer['error']>): Error {
  const Type = ERROR_TYPES[serialized.name];
  return Type ? new Type(serialized.message) : deserializeError(serialized);
}

/**
 * In a worker: copies each batch in order, answering its first failure, and
 * walks folders a chunk at a time, keeping each walk between requests.
 */
function serve(port: MessagePort): void {
  const roots = new Map<string, FileRoot>();
  const walks = new Map<number, Generator<DataStoreObject>>();
  const copy = (root: string, copies: PathCopy[]) => {
    let files = roots.get(root);
    if (!files) {
      files = new FileRoot(root);
      roots.set(root, files);
    }
    for (const one of copies) {
      runSync(files.copy(one));
    }
  };
  const walk = (
    id: number,
    walkId: number,
    start?: { folder: string; prefix: string },
  ): Answer => {
    let objects = walks.get(walkId);
    if (!objects) {
      // Closed meanwhile: nothing more to give.
      if (!start) return { id, objects: [], done: true };
      objects = walkFolder(start.folder, start.prefix);
      walks.set(walkId, objects);
    }
    const chunk: DataStoreObject[] = [];
    let done = false;
    while (chunk.length < WALK_CHUNK) {
      const next = objects.next();
      if (next.done) {
        done = true;
        break;
      }
      chunk.push(next.value);
    }
    if (done) walks.delete(walkId);
    return { id, objects: chunk, done };
  };
  port.on('message', (message: Task & { id: number }) => {
    if (message.task === 'close') {
      walks.get(message.walk)?.return(undefined);
      walks.delete(message.walk);
      return;
    }
    let answer: Answer;
    try {
      if (message.task === 'copy') {
        copy(message.root, message.copies);
        answer = { id: message.id };
      } else {
        answer = walk(message.id, message.walk, message.start);
      }
    } catch (error) {
      if (message.task === 'walk') walks.delete(message.walk);
      answer = { id: message.id, error: serializeError(error as Error) };
    }
    port.postMessage(answer);
  });
}

if (!isMainThread && workerData?.role === ROLE) {
  serve(parentPort!);
}

/** One worker thread and the requests it has been handed. */
class FileWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: (answer: Answer) => void; reject: (error: Error) => void }
  >();
  #nextId = 0;

  constructor(onExit: () => void) {
    // The worker runs this very module (see `serve` above), whatever file
    // the build made of it. From source (tests, `yarn start`) it needs
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
    this.#worker.on('message', (answer: Answer) => {
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (answer.error) pending?.reject(revive(answer.error));
      else pending?.resolve(answer);
    });
    this.#worker.on('error', (error: Error) => this.#failAll(error));
    this.#worker.on('exit', code => {
      this.#failAll(new Error(`A file store worker exited with code ${code}`));
      onExit();
    });
  }

  get load(): number {
    return this.#pending.size;
  }

  request(task: Exclude<Task, { task: 'close' }>): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...task, id });
    });
  }

  send(task: Extract<Task, { task: 'close' }>): void {
    this.#worker.postMessage(task);
  }

  #failAll(error: Error): void {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}

/**
 * Worker threads that do the file store's bulk work blocking: copies, each
 * a checked copy (`FileRoot.copy` under `runSync`), and folder walks.
 *
 * Why threads: a checked copy is five system calls (two realpaths, an lstat,
 * copy_file_range into a temporary file, a rename), and listing an object
 * is an lstat. On the event loop each is a round trip to libuv's thread pool
 * that costs more than the call itself for a small file, so seeding
 * thousands of small objects ran at 0.5–0.7× of a bare `copyFile`; run back
 * to back in a worker the same calls cost only themselves (see
 * bench/seeding.bench.ts). The checks are the same code either way, so
 * nothing is given up for the speed.
 *
 * One pool per process, like libuv's own: at most one worker per core, four
 * at most, started on first use; idle workers do not keep the process alive,
 * and a worker that dies is replaced at the next request.
 */
export class FileWorkers {
  static #shared?: FileWorkers;

  /** The process's pool. */
  static shared(): FileWorkers {
    FileWorkers.#shared ??= new FileWorkers(
      Math.min(MAX_WORKERS, os.availableParallelism()),
    );
    return FileWorkers.#shared;
  }

  readonly #size: number;
  readonly #workers: FileWorker[] = [];
  #nextWalk = 0;

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
          await this.#leastBusy().request({
            task: 'copy',
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

  /**
   * Every object under `folder` (see `walkFolder`), read by one worker a
   * chunk at a time, the next chunk asked for while the caller reads this
   * one. A caller that stops early ends the walk.
   */
  async *walk(folder: string, prefix: string): AsyncGenerator<DataStoreObject> {
    const worker = this.#leastBusy();
    const walk = this.#nextWalk++;
    let next = worker.request({
      task: 'walk',
      walk,
      start: { folder, prefix },
    });
    let done = false;
    try {
      while (!done) {
        const answer = await next;
        done = answer.done!;
        if (!done) {
          next = worker.request({ task: 'walk', walk });
          // Read at the next turn, or never if the caller stops first.
          next.catch(() => {});
        }
        yield* answer.objects!;
      }
    } finally {
      if (!done) worker.send({ task: 'close', walk });
    }
  }

  #leastBusy(): FileWorker {
    if (this.#workers.length < this.#size) {
      const worker: FileWorker = new FileWorker(() => {
        const index = this.#workers.indexOf(worker);
        if (index >= 0) this.#workers.splice(index, 1);
      });
      this.#workers.push(worker);
      return worker;
    }
    return this.#workers.reduce((a, b) => (b.load < a.load ? b : a));
  }
}

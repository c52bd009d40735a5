import fs, { Stats } from 'node:fs';

/**
 * A file system call, as data. The file store's link checks are written once,
 * as generators that yield these calls (see `FileRoot.ts`), and run either
 * on the event loop ({@link runAsync}: each call a round trip to libuv's
 * thread pool) or blocking in a worker thread ({@link runSync}: a file store
 * worker makes thousands of small copies, where each round trip cost more
 * than the system call itself). The same checks, whichever runs them.
 */
export type FileCall =
  | { call: 'realpath'; path: string }
  | { call: 'lstat'; path: string }
  | { call: 'stat'; path: string }
  | { call: 'mkdir'; path: string }
  | { call: 'rename'; from: string; to: string }
  | { call: 'unlink'; path: string }
  | { call: 'copyFile'; from: string; to: string; flags: number }
  /** Two programs at once on the event loop; one after the other in a worker. */
  | { call: 'both'; programs: [FileProgram<unknown>, FileProgram<unknown>] }
  /** Work only the event loop can do (streams): refused by runSync. */
  | { call: 'await'; run: () => Promise<unknown> };

/** A program of file system calls that returns a T. */
export type FileProgram<T> = Generator<FileCall, T, unknown>;

// Each yields one call and types its answer: `const stat = yield* lstat(p)`.

export function* realpath(path: string): FileProgram<string> {
  return (yield { call: 'realpath', path }) as string;
}

export function* lstat(path: string): FileProgram<Stats> {
  return (yield { call: 'lstat', path }) as Stats;
}

export function* stat(path: string): FileProgram<Stats> {
  return (yield { call: 'stat', path }) as Stats;
}

export function* mkdir(path: string): FileProgram<void> {
  yield { call: 'mkdir', path };
}

export function* rename(from: string, to: string): FileProgram<void> {
  yield { call: 'rename', from, to };
}

export function* unlink(path: string): FileProgram<void> {
  yield { call: 'unlink', path };
}

export function* copyFile(
  from: string,
  to: string,
  flags: number,
): FileProgram<void> {
  yield { call: 'copyFile', from, to, flags };
}

export function* both<A, B>(
  a: FileProgram<A>,
  b: FileProgram<B>,
): FileProgram<[A, B]> {
  return (yield { call: 'both', programs: [a, b] }) as [A, B];
}

export function* awaited<T>(run: () => Promise<T>): FileProgram<T> {
  return (yield { call: 'await', run }) as T;
}

function callSync(call: FileCall): unknown {
  switch (call.call) {
    case 'realpath':
      return fs.realpathSync.native(call.path);
    case 'lstat':
      return fs.lstatSync(call.path);
    case 'stat':
      return fs.statSync(call.path);
    case 'mkdir':
      return fs.mkdirSync(call.path);
    case 'rename':
      return fs.renameSync(call.from, call.to);
    case 'unlink':
      return fs.unlinkSync(call.path);
    case 'copyFile':
      return fs.copyFileSync(call.from, call.to, call.flags);
    case 'both':
      return call.programs.map(runSync);
    case 'await':
      throw new Error('A file program that awaits cannot run synchronously');
    default:
      throw new Error(`Unknown file call ${JSON.stringify(call)}`);
  }
}

async function callAsync(call: FileCall): Promise<unknown> {
  switch (call.call) {
    case 'realpath':
      return fs.promises.realpath(call.path);
    case 'lstat':
      return fs.promises.lstat(call.path);
    case 'stat':
      return fs.promises.stat(call.path);
    case 'mkdir':
      return fs.promises.mkdir(call.path);
    case 'rename':
      return fs.promises.rename(call.from, call.to);
    case 'unlink':
      return fs.promises.unlink(call.path);
    case 'copyFile':
      return fs.promises.copyFile(call.from, call.to, call.flags);
    case 'both':
      return Promise.all(call.programs.map(runAsync));
    case 'await':
      return call.run();
    default:
      throw new Error(`Unknown file call ${JSON.stringify(call)}`);
  }
}

/** Runs a program blocking, for a worker thread. */
export function runSync<T>(program: FileProgram<T>): T {
  // Each answer, or error, goes back into the program until it returns.
  let step = program.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = callSync(step.value);
    } catch (error) {
      step = program.throw(error);
      continue;
    }
    step = program.next(result);
  }
  return step.value;
}

/** Runs a program on the event loop. */
export async function runAsync<T>(program: FileProgram<T>): Promise<T> {
  let step = program.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await callAsync(step.value);
    } catch (error) {
      step = program.throw(error);
      continue;
    }
    step = program.next(result);
  }
  return step.value;
}

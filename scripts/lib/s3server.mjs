// A real, throw-away S3-compatible server for the tests and benchmarks of the
// s3:// data store: moto's standalone server, from a venv of its own made
// from test/s3/requirements.lock. Objects live in the server's memory and are
// gone when it stops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHttp } from './ports.mjs';
import { ensureVenv } from './python.mjs';

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
);

export const S3_LOCK_FILE = path.join('test', 's3', 'requirements.lock');

/**
 * Makes `.tooling/s3-venv` hold the pinned moto; returns its python. The venv
 * is made on first use rather than by `npm run bootstrap`: only the tests and
 * benchmarks need it, and `npm start` should not wait for it.
 */
export function ensureS3Venv(root = repoRoot) {
  return ensureVenv(
    root,
    path.join(root, '.tooling', 's3-venv'),
    path.join(root, S3_LOCK_FILE),
  );
}

/**
 * Starts moto's S3 server on a free port of 127.0.0.1 and waits until it
 * answers. moto takes any credentials; the ones returned are what clients
 * should sign with. `stop()` ends the server's whole process group.
 */
export async function startS3Server({ root = repoRoot } = {}) {
  const python = ensureS3Venv(root);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // The server logs every request; a file, unlike a pipe, never fills up and
  // stalls it while this process is busy.
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-s3-'));
  const logFile = path.join(logDir, 'moto.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    python,
    ['-m', 'moto.server', '--host', '127.0.0.1', '--port', String(port)],
    { detached: true, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let exited = false;
  const exit = new Promise(resolve =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  child.on('error', () => {
    exited = true;
  });
  const killGroup = signal => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // Should this process end without calling stop(), take the server along:
  // it runs in a process group of its own, which a Ctrl-C or a `kill` of
  // this one's group does not reach.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onExit = () => killGroup('SIGKILL');
  const onSignal = signal => {
    forget();
    killGroup('SIGKILL');
    process.kill(process.pid, signal);
  };
  const forget = () => {
    process.off('exit', onExit);
    for (const signal of signals) process.off(signal, onSignal);
  };
  process.on('exit', onExit);
  for (const signal of signals) process.on(signal, onSignal);

  async function stop() {
    forget();
    if (!exited) {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    }
    fs.rmSync(logDir, { recursive: true, force: true });
  }

  try {
    await waitForHttp(`${endpoint}/moto-api/`, {
      timeoutMs: 60_000,
      isAlive: () => !exited,
    });
  } catch (error) {
    const tail = fs.readFileSync(logFile, 'utf8').slice(-2_000);
    await stop();
    throw new Error(`The S3 server did not start: ${error.message}\n${tail}`);
  }
  return { endpoint, accessKeyId: 'test', secretAccessKey: 'test', stop };
}

// Starts the example backend (which also serves the built app) on a free
// port with a fresh SQLite folder, for tests that need the whole portal.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHttp } from '../../scripts/lib/ports.mjs';
import { cleanUpOnExit } from './cleanup.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

/**
 * @param options.config - more configuration, merged over the rest as one
 *   more `--config` file (objects merge, arrays replace)
 * @param options.logName - the backend log's file name in test-results/
 * @param options.watch - false runs the backend without the CLI's file
 *   watcher, so that files edited meanwhile do not restart it mid-test
 */
export async function startPortal({
  config,
  logName = 'portal-backend.log',
  watch = true,
} = {}) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-portal-'));
  const overlay = path.join(workDir, 'app-config.test.yaml');
  // JSON is YAML: the overlay puts app and backend on one origin and the
  // databases in a folder of this run only.
  fs.writeFileSync(
    overlay,
    JSON.stringify({
      app: { baseUrl },
      backend: {
        baseUrl,
        listen: { port, host: '127.0.0.1' },
        cors: { origin: baseUrl },
        database: { connection: { directory: path.join(workDir, 'sqlite') } },
      },
    }),
  );
  const extra = path.join(workDir, 'app-config.extra.yaml');
  if (config) fs.writeFileSync(extra, JSON.stringify(config));
  const logFile = path.join(root, 'test-results', logName);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'w');
  const configArgs = [
    '--config',
    '../../app-config.yaml',
    '--config',
    overlay,
    ...(config ? ['--config', extra] : []),
  ];
  // Without the watcher: node with the transform the CLI itself uses.
  const [command, args] = watch
    ? [
        path.join(root, 'node_modules', '.bin', 'backstage-cli'),
        ['package', 'start', ...configArgs],
      ]
    : [
        process.execPath,
        [
          '--enable-source-maps',
          '--require',
          createRequire(import.meta.url).resolve(
            '@backstage/cli-node/config/nodeTransform.cjs',
          ),
          'src/index.ts',
          ...configArgs,
        ],
      ];
  const backend = spawn(command, args, {
    cwd: path.join(root, 'packages', 'backend'),
    stdio: ['ignore', log, log],
    env: { ...process.env, NODE_ENV: 'development' },
    detached: true,
  });
  let exited = false;
  backend.on('exit', () => {
    exited = true;
  });
  const forget = cleanUpOnExit(() => {
    process.kill(-backend.pid, 'SIGKILL');
    fs.rmSync(workDir, { recursive: true, force: true });
  });
  const stop = async () => {
    if (!exited) {
      // The CLI starts the backend as a child: end the whole process group.
      try {
        process.kill(-backend.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise(resolve => {
        const timer = setTimeout(() => {
          try {
            process.kill(-backend.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
          resolve();
        }, 10_000);
        backend.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    forget();
    fs.closeSync(log);
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${baseUrl}/.backstage/health/v1/readiness`, {
      timeoutMs: 180_000,
      isAlive: () => !exited,
    });
  } catch (error) {
    await stop();
    throw new Error(`${error.message}; backend log: ${logFile}`);
  }
  return { baseUrl, stop, logFile };
}

/** A guest user's Backstage token, for calling the API as the browser does. */
export async function guestToken(baseUrl) {
  const response = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!response.ok)
    throw new Error(`guest sign-in failed: HTTP ${response.status}`);
  return (await response.json()).backstageIdentity.token;
}

/** Waits until the catalog has ingested an entity (file locations load asynchronously). */
export async function waitForEntity(baseUrl, token, ref, timeoutMs = 120_000) {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  const url = `${baseUrl}/api/catalog/entities/by-name/${kind}/${namespace}/${name}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(url, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (response.ok) return response.json();
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(
    `${ref} did not appear in the catalog within ${timeoutMs / 1000}s`,
  );
}

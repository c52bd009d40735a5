#!/usr/bin/env node
// Entry point for `npm start`, `npm test` and `npm run bootstrap`.
//
// This file must run on whatever Node the machine has (Node 20 on a new
// machine) and use nothing outside Node's standard library: it is what makes
// the toolchain exist. It brings up Node 22, the Yarn workspace and the Python
// virtualenv when asked, then hands the command over to a script that runs on Node 22.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode, ensureYarnInstall, toolEnv } from './lib/toolchain.mjs';
import { ensureAirflowVenv } from './lib/python.mjs';
import { seedExampleData } from './lib/exampleData.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'bootstrap', ...args] = process.argv.slice(2);

const commands = {
  // The portal in development mode: app on :3000, backend on :7007.
  start: ['node_modules/.bin/backstage-cli', 'repo', 'start'],
  // Every test: type-check, lint, unit tests on SQLite and PostgreSQL, Python
  // tests and the browser smoke test.
  test: ['scripts/test.mjs'],
  // Benchmarks, each against a baseline measured in the same run.
  bench: ['scripts/bench.mjs'],
  bootstrap: null,
};

if (!(command in commands)) {
  console.error(
    `Unknown command "${command}". Use one of: ${Object.keys(commands).join(
      ', ',
    )}.`,
  );
  process.exit(2);
}

const node = ensureNode(root);
ensureYarnInstall(root, node);
// The Python side (Airflow 3 with the Airflow-side package) is only needed by
// the tests, which build it themselves; `npm run bootstrap` builds it ahead.
if (command === 'bootstrap') ensureAirflowVenv(root);

if (command === 'start') seedExampleData(root);

const target = commands[command];
if (target) {
  const result = spawnSync(node.bin, [...target, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: toolEnv(root, node),
  });
  process.exit(result.status ?? 1);
}

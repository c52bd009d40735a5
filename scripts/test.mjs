// `npm test`: every test of the project, in the order that fails fastest.
// Runs on Node 22 after scripts/run.mjs has installed the toolchain.
//
// Each step runs even when an earlier one failed, so one run reports every
// problem; the exit code is non-zero if any step failed. Test counts of every
// runner are summed into one closing line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './lib/postgres.mjs';
import { startS3Server } from './lib/s3server.mjs';
import { ensureAirflowVenv, PYTHON_PACKAGE_DIR } from './lib/python.mjs';
import { ensureChromium } from './lib/chromium.mjs';
import { readJestCounts, readJunitCounts } from './lib/counts.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });

// Two cores: more jest workers than that only thrash.
const maxWorkers = process.env.DAG_CICD_TEST_WORKERS ?? '2';

function run(cmd, args, options = {}) {
  return new Promise(resolve => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: 'inherit',
      ...options,
      env: { ...process.env, ...options.env },
    });
    child.on('exit', (code, signal) => resolve(signal ? 1 : code));
    child.on('error', error => {
      console.error(error.message);
      resolve(1);
    });
  });
}

const bin = name => path.join(root, 'node_modules', '.bin', name);

const steps = [
  {
    name: 'type-check',
    run: () => run(bin('tsc'), ['--pretty', 'false']),
  },
  {
    name: 'lint',
    run: () =>
      run(bin('backstage-cli'), ['repo', 'lint', '--max-warnings', '0']),
  },
  {
    name: 'format',
    run: () => run(bin('prettier'), ['--check', '--loglevel', 'warn', '.']),
  },
  {
    name: 'unit tests (SQLite + PostgreSQL + S3)',
    async run() {
      // S3 first: its venv is made on first use, and a failure there ends
      // the run before PostgreSQL is up.
      const s3 = await startS3Server();
      const postgres = await startPostgres().catch(async error => {
        await s3.stop();
        throw error;
      });
      try {
        const output = path.join(results, 'jest.json');
        fs.rmSync(output, { force: true });
        const code = await run(
          bin('backstage-cli'),
          [
            'repo',
            'test',
            `--maxWorkers=${maxWorkers}`,
            '--json',
            `--outputFile=${output}`,
          ],
          {
            env: {
              CI: 'true',
              BACKSTAGE_TEST_DISABLE_DOCKER: '1',
              BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING:
                postgres.connectionString,
              DAG_CICD_REQUIRE_POSTGRES: '1',
              DAG_CICD_TEST_S3_ENDPOINT: s3.endpoint,
              DAG_CICD_TEST_S3_ACCESS_KEY_ID: s3.accessKeyId,
              DAG_CICD_TEST_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
              DAG_CICD_REQUIRE_SERVERS: '1',
            },
          },
        );
        return { code, counts: readJestCounts(output) };
      } finally {
        await postgres.stop();
        await s3.stop();
      }
    },
  },
  {
    name: 'python tests (Airflow 3)',
    async run() {
      // The package's tests run real DAGs, so they run on real Airflow.
      const python = ensureAirflowVenv(root);
      const output = path.join(results, 'pytest.xml');
      fs.rmSync(output, { force: true });
      const code = await run(
        python,
        ['-m', 'pytest', '-q', `--junitxml=${output}`],
        {
          cwd: path.join(root, PYTHON_PACKAGE_DIR),
        },
      );
      return { code, counts: readJunitCounts(output) };
    },
  },
  {
    name: 'end-to-end (Airflow 3)',
    async run() {
      // Real Airflow from the same venv, and the backend from source: the
      // harnesses start and stop both.
      ensureAirflowVenv(root);
      const output = path.join(results, 'e2e.xml');
      fs.rmSync(output, { force: true });
      const code = await run(process.execPath, [
        '--test',
        '--test-concurrency=1',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=junit',
        `--test-reporter-destination=${output}`,
        'test/e2e/*.test.mjs',
      ]);
      return { code, counts: readJunitCounts(output) };
    },
  },
  {
    name: 'browser tests',
    async run() {
      const chromium = ensureChromium();
      // The backend serves the production build of the app, as it would in
      // a deployment.
      const built = await run(bin('backstage-cli'), ['package', 'build'], {
        cwd: path.join(root, 'packages', 'app'),
      });
      if (built !== 0) return built;
      const output = path.join(results, 'browser.xml');
      fs.rmSync(output, { force: true });
      const code = await run(
        process.execPath,
        [
          '--test',
          '--test-concurrency=1',
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          '--test-reporter=junit',
          `--test-reporter-destination=${output}`,
          'test/browser/*.test.mjs',
        ],
        { env: { CHROMIUM_PATH: chromium } },
      );
      return { code, counts: readJunitCounts(output) };
    },
  },
];

const only = process.argv.slice(2);
const summary = [];
for (const step of steps) {
  if (only.length && !only.some(word => step.name.includes(word))) continue;
  console.log(`\n=== ${step.name} ===`);
  const started = Date.now();
  let outcome;
  try {
    outcome = await step.run();
  } catch (error) {
    console.error(`${step.name}: ${error.stack ?? error}`);
    outcome = 1;
  }
  const { code, counts } =
    typeof outcome === 'object' ? outcome : { code: outcome };
  summary.push({
    name: step.name,
    code,
    counts,
    seconds: (Date.now() - started) / 1000,
  });
}

console.log('\n=== summary ===');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const { name, code, counts, seconds } of summary) {
  const tests = counts
    ? ` (${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped)`
    : '';
  console.log(
    `${code === 0 ? 'ok  ' : 'FAIL'} ${name}${tests} ${seconds.toFixed(1)}s`,
  );
  if (counts) {
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
  }
  // A step that failed without a failing test (a crash, a lint error) still
  // counts as a failure in the closing line.
  if (code !== 0 && !(counts?.failed > 0)) failed += 1;
}
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(summary.every(s => s.code === 0) ? 0 : 1);

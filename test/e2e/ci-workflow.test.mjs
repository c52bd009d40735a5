// The example DAG repository's CI workflow (examples/dag-repo), run for real:
// every `run:` step of .github/workflows/dag-cicd.yml, with the workflow's
// env and GitHub's expressions filled in, against a real Airflow 3 and the
// backend, authenticated as CI with a static external-access token. The
// `dag-cicd` those steps call is this repository's packages/cli.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { ORDERS_DAILY as ENTITY, startE2eStack } from '../harness/e2eStack.mjs';
import { guestToken, waitForEntity } from '../harness/portal.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const repo = path.join(root, 'examples', 'dag-repo');
const workflow = parse(
  fs.readFileSync(
    path.join(repo, '.github', 'workflows', 'dag-cicd.yml'),
    'utf8',
  ),
);
const CI_TOKEN = randomBytes(24).toString('hex');

let stack;
let portal;
let cliBin;

before(async () => {
  // The DAG repository's own dags/ folder is what Airflow runs.
  const dags = path.join(repo, 'dags');
  stack = await startE2eStack({
    name: 'e2e-ci',
    dags: fs
      .readdirSync(dags)
      .filter(file => file.endsWith('.py'))
      .map(file => path.join(dags, file)),
    chaos: { nulls: 0.03, malformed: 0.03, duplicates: 0.03 },
    // The repository's own CI access configuration, with this run's token.
    config: parse(
      fs
        .readFileSync(path.join(root, 'app-config.ci.yaml'), 'utf8')
        .replace('${DAG_CICD_CI_TOKEN}', CI_TOKEN),
    ),
  });
  portal = stack.portal;
  // `dag-cicd` on the PATH, as `npm install --global @dag-cicd/cli` puts it.
  cliBin = path.join(stack.work, 'bin');
  fs.mkdirSync(cliBin);
  fs.symlinkSync(
    path.join(root, 'packages', 'cli', 'bin', 'dag-cicd'),
    path.join(cliBin, 'dag-cicd'),
  );
});

after(() => stack?.stop());

/** GitHub's expression context for one event, as far as the workflow uses it. */
function githubContext({ event, sha, ref }) {
  return {
    'github.sha': sha,
    'github.ref': ref,
    'github.event_name': event,
    'github.event.pull_request.head.sha': sha,
    'vars.DAG_CICD_URL': portal.baseUrl,
    'secrets.DAG_CICD_TOKEN': CI_TOKEN,
  };
}

function expand(value, context) {
  return String(value).replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name) => {
    assert.ok(name in context, `the test knows \${{ ${name} }}`);
    return context[name];
  });
}

/**
 * Runs a job's `run:` steps as Actions would: workflow env, then job env,
 * in the repository's checkout. Steps that `uses:` an action are Actions'
 * own setup; `install-cli` is replaced by the PATH above.
 */
async function runJob(name, context) {
  const job = workflow.jobs[name];
  assert.ok(job, `the workflow has a job ${name}`);
  const env = {};
  for (const [key, value] of Object.entries({
    ...workflow.env,
    ...job.env,
  })) {
    env[key] = expand(value, context);
  }
  const outputs = [];
  for (const step of job.steps) {
    if (step.uses || step.id === 'install-cli') continue;
    const output = await sh(expand(step.run, context), env);
    outputs.push(output);
    if (output.code !== 0) break;
  }
  return outputs.at(-1);
}

function sh(script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-c', script], {
      cwd: repo,
      env: {
        ...process.env,
        ...env,
        PATH: `${cliBin}${path.delimiter}${path.dirname(process.execPath)}${
          path.delimiter
        }${process.env.PATH}`,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', code => resolve({ code, stdout, stderr }));
  });
}

/** The CLI as CI has it, for reading back what the workflow did. */
async function cli(args, token = CI_TOKEN) {
  const result = await sh(
    `dag-cicd --output json ${args.map(a => `'${a}'`).join(' ')}`,
    { DAG_CICD_URL: portal.baseUrl, DAG_CICD_TOKEN: token },
  );
  return {
    ...result,
    json: result.code === 0 ? JSON.parse(result.stdout) : undefined,
  };
}

test(
  'the example workflow provisions, runs, promotes and cleans up through the CLI',
  { timeout: 600_000 },
  async t => {
    const sha = randomBytes(20).toString('hex');
    const sha7 = sha.slice(0, 7);

    // A push to main: the test job, then the promote job.
    const context = githubContext({
      event: 'push',
      sha,
      ref: 'refs/heads/main',
    });
    const pushed = await runJob('test', context);
    assert.equal(pushed.code, 0, pushed.stderr);
    // Progress went to stderr, the CLI's results to stdout.
    assert.match(pushed.stderr, /environment ci_\w+: ready/);
    assert.match(pushed.stderr, /run \S+: success/);

    for (const [name, profile] of [
      [`ci_${sha7}`, 'sample'],
      [`ci_${sha7}_chaos`, 'chaos'],
    ]) {
      const { json: env } = await cli(['env', 'get', `${ENTITY}@ci/${name}`]);
      assert.equal(env.status, 'ready', JSON.stringify(env));
      assert.equal(env.profile, profile);
      assert.equal(env.commit, sha);
      assert.equal(env.createdBy, 'ci-pipeline');
      assert.equal(env.lastRun?.state, 'success', JSON.stringify(env));
    }

    // Promotions are decided by their own gates; the request is what CI
    // does. Either it is accepted, or the server says why in one line.
    const promoted = await runJob('promote', context);
    if (promoted.code === 0) {
      assert.match(promoted.stdout, /ci -> staging/);
    } else {
      const lines = promoted.stderr.trim().split('\n');
      assert.equal(lines.length, 1, promoted.stderr);
      assert.match(lines[0], /^dag-cicd: \S/);
      assert.doesNotMatch(promoted.stderr, /\n\s+at /, 'no stack trace');
    }
    t.diagnostic(
      `promote: exit ${promoted.code} ${promoted.stdout || promoted.stderr}`,
    );

    // The pull request closes: both environments go, namespaces and all.
    const closed = await runJob(
      'cleanup',
      githubContext({ event: 'pull_request', sha, ref: 'refs/pull/1/merge' }),
    );
    assert.equal(closed.code, 0, closed.stderr);
    const { json: left } = await cli([
      'env',
      'list',
      '--entity',
      ENTITY,
      '--stage',
      'ci',
    ]);
    const mine = left.items.filter(env => env.commit === sha);
    assert.deepEqual(mine.map(env => [env.name, env.status]).sort(), [
      [`ci_${sha7}`, 'deleted'],
      [`ci_${sha7}_chaos`, 'deleted'],
    ]);
    for (const env of mine) {
      assert.equal(fs.existsSync(fileURLToPath(env.dataNamespace)), false);
    }

    // Cleanup again is a no-op: gone is what it wants.
    const again = await runJob(
      'cleanup',
      githubContext({ event: 'pull_request', sha, ref: 'refs/pull/1/merge' }),
    );
    assert.equal(again.code, 0, again.stderr);
  },
);

test('a wrong CI token exits 3 with one line from the real backend', async () => {
  const result = await cli(['env', 'list'], 'not-the-ci-token');
  assert.equal(result.code, 3, result.stderr);
  assert.match(
    result.stderr,
    /^dag-cicd: .*set DAG_CICD_TOKEN to a token the backend accepts/,
  );
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('an unknown entity exits 4 with the server message', async () => {
  const result = await cli([
    'env',
    'create',
    '--entity',
    'component:default/no-such-dag',
    '--commit',
    randomBytes(20).toString('hex'),
  ]);
  assert.equal(result.code, 4, result.stderr);
  assert.equal(
    result.stderr,
    'dag-cicd: No entity component:default/no-such-dag in the catalog\n',
  );
});

test('an invalid SHA exits 2 with the server message', async () => {
  const result = await cli([
    'env',
    'create',
    '--entity',
    ENTITY,
    '--commit',
    'not-a-sha',
  ]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^dag-cicd: .*commit/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('the scaffolder offers the action and the example template', async () => {
  const guest = await guestToken(portal.baseUrl);
  const response = await fetch(`${portal.baseUrl}/api/scaffolder/v2/actions`, {
    headers: { Authorization: `Bearer ${guest}` },
  });
  assert.equal(response.status, 200);
  const action = (await response.json()).find(
    a => a.id === 'dag-cicd:environment:create',
  );
  assert.deepEqual(action?.schema.input.required, ['entityRef', 'commit']);
  const template = await waitForEntity(
    portal.baseUrl,
    guest,
    'template:default/dag-cicd-environment',
  );
  assert.equal(template.spec.steps[0].action, 'dag-cicd:environment:create');
});

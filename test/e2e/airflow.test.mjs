// The product's promise, end to end on a real Airflow 3: through the
// backend's own HTTP API, make a `ci` environment of orders-daily with the
// `sample` profile and one with `chaos`, run the DAG in each on Airflow, and
// check what the runs did to the data store; then tear both down.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { ORDERS_DAILY as ENTITY, startE2eStack } from '../harness/e2eStack.mjs';
import { guestToken, waitForEntity } from '../harness/portal.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

const DAG_ID = 'orders_daily';
// revenue_report needs spark-submit: only the DAGs that run anywhere.
const DAG_FILES = ['orders_daily.py', 'customer_events_hourly.py'];
// The row faults orders_daily detects; `outOfOrder` is injected too and must
// not be quarantined (order is no fault of a row).
const CHECKED_ROW_FAULTS = ['nulls', 'malformed', 'duplicates', 'late'];
const CHAOS = {
  nulls: 0.03,
  malformed: 0.03,
  duplicates: 0.03,
  late: 0.03,
  outOfOrder: 0.03,
};
const FINAL = ['success', 'failed', 'error'];
// Fixed, so that a failure replays; DAG_CICD_E2E_SEED tries another.
const SEED = Number(process.env.DAG_CICD_E2E_SEED ?? 42);

let stack;
let store;
let airflow;
let portal;
let token;

before(async () => {
  stack = await startE2eStack({
    name: 'e2e',
    dags: DAG_FILES.map(file => path.join(root, 'examples', 'dags', file)),
    chaos: CHAOS,
    config: {
      // The catalog module discovers DAGs from the same Airflow. Only the
      // DAG that no hand-written entity in examples/ describes: the others
      // would be the same entity from two sources, which the catalog
      // reports as a conflict.
      catalog: {
        providers: {
          airflow: {
            local: {
              instance: 'local',
              // Airflow's dag_id_pattern: a SQL LIKE pattern, not a regex.
              filters: { dagIdPattern: 'customer_events_hourly' },
              defaultOwner: 'group:default/data-engineering',
              schedule: {
                frequency: { seconds: 5 },
                timeout: { minutes: 1 },
                initialDelay: { seconds: 0 },
              },
            },
          },
        },
      },
    },
  });
  ({ store, airflow, portal } = stack);
  token = await ownerToken(stack.ordersDaily);
});

after(() => stack?.stop());

test(
  'sample and chaos environments of orders-daily run on Airflow 3, isolated',
  { timeout: 240_000 },
  async t => {
    const initial = checksums(store);
    const production = checksums(store, { skip: 'default' });
    const commit = randomBytes(20).toString('hex');

    const [sample, chaos] = await Promise.all([
      createReadyEnvironment({ commit, name: 'e2e_sample', profile: 'sample' }),
      createReadyEnvironment({
        commit,
        name: 'e2e_chaos',
        profile: 'chaos',
        seed: SEED,
      }),
    ]);
    assert.notEqual(sample.dataNamespace, chaos.dataNamespace);
    const namespaces = [sample, chaos].map(env => env.dataNamespace);
    for (const namespace of namespaces) {
      assert.ok(namespace.startsWith(`file://${store}/default/`), namespace);
    }

    const [sampleRun, chaosRun] = await Promise.all(
      [sample, chaos].map(async env => {
        const started = await api('POST', `/environments/${env.id}/runs`);
        assert.equal(started.status, 201, JSON.stringify(started.body));
        return waitForRun(env, started.body.id);
      }),
    );

    // Both runs succeeded, and every task of them.
    for (const run of [sampleRun, chaosRun]) {
      assert.equal(run.state, 'success', JSON.stringify(run));
      assert.equal(run.dagId, DAG_ID);
      assert.ok(run.uiUrl?.startsWith(airflow.baseUrl), run.uiUrl);
      assert.deepEqual(
        run.tasks.map(task => [task.taskId, task.state]),
        [['clean_orders', 'success']],
      );
    }

    // Production, fixtures and everything else outside the environments'
    // namespaces is byte for byte what it was.
    assert.deepEqual(checksums(store, { skip: 'default' }), production);

    // Every object written, by provisioning or by the runs, is under one of
    // the two namespaces (the runs' outputs under their own: see manifests).
    const afterRuns = checksums(store);
    const written = Object.keys(afterRuns).filter(
      file => afterRuns[file] !== initial[file],
    );
    assert.ok(written.length > 0, 'something was written');
    for (const file of written) {
      assert.ok(
        namespaces.some(namespace => uriOf(file).startsWith(namespace)),
        `${file} was written outside both namespaces`,
      );
    }

    // The manifests reached the backend, and say what is in the store.
    for (const [env, run] of [
      [sample, sampleRun],
      [chaos, chaosRun],
    ]) {
      assert.deepEqual(
        run.manifests.map(m => m.taskId),
        ['clean_orders'],
      );
      const { outputs } = run.manifests[0].manifest;
      assert.deepEqual(
        outputs.map(o => o.path),
        [
          `${env.dataNamespace}orders/part-0.csv`,
          `${env.dataNamespace}quarantine/part-0.csv`,
        ],
      );
      for (const output of outputs) {
        const file = fileURLToPath(output.path);
        assert.equal(output.sha256, afterRuns[path.relative(store, file)]);
        assert.equal(output.bytes, fs.statSync(file).size);
        assert.equal(
          output.rows,
          parseCsv(fs.readFileSync(file, 'utf8')).length - 1,
        );
      }
    }

    // Production's data is clean: a sample of it quarantines nothing.
    const sampleQuarantine = quarantined(sample);
    assert.equal(sampleQuarantine.size, 0);

    // The chaos run quarantined exactly the rows the injector reports
    // faulty, for every fault the DAG checks, several of each.
    const report = fs
      .readFileSync(
        fileURLToPath(`${chaos.dataNamespace}_chaos/report.jsonl`),
        'utf8',
      )
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line))
      .filter(entry => entry.fault);
    for (const fault of Object.keys(CHAOS)) {
      assert.ok(
        report.filter(entry => entry.fault === fault).length >= 3,
        `several ${fault} faults were injected`,
      );
    }
    const injected = new Set(
      report
        .filter(entry => CHECKED_ROW_FAULTS.includes(entry.fault))
        .map(entry => `${entry.file}#${entry.row}`),
    );
    const chaosQuarantine = quarantined(chaos);
    assert.deepEqual([...chaosQuarantine].sort(), [...injected].sort());
    t.diagnostic(
      `chaos (seed ${SEED}): ${
        chaosQuarantine.size
      } rows quarantined, as injected: ${Object.keys(CHAOS)
        .map(f => `${f} ${report.filter(e => e.fault === f).length}`)
        .join(', ')}`,
    );

    // Teardown removes both namespaces.
    for (const env of [sample, chaos]) {
      const deleted = await api('DELETE', `/environments/${env.id}`);
      assert.equal(deleted.status, 202, JSON.stringify(deleted.body));
    }
    for (const env of [sample, chaos]) {
      const gone = await waitForStatus(env.id, ['deleted']);
      assert.equal(gone.status, 'deleted');
      assert.equal(fs.existsSync(fileURLToPath(env.dataNamespace)), false);
    }
    assert.deepEqual(checksums(store), production);
  },
);

test(
  'the catalog module discovers a DAG of the real Airflow 3 as an entity',
  { timeout: 120_000 },
  async () => {
    const entity = await waitForEntity(
      portal.baseUrl,
      token,
      'component:default/customer-events-hourly',
    );
    assert.equal(entity.spec.type, 'airflow-dag');
    assert.equal(entity.spec.owner, 'group:default/data-engineering');
    const annotations = entity.metadata.annotations;
    assert.equal(
      annotations['airflow.apache.org/dag-id'],
      'customer_events_hourly',
    );
    assert.equal(annotations['airflow.apache.org/instance'], 'local');
    // The entity's location is the DAG in the Airflow UI.
    for (const key of [
      'backstage.io/managed-by-location',
      'backstage.io/managed-by-origin-location',
    ]) {
      assert.ok(
        annotations[key].startsWith(`url:${airflow.baseUrl}`),
        `${key}: ${annotations[key]}`,
      );
      assert.ok(annotations[key].includes('customer_events_hourly'));
    }
    assert.deepEqual([...entity.metadata.tags].sort(), ['dag-cicd', 'jsonl']);
    assert.ok(
      entity.metadata.links?.some(link => link.url.startsWith(airflow.baseUrl)),
      JSON.stringify(entity.metadata.links),
    );
  },
);

/**
 * A guest token that carries the ownership of `entity`: the claims are read
 * from the catalog when the token is issued, and the guest's group may be
 * ingested after the DAG entity is.
 */
async function ownerToken(entity) {
  const owner = entity.relations.find(r => r.type === 'ownedBy').targetRef;
  return poll(`a guest token owning ${ENTITY}`, 120_000, async () => {
    const candidate = await guestToken(portal.baseUrl);
    const response = await fetch(`${portal.baseUrl}/api/auth/v1/userinfo`, {
      headers: { Authorization: `Bearer ${candidate}` },
    });
    const { claims } = await response.json();
    return claims.ent.includes(owner) && candidate;
  });
}

/** Calls the backend's DAG CI/CD API as the guest user. */
async function api(method, route, body) {
  const response = await fetch(`${portal.baseUrl}/api/dag-cicd${route}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body && { 'Content-Type': 'application/json' }),
    },
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function createReadyEnvironment(request) {
  const created = await api('POST', '/environments', {
    entityRef: ENTITY,
    stage: 'ci',
    ...request,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const env = await waitForStatus(created.body.id, ['ready', 'failed']);
  assert.equal(env.status, 'ready', JSON.stringify(env));
  return env;
}

async function waitForStatus(id, statuses, timeoutMs = 60_000) {
  return poll(
    `environment ${id} to be ${statuses.join(' or ')}`,
    timeoutMs,
    async () => {
      const { status, body } = await api('GET', `/environments/${id}`);
      assert.equal(status, 200, JSON.stringify(body));
      return statuses.includes(body.status) && body;
    },
  );
}

async function waitForRun(env, runId, timeoutMs = 150_000) {
  return poll(`the run in ${env.name} to finish`, timeoutMs, async () => {
    const { status, body } = await api(
      'GET',
      `/environments/${env.id}/runs?refresh=true`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    const run = body.items.find(item => item.id === runId);
    assert.ok(run, `run ${runId} is listed`);
    return FINAL.includes(run.state) && run;
  });
}

async function poll(what, timeoutMs, attempt) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result) return result;
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000}s`);
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

/** (namespace-relative source file, row) of every row a run quarantined. */
function quarantined(env) {
  const file = fileURLToPath(`${env.dataNamespace}quarantine/part-0.csv`);
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
  assert.deepEqual(header, ['source_file', 'source_row', 'reason', 'record']);
  return new Set(
    rows.map(([source, row]) => {
      assert.ok(source.startsWith(env.dataNamespace), source);
      return `${source.slice(env.dataNamespace.length)}#${row}`;
    }),
  );
}

/** SHA-256 of every file under `dir`, by relative path; `skip` a top folder. */
function checksums(dir, { skip } = {}) {
  const sums = {};
  for (const entry of fs.readdirSync(dir, {
    recursive: true,
    withFileTypes: true,
  })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, file);
    if (skip && relative.split(path.sep)[0] === skip) continue;
    sums[relative] = createHash('sha256')
      .update(fs.readFileSync(file))
      .digest('hex');
  }
  return sums;
}

function uriOf(relative) {
  return `file://${path.join(store, relative)}`;
}

/** RFC 4180 CSV, as Python's csv module writes it: records of fields. */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else if (c !== '\r') {
      field += c;
    }
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}

/*
 * Create latency with the `production-readonly` profile, through the real
 * HTTP API (router, validation, service, database), at 1k and 100k existing
 * environments, on SQLite and PostgreSQL. Baseline: a bare knex insert of the
 * same row into the same table followed by a select by id — the floor any
 * create must stand on. Target (lakeFS branch creation): p50 ≤ 15 ms,
 * p99.9 ≤ 100 ms, flat as the table grows.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toRow } from '../src/database/DatabaseEnvironmentStore';
import {
  createEnvironmentApp,
  ORDERS,
} from '../src/__testUtils__/environmentApp';
import { environmentRecord } from '../src/__testUtils__/records';
import { Engine, onSqliteAndPostgres } from './engines';
import {
  formatMs,
  percentile,
  report,
  Row,
  runBenchmark,
  sampleLatencies,
} from './harness';
import { serveLocally } from './localServer';

const SAMPLES = Number(process.env.DAG_CICD_BENCH_SAMPLES ?? 2000);
const SIZES = [1_000, 100_000];
const SHA = 'ab12cd3'.padEnd(40, '0');

async function fill(knex: Knex, count: number, from: number) {
  const rows = [];
  for (let i = from; i < count; i++) {
    const r = environmentRecord({
      entityRef: `component:default/dag-${i % 500}`,
      name: `ci_${i}`,
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
    });
    rows.push(toRow({ ...r, requestHash: 'x' }));
    // SQLite allows at most 500 terms in one compound insert.
    if (rows.length === 100) {
      await knex('dag_cicd_environments').insert(rows.splice(0));
    }
  }
  if (rows.length) await knex('dag_cicd_environments').insert(rows);
}

// Through fetch (undici), which keeps the connection alive between calls as
// a CI client would.
async function post(baseUrl: string, body: object): Promise<void> {
  const response = await fetch(`${baseUrl}/environments`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: mockCredentials.user.header(),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) {
    throw new Error(`create answered ${response.status}: ${text}`);
  }
}

async function measure(engine: Engine, knex: Knex): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-bench-'));
  const env = await createEnvironmentApp({ knex, root });
  const server = await serveLocally(env.app);
  const rows: Row[] = [];
  let filled = 0;
  for (const [run, size] of SIZES.entries()) {
    await fill(knex, size, filled);
    filled = size;
    const created = await sampleLatencies(SAMPLES, async i => {
      await post(server.baseUrl, {
        entityRef: ORDERS,
        commit: SHA,
        name: `b${run}_${i < 0 ? `w${-i}` : i}`,
        profile: 'production-readonly',
      });
    });
    await env.provisioner.settled();
    const bare = await sampleLatencies(SAMPLES, async () => {
      const r = environmentRecord({ name: `bare_${randomUUID()}` });
      await knex('dag_cicd_environments').insert(
        toRow({ ...r, status: 'provisioning', inputs: {}, artifacts: {} }),
      );
      await knex('dag_cicd_environments').where({ id: r.id }).first();
    });
    for (const [label, p, target] of [
      ['p50', 50, 15],
      ['p99.9', 99.9, 100],
    ] as const) {
      const m = percentile(created, p);
      const b = percentile(bare, p);
      rows.push({
        case: `${engine}, ${size.toLocaleString('en')} existing, ${label}`,
        measured: formatMs(m),
        baseline: formatMs(b),
        ratio: m / b,
        target: `≤ ${target} ms`,
        ok: m <= target,
      });
    }
  }
  server.close();
  fs.rmSync(root, { recursive: true, force: true });
  return rows;
}

async function main() {
  const rows = await onSqliteAndPostgres(measure);
  report(
    `create (production-readonly) over HTTP vs bare knex insert+select, ${SAMPLES} samples each`,
    rows,
  );
}

runBenchmark(main);

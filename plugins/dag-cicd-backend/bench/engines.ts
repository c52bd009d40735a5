/*
 * The databases a benchmark measures on: SQLite in a file of its own, the
 * embedded default, and PostgreSQL, which real deployments run on, started
 * for the run by the same script the tests use.
 */
import knexFactory, { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Row } from './harness';

export type Engine = 'SQLite' | 'PostgreSQL';

/** A knex on a new SQLite file in `dir`, a temporary folder of its own. */
export interface TemporarySqlite {
  knex: Knex;
  dir: string;
  /** Closes the database and removes `dir`. */
  dispose(): Promise<void>;
}

export function temporarySqlite(): TemporarySqlite {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-bench-db-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'bench.sqlite') },
    useNullAsDefault: true,
  });
  return {
    knex,
    dir,
    async dispose() {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `measure` on a fresh SQLite database, then on a fresh PostgreSQL
 * server, one after the other so that they never share the machine.
 *
 * @returns the rows of both, SQLite's first
 */
export async function onSqliteAndPostgres(
  measure: (engine: Engine, knex: Knex) => Promise<Row[]>,
): Promise<Row[]> {
  const rows: Row[] = [];
  const sqlite = temporarySqlite();
  try {
    rows.push(...(await measure('SQLite', sqlite.knex)));
  } finally {
    await sqlite.dispose();
  }

  // eslint-disable-next-line @backstage/no-relative-monorepo-imports
  const { startPostgres } = await import('../../../scripts/lib/postgres.mjs');
  const server = await startPostgres();
  try {
    const pg = knexFactory({
      client: 'pg',
      connection: server.connectionString,
    });
    try {
      rows.push(...(await measure('PostgreSQL', pg)));
    } finally {
      await pg.destroy();
    }
  } finally {
    await server.stop();
  }
  return rows;
}

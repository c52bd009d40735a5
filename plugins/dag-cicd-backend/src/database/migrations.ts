import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@dag-cicd/plugin-dag-cicd-backend',
  'migrations',
);

/**
 * Brings the plugin's tables up to date, unless the deployment manages
 * migrations itself (`backend.database.skipMigrations`).
 */
export async function applyDatabaseMigrations(
  database: DatabaseService,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return client;
}

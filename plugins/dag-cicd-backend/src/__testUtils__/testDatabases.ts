import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';

/**
 * The engines every database test runs on. `npm test` starts a real
 * PostgreSQL and sets DAG_CICD_REQUIRE_POSTGRES, so that a missing server
 * fails the run instead of silently testing SQLite alone.
 */
export function createTestDatabases(): TestDatabases {
  const ids: TestDatabaseId[] = ['SQLITE_3', 'POSTGRES_18'];
  const databases = TestDatabases.create({ ids });
  if (
    process.env.DAG_CICD_REQUIRE_POSTGRES &&
    !databases.supports('POSTGRES_18')
  ) {
    throw new Error(
      'DAG_CICD_REQUIRE_POSTGRES is set but BACKSTAGE_TEST_DATABASE_POSTGRES18_CONNECTION_STRING is not: run the tests through `npm test`, which starts PostgreSQL.',
    );
  }
  return databases;
}

/**
 * The database service of a backend made with `startTestBackend`, one
 * SQLite database per call of the returned function, destroyed after the
 * file's tests: the backend's default test database outlives the backend,
 * and its pool's reaping timers keep a Jest worker from exiting. Call at
 * the top of a test file, where the cleanup can be registered.
 */
export function testDatabaseServices() {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  return async () =>
    mockServices.database.factory({
      knex: await databases.init('SQLITE_3'),
      migrations: { skip: false },
    });
}

import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { dagCicdPermissions } from '@dag-cicd/plugin-dag-cicd-common';
import { DatabaseEnvironmentStore } from './database/DatabaseEnvironmentStore';
import { applyDatabaseMigrations } from './database/migrations';
import { EntityAccess } from './service/entityAccess';
import { createRouter } from './service/router';
import { Stages } from './service/stages';

/**
 * The DAG CI/CD backend plugin: per-commit environments of Airflow DAGs, served
 * at `/api/dag-cicd`.
 *
 * @public
 */
export const dagCicdPlugin = createBackendPlugin({
  pluginId: 'dag-cicd',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        database,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        auditor,
        catalog,
      }) {
        const stages = Stages.fromConfig(config);
        const db = await applyDatabaseMigrations(database);
        permissionsRegistry.addPermissions(dagCicdPermissions);
        httpRouter.use(
          await createRouter({
            httpAuth,
            auditor,
            stages,
            entityAccess: new EntityAccess(catalog, permissions),
            environments: new DatabaseEnvironmentStore(db),
          }),
        );
      },
    });
  },
});

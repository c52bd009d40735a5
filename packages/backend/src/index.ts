/*
 * The example backend of the DAG CI/CD portal: a stock Backstage backend with
 * the DAG CI/CD plugin added. See the README for installing the plugin into
 * an existing backend instead.
 */

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
backend.add(import('@dag-cicd/plugin-catalog-backend-module-airflow'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
backend.add(import('@dag-cicd/plugin-scaffolder-backend-module-dag-cicd'));

backend.add(import('@backstage/plugin-permission-backend'));
// An example policy (owners create, approve and execute; nobody touches
// production by hand): replace it with your own, see docs/configuration.md
// for the DAG CI/CD permissions.
backend.add(import('./permissionPolicy'));

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@dag-cicd/plugin-dag-cicd-backend'));

backend.start();

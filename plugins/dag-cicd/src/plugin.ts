import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { DagCicdClient } from '@dag-cicd/plugin-dag-cicd-common';
import { dagCicdApiRef } from './api/DagCicdApi';

/**
 * The DAG CI/CD plugin for apps on the legacy frontend system. Apps on the new
 * frontend system use the default export of `@dag-cicd/plugin-dag-cicd/alpha`.
 *
 * @public
 */
export const dagCicdPlugin = createPlugin({
  id: 'dag-cicd',
  apis: [
    createApiFactory({
      api: dagCicdApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DagCicdClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The "CI/CD" tab content for DAG entities; mount it in an
 * `EntityLayout.Route` guarded by `isAirflowDagEntity`.
 *
 * @public
 */
export const EntityDagCicdContent = dagCicdPlugin.provide(
  createComponentExtension({
    name: 'EntityDagCicdContent',
    component: {
      lazy: () =>
        import('./components/DagCicdContent/DagCicdContent').then(
          m => m.DagCicdContent,
        ),
    },
  }),
);

import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { DagCicdClient } from '@dag-cicd/plugin-dag-cicd-common';
import { dagCicdApiRef } from './api/DagCicdApi';
import { approvalsRouteRef, environmentsRouteRef } from './routes';

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
  routes: {
    approvals: approvalsRouteRef,
    environments: environmentsRouteRef,
  },
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

/**
 * For a DAG entity's Overview tab: what runs in staging and production and
 * how the latest runs went. Guard it with `isAirflowDagEntity`.
 *
 * @public
 */
export const EntityDagCicdOverviewCard = dagCicdPlugin.provide(
  createComponentExtension({
    name: 'EntityDagCicdOverviewCard',
    component: {
      lazy: () =>
        import('./components/OverviewCard/OverviewCard').then(
          m => m.OverviewCard,
        ),
    },
  }),
);

/**
 * The DAG's Airflow state (paused, schedule, next and latest runs) for any
 * entity with the `airflow.apache.org/dag-id` annotation; guard it with
 * `hasAirflowDagId`.
 *
 * @public
 */
export const EntityAirflowDagCard = dagCicdPlugin.provide(
  createComponentExtension({
    name: 'EntityAirflowDagCard',
    component: {
      lazy: () => import('./components/DagCard/DagCard').then(m => m.DagCard),
    },
  }),
);

/**
 * The approvals queue: promotions waiting on the user and on their groups.
 * Mount it at a route of the app, e.g. `/dag-cicd/approvals`.
 *
 * @public
 */
export const DagCicdApprovalsPage = dagCicdPlugin.provide(
  createRoutableExtension({
    name: 'DagCicdApprovalsPage',
    mountPoint: approvalsRouteRef,
    component: () =>
      import('./components/ApprovalsPage/ApprovalsPage').then(
        m => m.ApprovalsPage,
      ),
  }),
);

/**
 * The environments of every DAG, paged and sorted by the server. Mount it at
 * a route of the app, e.g. `/dag-cicd/environments`.
 *
 * @public
 */
export const DagCicdEnvironmentsPage = dagCicdPlugin.provide(
  createRoutableExtension({
    name: 'DagCicdEnvironmentsPage',
    mountPoint: environmentsRouteRef,
    component: () =>
      import('./components/EnvironmentsPage/EnvironmentsPage').then(
        m => m.EnvironmentsPage,
      ),
  }),
);

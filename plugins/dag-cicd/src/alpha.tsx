import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  DagCicdClient,
  isAirflowDagEntity,
} from '@dag-cicd/plugin-dag-cicd-common';
import ApprovalIcon from '@material-ui/icons/AssignmentTurnedIn';
import EnvironmentsIcon from '@material-ui/icons/Layers';
import { dagCicdApiRef } from './api/DagCicdApi';
import { hasAirflowDagId } from './filters';

const approvalsRouteRef = createRouteRef();
const environmentsRouteRef = createRouteRef();

const dagCicdApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: dagCicdApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DagCicdClient({ discoveryApi, fetchApi }),
    }),
});

const dagCicdEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'ci-cd',
    title: 'CI/CD',
    filter: isAirflowDagEntity,
    loader: () =>
      import('./components/DagCicdContent/DagCicdContent').then(m => (
        <m.DagCicdContent />
      )),
  },
});

const overviewCard = EntityCardBlueprint.make({
  name: 'overview',
  params: {
    filter: isAirflowDagEntity,
    loader: () =>
      import('./components/OverviewCard/OverviewCard').then(m => (
        <m.OverviewCard />
      )),
  },
});

const airflowDagCard = EntityCardBlueprint.make({
  name: 'airflow-dag',
  params: {
    filter: hasAirflowDagId,
    loader: () =>
      import('./components/DagCard/DagCard').then(m => <m.DagCard />),
  },
});

// A page with a title and an icon is also the sidebar's nav item: this
// version of the frontend system discovers nav items from pages (the
// separate NavItemBlueprint is gone).
const approvalsPage = PageBlueprint.make({
  name: 'approvals',
  params: {
    path: '/dag-cicd/approvals',
    title: 'Approvals',
    icon: <ApprovalIcon />,
    routeRef: approvalsRouteRef,
    // The page brings its own header, the same as in the legacy system.
    noHeader: true,
    loader: () =>
      import('./components/ApprovalsPage/ApprovalsPage').then(m => (
        <m.ApprovalsPage />
      )),
  },
});

const environmentsPage = PageBlueprint.make({
  name: 'environments',
  params: {
    path: '/dag-cicd/environments',
    title: 'Environments',
    icon: <EnvironmentsIcon />,
    routeRef: environmentsRouteRef,
    noHeader: true,
    loader: () =>
      import('./components/EnvironmentsPage/EnvironmentsPage').then(m => (
        <m.EnvironmentsPage />
      )),
  },
});

/**
 * The DAG CI/CD plugin for apps on the new frontend system: the CI/CD tab,
 * the overview and Airflow DAG cards, and the approvals and environments
 * pages (each in the sidebar).
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'dag-cicd',
  title: 'DAG CI/CD',
  routes: {
    approvals: approvalsRouteRef,
    environments: environmentsRouteRef,
  },
  extensions: [
    dagCicdApi,
    dagCicdEntityContent,
    overviewCard,
    airflowDagCard,
    approvalsPage,
    environmentsPage,
  ],
});

import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  DagCicdClient,
  isAirflowDagEntity,
} from '@dag-cicd/plugin-dag-cicd-common';
import { dagCicdApiRef } from './api/DagCicdApi';

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

/**
 * The DAG CI/CD plugin for apps on the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'dag-cicd',
  extensions: [dagCicdApi, dagCicdEntityContent],
});

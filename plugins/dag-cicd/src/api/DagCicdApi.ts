import { createApiRef } from '@backstage/core-plugin-api';
import { DagCicdClient } from '@dag-cicd/plugin-dag-cicd-common';

/**
 * What the DAG CI/CD UI needs from the backend: the methods of the shared
 * client, so the UI, the CLI and tests speak to the API in one way.
 *
 * @public
 */
export type DagCicdApi = Pick<DagCicdClient, 'listEnvironments'>;

/** @public */
export const dagCicdApiRef = createApiRef<DagCicdApi>({
  id: 'plugin.dag-cicd.api',
});

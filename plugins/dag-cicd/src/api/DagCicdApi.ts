import { createApiRef } from '@backstage/core-plugin-api';
import { DagCicdClient } from '@dag-cicd/plugin-dag-cicd-common';

/**
 * What the DAG CI/CD UI needs from the backend: every operation of the
 * shared client, so the UI, the CLI and tests speak to the API in one way.
 * Only the public methods are part of the type (not the client's internals),
 * so tests can provide a plain object.
 *
 * @public
 */
export type DagCicdApi = {
  [K in keyof DagCicdClient]: DagCicdClient[K];
};

/** @public */
export const dagCicdApiRef = createApiRef<DagCicdApi>({
  id: 'plugin.dag-cicd.api',
});

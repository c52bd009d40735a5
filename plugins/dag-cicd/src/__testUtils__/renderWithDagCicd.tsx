import { ApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { ReactNode } from 'react';
import { DagCicdApi, dagCicdApiRef } from '../api/DagCicdApi';

/** How the test app around a component of this plugin is set up. */
export interface DagCicdTestAppOptions {
  /** Permissions the user is denied, by name; every other one is allowed. */
  denied?: string[];
  /** Further APIs the component reads, such as identity or the catalog. */
  apis?: ReadonlyArray<readonly [ApiRef<any>, any]>;
}

/**
 * Renders a component of this plugin in a test app: with `dagCicd` as the
 * plugin's API (a mock server's client or a stub), a permission API that
 * allows all but the denied permissions, and the catalog's entity route
 * mounted so that links to entities render.
 */
export function renderWithDagCicd(
  ui: ReactNode,
  dagCicd: Partial<DagCicdApi>,
  options: DagCicdTestAppOptions = {},
) {
  const { denied = [], apis = [] } = options;
  const permissionApi = mockApis.permission({
    authorize: request =>
      denied.includes(request.permission.name)
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [dagCicdApiRef, dagCicd],
        [permissionApiRef, permissionApi],
        ...apis,
      ]}
    >
      {ui}
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { mockApis, TestApiProvider } from '@backstage/test-utils';
import {
  dagCicdEnvironmentDeletePermission,
  dagCicdRunCreatePermission,
} from '@dag-cicd/plugin-dag-cicd-common';
import { renderHook, waitFor } from '@testing-library/react';
import { ReactNode } from 'react';
import { useDagCicdPermission } from './useDagCicdPermission';

describe('useDagCicdPermission', () => {
  it('asks about the entity in the stage and says why not', async () => {
    const permissionApi = mockApis.permission.mock({
      authorize: async () => ({ result: AuthorizeResult.DENY }),
    });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[[permissionApiRef, permissionApi]]}>
        {children}
      </TestApiProvider>
    );
    const { result } = renderHook(
      () =>
        useDagCicdPermission(
          dagCicdEnvironmentDeletePermission,
          'component:default/denied',
          'staging',
        ),
      { wrapper },
    );
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current).toEqual({
      loading: false,
      allowed: false,
      reason:
        'You may not tear down environments in staging (permission dag-cicd.environment.delete)',
    });
    expect(permissionApi.authorize).toHaveBeenCalledWith({
      permission: dagCicdEnvironmentDeletePermission,
      resourceRef: 'component:default/denied@staging',
    });
  });

  it('gives no reason when allowed', async () => {
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[[permissionApiRef, mockApis.permission()]]}>
        {children}
      </TestApiProvider>
    );
    const { result } = renderHook(
      () =>
        useDagCicdPermission(
          dagCicdRunCreatePermission,
          'component:default/allowed',
          'ci',
        ),
      { wrapper },
    );
    await waitFor(() => expect(result.current.allowed).toBe(true));
    expect(result.current.reason).toBeUndefined();
  });
});

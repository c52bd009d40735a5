import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { Environment, EnvironmentPage } from '@dag-cicd/plugin-dag-cicd-common';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ResponseError } from '@backstage/errors';
import { DagCicdApi, dagCicdApiRef } from '../../api/DagCicdApi';
import { EnvironmentsTable } from './EnvironmentsTable';

function environment(n: number): Environment {
  const sha = `${n}`.padStart(7, '0').padEnd(40, 'a');
  return {
    id: `00000000-0000-4000-8000-${`${n}`.padStart(12, '0')}`,
    name: `ci_${sha.slice(0, 7)}`,
    entityRef: 'component:default/orders',
    commit: sha,
    stage: 'ci',
    dataNamespace: `file:///data/default/orders/ci_${sha.slice(0, 7)}/`,
    inputs: {},
    artifacts: {},
    connections: {},
    profile: 'production-readonly',
    status: 'ready',
    createdBy: 'user:default/alice',
    createdAt: '2026-11-20T10:00:00.000Z',
    expiresAt: null,
  };
}

function apiWith(
  pages: (query: { limit?: number; offset?: number }) => EnvironmentPage,
) {
  const listEnvironments = jest.fn(
    async (query: Parameters<DagCicdApi['listEnvironments']>[0]) =>
      pages(query),
  );
  return { listEnvironments } satisfies DagCicdApi;
}

async function renderTable(api: DagCicdApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[dagCicdApiRef, api]]}>
      <EnvironmentsTable entityRef="component:default/orders" />
    </TestApiProvider>,
  );
}

describe('EnvironmentsTable', () => {
  it('explains what an environment is when there are none', async () => {
    const api = apiWith(() => ({ items: [], totalCount: 0 }));
    await renderTable(api);
    expect(await screen.findByText('No environments yet')).toBeInTheDocument();
    expect(api.listEnvironments).toHaveBeenCalledWith({
      entityRef: 'component:default/orders',
      limit: 10,
      offset: 0,
    });
  });

  it('shows environments with their short commit and namespace', async () => {
    const api = apiWith(() => ({ items: [environment(1)], totalCount: 1 }));
    await renderTable(api);
    expect(await screen.findByText('ci_0000001')).toBeInTheDocument();
    expect(screen.getByText('0000001')).toHaveAttribute(
      'title',
      environment(1).commit,
    );
    expect(
      screen.getByText('file:///data/default/orders/ci_0000001/'),
    ).toBeInTheDocument();
    expect(screen.getByText('ready')).toBeInTheDocument();
  });

  it('asks the server for the next page instead of loading everything', async () => {
    const api = apiWith(({ offset = 0 }) => ({
      items: [environment(offset + 1)],
      totalCount: 25,
    }));
    await renderTable(api);
    await screen.findByText('ci_0000001');

    await userEvent.click(screen.getByRole('button', { name: /next page/i }));

    await waitFor(() =>
      expect(api.listEnvironments).toHaveBeenLastCalledWith({
        entityRef: 'component:default/orders',
        limit: 10,
        offset: 10,
      }),
    );
    expect(await screen.findByText('ci_0000011')).toBeInTheDocument();
  });

  it("shows the server's error message", async () => {
    const response = new Response(
      JSON.stringify({
        error: {
          name: 'NotAllowedError',
          message: 'Not allowed: dag-cicd.environment.read',
        },
        request: { method: 'GET', url: '/environments' },
        response: { statusCode: 403 },
      }),
      { status: 403, headers: { 'Content-Type': 'application/json' } },
    );
    const error = await ResponseError.fromResponse(response);
    const api = { listEnvironments: jest.fn().mockRejectedValue(error) };
    await renderTable(api);
    expect(
      (await screen.findAllByText(/Not allowed: dag-cicd.environment.read/))
        .length,
    ).toBeGreaterThan(0);
  });
});

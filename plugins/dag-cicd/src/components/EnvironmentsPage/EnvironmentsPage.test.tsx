import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DagCicdApi, dagCicdApiRef } from '../../api/DagCicdApi';
import { anEnvironment } from '../../__testUtils__/pagesFixtures';
import { EnvironmentsPage } from './EnvironmentsPage';

// Rendering MUI tables with user events is slow on a loaded CI machine; a
// limit, not a timing assertion.
jest.setTimeout(30_000);

function pagedApi(total: number) {
  const listEnvironments = jest.fn(
    async ({
      limit = 20,
      offset = 0,
    }: Parameters<DagCicdApi['listEnvironments']>[0]) => ({
      items: Array.from(
        { length: Math.max(0, Math.min(limit, total - offset)) },
        (_, i) =>
          anEnvironment(offset + i + 1, {
            entityRef:
              i % 2
                ? 'component:default/customer-events'
                : 'component:default/orders-daily',
          }),
      ),
      totalCount: total,
    }),
  );
  return { listEnvironments } satisfies Partial<DagCicdApi>;
}

async function renderPage(api: Partial<DagCicdApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[dagCicdApiRef, api]]}>
      <EnvironmentsPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('EnvironmentsPage', () => {
  it('lists environments of every DAG, one server page at a time', async () => {
    const api = pagedApi(5000);
    await renderPage(api);

    expect(await screen.findByText('ci_0000001')).toBeInTheDocument();
    expect(screen.getAllByText('orders-daily').length).toBeGreaterThan(0);
    expect(screen.getAllByText('customer-events').length).toBeGreaterThan(0);
    // No entityRef: across DAGs; newest first is the server's order.
    expect(api.listEnvironments).toHaveBeenLastCalledWith({
      limit: 20,
      offset: 0,
      orderBy: 'createdAt',
      order: 'desc',
    });
    expect(screen.getAllByText(/^ci_/)).toHaveLength(20);

    await userEvent.click(screen.getByRole('button', { name: /next page/i }));
    expect(await screen.findByText('ci_0000021')).toBeInTheDocument();
    expect(api.listEnvironments).toHaveBeenLastCalledWith(
      expect.objectContaining({ limit: 20, offset: 20 }),
    );
  });

  it('sorts on the server by the column clicked', async () => {
    const api = pagedApi(3);
    await renderPage(api);
    await screen.findByText('ci_0000001');

    const nameHeader = () => screen.getAllByRole('button', { name: 'Name' })[0];
    const lastQuery = () => api.listEnvironments.mock.lastCall![0];

    await userEvent.click(nameHeader());
    await waitFor(() => expect(lastQuery().orderBy).toBe('name'));
    expect(lastQuery()).toEqual({
      limit: 20,
      offset: 0,
      orderBy: 'name',
      order: expect.stringMatching(/^(asc|desc)$/),
    });
  });

  it("shows the server's error", async () => {
    await renderPage({
      listEnvironments: jest.fn().mockRejectedValue(new Error('backend down')),
    });
    expect((await screen.findAllByText(/backend down/)).length).toBeGreaterThan(
      0,
    );
  });
});

import { Entity } from '@backstage/catalog-model';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  dagCicdMockServer,
  DagCicdMock,
  errorAnswer,
} from '../../__testUtils__/dagCicdMockServer';
import { anEnvironment, ENTITY_REF } from '../../__testUtils__/dagCicdFixtures';
import {
  lastEnvironmentsQuery as lastQuery,
  serveEnvironments,
} from '../../__testUtils__/environmentsEndpoint';
import { renderWithDagCicd } from '../../__testUtils__/renderWithDagCicd';
import {
  shownEnvironmentNames as shownNames,
  sortLabel,
} from '../../__testUtils__/tables';
import { EnvironmentsTable } from './EnvironmentsTable';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders',
    annotations: {
      'backstage.io/source-location':
        'url:https://github.com/acme/dags/tree/main/',
    },
  },
  spec: { type: 'airflow-dag' },
};

/** Environments 1 to `total` of the entity, as the server pages them. */
function servePages(mock: DagCicdMock, total: number) {
  serveEnvironments(
    mock,
    Array.from({ length: total }, (_, i) => anEnvironment(i + 1)),
  );
}

async function renderTable(
  mock: DagCicdMock,
  props: Partial<Parameters<typeof EnvironmentsTable>[0]> = {},
) {
  return renderWithDagCicd(
    <EnvironmentsTable
      entityRef={ENTITY_REF}
      entity={entity}
      stages={['ci', 'staging', 'production']}
      {...props}
    />,
    mock.client(),
  );
}

// Rendering material-ui on a busy CI machine is slow; nothing here is timed.
jest.setTimeout(30_000);

describe('EnvironmentsTable', () => {
  const backend = dagCicdMockServer();

  it('shows a page of environments with links and the failure cause', async () => {
    const mock = backend.mock();
    mock.on('GET', '/environments', {
      body: {
        items: [
          anEnvironment(1, {
            lastRun: {
              id: anEnvironment(9).id,
              dagRunId: 'run_1',
              state: 'failed',
              uiUrl: 'http://airflow.test/dags/orders/runs/run_1',
              createdAt: '2026-11-20T11:00:00.000Z',
            },
          }),
          anEnvironment(2, {
            status: 'failed',
            error: 'input events missing',
            createdBy: 'external:ci-pipeline',
          }),
        ],
        totalCount: 2,
      },
    });
    await renderTable(mock);

    expect(await screen.findByText('ci_0000001')).toBeInTheDocument();
    expect(screen.getByText('0000001').closest('a')).toHaveAttribute(
      'href',
      `https://github.com/acme/dags/commit/${anEnvironment(1).commit}`,
    );
    expect(screen.getByText('input events missing')).toBeInTheDocument();
    // Who created each: a user links to the catalog, a service is named.
    const [first, second] = screen
      .getAllByText(/^ci_/)
      .map(name => name.closest('tr')!);
    expect(within(first).getByRole('link', { name: 'alice' })).toHaveAttribute(
      'href',
      '/catalog/default/user/alice',
    );
    expect(
      within(second).getByText('external:ci-pipeline'),
    ).toBeInTheDocument();
    expect(
      within(second).queryByRole('link', { name: /ci-pipeline/ }),
    ).toBeNull();
    expect(
      screen.getByText('failed', { selector: 'a *' }).closest('a'),
    ).toHaveAttribute('href', 'http://airflow.test/dags/orders/runs/run_1');
    expect(
      screen.getByRole('button', {
        name: 'Copy the data namespace of ci_0000001',
      }),
    ).toBeInTheDocument();
    // The tail of the namespace, the whole of it in the title.
    expect(screen.getByText('file://…/orders/ci_0000001/')).toHaveAttribute(
      'title',
      'file:///data/default/orders/ci_0000001/',
    );
    expect(lastQuery(mock)).toEqual({
      entityRef: ENTITY_REF,
      limit: '10',
      offset: '0',
      orderBy: 'createdAt',
      order: 'desc',
    });
  });

  it('asks the server for the next page instead of loading everything', async () => {
    const mock = backend.mock();
    servePages(mock, 25);
    await renderTable(mock);
    await screen.findByText('ci_0000025');

    await userEvent.click(screen.getByRole('button', { name: /next page/i }));

    // Newest first: the second page holds environments 15 to 6.
    expect(await screen.findByText('ci_0000015')).toBeInTheDocument();
    expect(screen.queryByText('ci_0000025')).not.toBeInTheDocument();
    expect(lastQuery(mock)).toMatchObject({ limit: '10', offset: '10' });
    // Never more than a page was asked for.
    for (const call of mock.calls('GET', '/environments')) {
      expect(Number(call.query.get('limit'))).toBeLessThanOrEqual(10);
    }
  });

  it('lets the server sort by the clicked column', async () => {
    const mock = backend.mock();
    servePages(mock, 3);
    await renderTable(mock);
    await screen.findByText('ci_0000001');

    await waitFor(() =>
      expect(shownNames()).toEqual(['ci_0000003', 'ci_0000002', 'ci_0000001']),
    );

    // Each click waits for the answer's rows: the header learns the new
    // sort only with them.
    await userEvent.click(sortLabel('Name'));
    await waitFor(() =>
      expect(shownNames()).toEqual(['ci_0000001', 'ci_0000002', 'ci_0000003']),
    );
    expect(lastQuery(mock)).toMatchObject({ orderBy: 'name', order: 'asc' });

    await userEvent.click(sortLabel('Name'));
    await waitFor(() =>
      expect(lastQuery(mock)).toMatchObject({ orderBy: 'name', order: 'desc' }),
    );
    await waitFor(() =>
      expect(shownNames()).toEqual(['ci_0000003', 'ci_0000002', 'ci_0000001']),
    );
  });

  it('filters by stage, status and name on the server, from the first page', async () => {
    const mock = backend.mock();
    servePages(mock, 3);
    await renderTable(mock);
    await screen.findByText('ci_0000001');

    await userEvent.click(
      screen.getByRole('button', { name: 'Filter by stage' }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('staging'),
    );
    await waitFor(() =>
      expect(lastQuery(mock)).toMatchObject({ stage: 'staging', offset: '0' }),
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Filter by status' }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('failed'),
    );
    await waitFor(() =>
      expect(lastQuery(mock)).toMatchObject({
        stage: 'staging',
        status: 'failed',
      }),
    );

    await userEvent.type(screen.getByLabelText('Filter by name'), 'ci_00');
    await waitFor(() =>
      expect(lastQuery(mock)).toMatchObject({ name: 'ci_00' }),
    );
  });

  it('opens the details of a clicked environment', async () => {
    const mock = backend.mock();
    servePages(mock, 1);
    const onSelect = jest.fn();
    await renderTable(mock, { onSelect });

    await userEvent.click(await screen.findByText('ci_0000001'));

    // material-table waits a moment to tell a click from a double click.
    await waitFor(() =>
      expect(onSelect).toHaveBeenCalledWith(
        expect.objectContaining({ id: anEnvironment(1).id }),
      ),
    );
  });

  it("shows the server's error message", async () => {
    const mock = backend.mock();
    mock.on(
      'GET',
      '/environments',
      errorAnswer(
        403,
        'NotAllowedError',
        'Not allowed: dag-cicd.environment.read',
      ),
    );
    await renderTable(mock);
    expect(
      (await screen.findAllByText(/Not allowed: dag-cicd.environment.read/))
        .length,
    ).toBeGreaterThan(0);
  });
});

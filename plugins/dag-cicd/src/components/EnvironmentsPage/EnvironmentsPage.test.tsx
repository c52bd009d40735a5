import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { anEnvironment } from '../../__testUtils__/dagCicdFixtures';
import {
  dagCicdMockServer,
  DagCicdMock,
  errorAnswer,
} from '../../__testUtils__/dagCicdMockServer';
import {
  lastEnvironmentsQuery,
  serveEnvironments,
} from '../../__testUtils__/environmentsEndpoint';
import { renderWithDagCicd } from '../../__testUtils__/renderWithDagCicd';
import {
  shownEnvironmentNames as shownNames,
  sortLabel,
} from '../../__testUtils__/tables';
import { EnvironmentsPage } from './EnvironmentsPage';

// Rendering MUI tables with user events is slow on a loaded CI machine; a
// limit, not a timing assertion.
jest.setTimeout(30_000);

/** `total` environments, of two DAGs in turn. */
function environmentsOfTwoDags(total: number) {
  return Array.from({ length: total }, (_, i) =>
    anEnvironment(i + 1, {
      entityRef:
        i % 2
          ? 'component:default/customer-events'
          : 'component:default/orders-daily',
    }),
  );
}

const STAGES = [
  { name: 'ci', production: false },
  { name: 'staging', production: false },
  { name: 'production', production: true },
];

/** The backend as the page reads it: the configured stages, and `environments`. */
function pageBackend(mock: DagCicdMock, environments: Environment[]) {
  mock.on('GET', '/stages', { body: { items: STAGES } });
  return serveEnvironments(mock, environments);
}

async function renderPage(mock: DagCicdMock) {
  return renderWithDagCicd(<EnvironmentsPage />, mock.client());
}

describe('EnvironmentsPage', () => {
  const backend = dagCicdMockServer();

  it('lists environments of every DAG, one server page at a time', async () => {
    const mock = pageBackend(backend.mock(), environmentsOfTwoDags(5000));
    await renderPage(mock);

    expect(await screen.findByText('ci_0005000')).toBeInTheDocument();
    expect(screen.getAllByText('orders-daily').length).toBeGreaterThan(0);
    expect(screen.getAllByText('customer-events').length).toBeGreaterThan(0);
    // No entityRef: across DAGs, newest first.
    expect(lastEnvironmentsQuery(mock)).toEqual({
      limit: '20',
      offset: '0',
      orderBy: 'createdAt',
      order: 'desc',
    });
    expect(shownNames()).toHaveLength(20);

    await userEvent.click(screen.getByRole('button', { name: /next page/i }));
    expect(await screen.findByText('ci_0004980')).toBeInTheDocument();
    expect(lastEnvironmentsQuery(mock)).toMatchObject({
      limit: '20',
      offset: '20',
    });
  });

  it('sorts on the server by the column clicked, one way then the other', async () => {
    const mock = pageBackend(backend.mock(), environmentsOfTwoDags(3));
    await renderPage(mock);
    await waitFor(() =>
      expect(shownNames()).toEqual(['ci_0000003', 'ci_0000002', 'ci_0000001']),
    );

    // The header learns the new sort only with the server's answer: each
    // click waits for the answer's rows, or the next would start from the
    // old sort.
    await userEvent.click(sortLabel('Name'));
    await waitFor(() =>
      expect(shownNames()).toEqual(['ci_0000001', 'ci_0000002', 'ci_0000003']),
    );
    expect(lastEnvironmentsQuery(mock)).toEqual({
      limit: '20',
      offset: '0',
      orderBy: 'name',
      order: 'asc',
    });

    await userEvent.click(sortLabel('Name'));
    await waitFor(() =>
      expect(lastEnvironmentsQuery(mock)).toEqual({
        limit: '20',
        offset: '0',
        orderBy: 'name',
        order: 'desc',
      }),
    );
    await waitFor(() =>
      expect(shownNames()).toEqual(['ci_0000003', 'ci_0000002', 'ci_0000001']),
    );
  });

  it("filters every DAG's environments by status and name on the server", async () => {
    const mock = pageBackend(backend.mock(), environmentsOfTwoDags(30));
    await renderPage(mock);
    await screen.findByText('ci_0000030');

    await userEvent.click(
      screen.getByRole('button', { name: 'Filter by status' }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('failed'),
    );
    await waitFor(() =>
      expect(lastEnvironmentsQuery(mock)).toMatchObject({
        status: 'failed',
        offset: '0',
      }),
    );
    await userEvent.type(screen.getByLabelText('Filter by name'), 'ci_00');
    await waitFor(() =>
      expect(lastEnvironmentsQuery(mock)).toMatchObject({
        status: 'failed',
        name: 'ci_00',
      }),
    );
    expect(lastEnvironmentsQuery(mock)).not.toHaveProperty('entityRef');
  });

  it('filters by one of the configured stages, in lane order, on the server', async () => {
    const mock = pageBackend(backend.mock(), [
      ...environmentsOfTwoDags(4),
      anEnvironment(5, { stage: 'staging', name: 'staging' }),
      anEnvironment(6, { stage: 'production', name: 'production' }),
    ]);
    await renderPage(mock);
    await screen.findByText('ci_0000004');

    await userEvent.click(
      await screen.findByRole('button', { name: 'Filter by stage' }),
    );
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'All stages',
      'ci',
      'staging',
      'production',
    ]);
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('staging'),
    );
    await waitFor(() =>
      expect(lastEnvironmentsQuery(mock)).toMatchObject({
        stage: 'staging',
        offset: '0',
      }),
    );
    await waitFor(() => expect(screen.queryAllByText(/^ci_/)).toEqual([]));
    expect(lastEnvironmentsQuery(mock)).not.toHaveProperty('entityRef');
    expect(mock.calls('GET', '/stages')).toHaveLength(1);
  });

  it('works without a stage filter, and without an error, when the stages cannot be read', async () => {
    const mock = serveEnvironments(backend.mock(), environmentsOfTwoDags(3));
    mock.on(
      'GET',
      '/stages',
      errorAnswer(503, 'ServiceUnavailableError', 'stages unavailable'),
    );
    await renderPage(mock);
    await waitFor(() => expect(mock.calls('GET', '/stages')).toHaveLength(1));
    expect(await screen.findByText('ci_0000003')).toBeInTheDocument();

    // The rest of the page works as before.
    await userEvent.click(
      screen.getByRole('button', { name: 'Filter by status' }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('failed'),
    );
    await waitFor(() =>
      expect(lastEnvironmentsQuery(mock)).toMatchObject({ status: 'failed' }),
    );
    expect(
      screen.queryByRole('button', { name: 'Filter by stage' }),
    ).toBeNull();
    expect(screen.queryByText(/stages unavailable/)).toBeNull();
  });

  it("shows the server's error", async () => {
    const mock = backend.mock();
    mock.on('GET', '/stages', { body: { items: STAGES } });
    mock.on(
      'GET',
      '/environments',
      errorAnswer(503, 'ServiceUnavailableError', 'backend down'),
    );
    await renderPage(mock);
    expect((await screen.findAllByText(/backend down/)).length).toBeGreaterThan(
      0,
    );
  });
});

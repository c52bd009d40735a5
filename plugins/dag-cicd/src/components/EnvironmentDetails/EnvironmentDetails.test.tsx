import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  dagCicdMockServer,
  DagCicdMock,
} from '../../__testUtils__/dagCicdMockServer';
import { anEnvironment, aRun } from '../../__testUtils__/dagCicdFixtures';
import { renderWithDagCicd } from '../../__testUtils__/renderWithDagCicd';
import { describeEvent, EnvironmentDetails } from './EnvironmentDetails';

// Rendering material-ui on a busy CI machine is slow; nothing here is timed.
jest.setTimeout(30_000);

const env = anEnvironment(1, { expiresAt: '2099-01-01T00:00:00.000Z' });

function serveEnvironment(
  mock: DagCicdMock,
  options: { isolationEnforced?: boolean | null } = {},
) {
  mock.on('GET', '/environments/{id}/conf', {
    body: {
      conf: {
        environment: env.name,
        stage: env.stage,
        commit: env.commit,
        namespace: env.dataNamespace,
      },
      isolationEnforced: options.isolationEnforced ?? true,
      faultReport: null,
    },
  });
  mock.on('GET', '/environments/{id}/runs', {
    body: { items: [aRun(1, { environmentId: env.id })] },
  });
  mock.on('GET', '/environments/{id}/history', {
    body: {
      items: [
        {
          id: 1,
          type: 'transition',
          to: 'provisioning',
          actor: 'user:default/alice',
          at: '2026-11-20T10:00:00.000Z',
        },
        {
          id: 2,
          type: 'transition',
          from: 'provisioning',
          to: 'ready',
          actor: 'user:default/alice',
          at: '2026-11-20T10:01:00.000Z',
        },
      ],
    },
  });
}

async function renderDetails(
  mock: DagCicdMock,
  environment: Environment = env,
  options: { denied?: string[]; production?: boolean } = {},
) {
  const onChange = jest.fn();
  await renderWithDagCicd(
    <EnvironmentDetails
      open
      environment={environment}
      production={options.production}
      onClose={() => {}}
      onChange={onChange}
      pollIntervalMs={10}
    />,
    mock.client(),
    { denied: options.denied },
  );
  return { onChange };
}

async function enabledButton(name: string) {
  await waitFor(() =>
    expect(screen.getByRole('button', { name })).toBeEnabled(),
  );
  return screen.getByRole('button', { name });
}

describe('EnvironmentDetails', () => {
  const backend = dagCicdMockServer();

  it('shows the conf, inputs, runs with their tasks, and the history', async () => {
    const mock = backend.mock();
    serveEnvironment(mock);
    await renderDetails(mock);

    // Shown as highlighted code, so matched on the section's text.
    await waitFor(() =>
      expect(
        screen.getByRole('region', { name: 'conf.dag_cicd' }),
      ).toHaveTextContent(
        '"namespace": "file:///data/default/orders/ci_0000001/"',
      ),
    );
    const inputs = within(screen.getByRole('table', { name: 'Inputs' }));
    expect(inputs.getByText('s3://lake/prod/events/')).toBeInTheDocument();
    expect(inputs.getByText('read-only')).toBeInTheDocument();
    const tasks = within(
      await screen.findByRole('table', {
        name: 'Tasks of dag_cicd__ci_0000001__1',
      }),
    );
    expect(tasks.getByText('extract')).toBeInTheDocument();
    expect(
      screen.getByText('dag_cicd__ci_0000001__1').closest('a'),
    ).toHaveAttribute('href', aRun(1).uiUrl);
    expect(await screen.findByText('provisioning → ready')).toBeInTheDocument();
    expect(
      Object.fromEntries(mock.calls('GET', '/environments/{id}/runs')[0].query),
    ).toEqual({ refresh: 'true' });
    expect(
      screen.queryByText(/isolation is not enforced/),
    ).not.toBeInTheDocument();
    // Created with the configured bounds and rates: nothing to show.
    expect(
      screen.queryByRole('region', { name: 'Profile options' }),
    ).not.toBeInTheDocument();
  });

  it('says who created it, started its runs and changed it, linking users to the catalog', async () => {
    const mock = backend.mock();
    serveEnvironment(mock);
    mock.on('GET', '/environments/{id}/runs', {
      body: {
        items: [
          aRun(1, { environmentId: env.id, startedBy: 'external:ci-pipeline' }),
        ],
      },
    });
    mock.on('GET', '/environments/{id}/history', {
      body: {
        items: [
          {
            id: 1,
            type: 'transition',
            to: 'provisioning',
            actor: 'user:default/bob',
            at: '2026-11-20T10:00:00.000Z',
          },
          {
            id: 2,
            type: 'transition',
            from: 'ready',
            to: 'tearing-down',
            actor: 'system:dag-cicd',
            at: '2026-11-21T10:00:00.000Z',
          },
        ],
      },
    });
    await renderDetails(mock, { ...env, createdBy: 'user:default/bob' });

    const header = screen.getByText(/created by/);
    expect(header).toHaveTextContent(
      'ci · commit 0000001 · profile production-readonly · created by bob · expires',
    );
    expect(within(header).getByRole('link', { name: 'bob' })).toHaveAttribute(
      'href',
      '/catalog/default/user/bob',
    );
    // A service is named as recorded, and is no link.
    const run = await screen.findByRole('article', {
      name: 'Run dag_cicd__ci_0000001__1',
    });
    expect(run).toHaveTextContent(
      'on local by external:ci-pipeline at 2026-11-20T11:00:00.000Z',
    );
    expect(within(run).queryByRole('link', { name: /ci-pipeline/ })).toBeNull();
    const [, created, tornDown] = within(
      await screen.findByRole('table', { name: 'History' }),
    ).getAllByRole('row');
    expect(within(created).getByRole('link', { name: 'bob' })).toHaveAttribute(
      'href',
      '/catalog/default/user/bob',
    );
    expect(tornDown).toHaveTextContent('system:dag-cicd');
    expect(within(tornDown).queryByRole('link')).toBeNull();
  });

  it('shows the sample bounds and chaos rates it was created with', async () => {
    const mock = backend.mock();
    serveEnvironment(mock);
    await renderDetails(mock, {
      ...env,
      profile: 'chaos',
      sample: { maxObjects: 20, rowFraction: 0.1 },
      chaos: { nulls: 0.02, drift: 0.01 },
    });

    const options = within(
      screen.getByRole('table', { name: 'Profile options' }),
    );
    expect(options.getAllByRole('row').map(row => row.textContent)).toEqual([
      'OptionValue',
      'sample.maxObjects20',
      'sample.rowFraction0.1',
      'chaos.nulls0.02',
      'chaos.drift0.01',
    ]);
  });

  it('warns when the DAG does not write through the package', async () => {
    const mock = backend.mock();
    serveEnvironment(mock, { isolationEnforced: false });
    await renderDetails(mock);
    expect(
      await screen.findByText(
        /This DAG does not write through the airflow-dag-cicd package: isolation is not enforced/,
      ),
    ).toBeInTheDocument();
  });

  it('names the namespace to be deleted before tearing down', async () => {
    const mock = backend.mock();
    serveEnvironment(mock);
    mock.on('DELETE', '/environments/{id}', {
      status: 202,
      body: { ...env, status: 'tearing-down' },
    });
    mock.on('GET', '/environments/{id}', {
      body: { ...env, status: 'deleted' },
    });
    const { onChange } = await renderDetails(mock);

    await userEvent.click(await enabledButton('Tear down'));
    const dialog = within(
      screen.getByRole('dialog', { name: 'Tear down ci_0000001?' }),
    );
    expect(dialog.getByText(env.dataNamespace)).toBeInTheDocument();
    expect(mock.calls('DELETE', '/environments/{id}')).toHaveLength(0);

    await userEvent.click(
      dialog.getByRole('button', { name: 'Delete ci_0000001' }),
    );

    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith(
        expect.objectContaining({ status: 'tearing-down' }),
      ),
    );
    expect(mock.calls('DELETE', '/environments/{id}')[0].params.id).toBe(
      env.id,
    );
    // The transition is followed until it settles.
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith(
        expect.objectContaining({ status: 'deleted' }),
      ),
    );
  });

  it('extends the time to live with an ISO duration', async () => {
    const mock = backend.mock();
    serveEnvironment(mock);
    mock.on('PATCH', '/environments/{id}', ({ body }) => ({
      body: {
        ...env,
        expiresAt: '2099-02-01T00:00:00.000Z',
        seed: body.ttl === 'P3D' ? 3 : 0,
      },
    }));
    const { onChange } = await renderDetails(mock);

    await userEvent.click(
      screen.getByRole('button', { name: /New time to live/ }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('3 days'),
    );
    await userEvent.click(await enabledButton('Extend'));

    await waitFor(() => expect(onChange).toHaveBeenCalled());
    expect(mock.calls('PATCH', '/environments/{id}')[0].body).toEqual({
      ttl: 'P3D',
    });
  });

  it('says why production cannot be extended or torn down', async () => {
    const mock = backend.mock();
    serveEnvironment(mock);
    const production = anEnvironment(3, {
      stage: 'production',
      name: 'production',
    });
    await renderDetails(mock, production, { production: true });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: /^Tear down/ }),
      ).toHaveAccessibleName(/Production environments are never torn down/),
    );
    expect(
      screen.getByRole('button', { name: /^Extend/ }),
    ).toHaveAccessibleName(/Production environments do not expire/);
  });

  it('shows a run it started, and follows it until it settles', async () => {
    const mock = backend.mock();
    serveEnvironment(mock);
    const started = aRun(2, { environmentId: env.id, state: 'queued' });
    let runs: ReturnType<typeof aRun>[] = [];
    mock.on('POST', '/environments/{id}/runs', () => {
      runs = [started];
      return { status: 201, body: started };
    });
    mock.on('GET', '/environments/{id}/runs', () => {
      const answer = { body: { items: runs } };
      // Airflow finishes it between two polls.
      runs = runs.map(r => ({ ...r, state: 'success' }));
      return answer;
    });
    await renderDetails(mock);
    expect(await screen.findByText(/^No runs yet/)).toBeInTheDocument();

    await userEvent.click(await enabledButton('Start run'));

    const run = await screen.findByRole('article', {
      name: `Run ${started.dagRunId}`,
    });
    await waitFor(() =>
      expect(within(run).getAllByText('success').length).toBeGreaterThan(0),
    );
    expect(
      screen.getByText(`Run ${started.dagRunId} started`),
    ).toBeInTheDocument();
  });

  it('says why a run cannot be started without the permission', async () => {
    const mock = backend.mock();
    serveEnvironment(mock);
    // Another entity: `usePermission` caches answers per resource across tests.
    await renderDetails(
      mock,
      { ...env, entityRef: 'component:default/payments' },
      { denied: ['dag-cicd.run.create'] },
    );
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: /^Start run/ }),
      ).toHaveAccessibleName(
        /You may not start runs in ci \(permission dag-cicd.run.create\)/,
      ),
    );
    expect(screen.getByRole('button', { name: /^Start run/ })).toBeDisabled();
  });

  it('describes each kind of history event', () => {
    const base = {
      id: 1,
      actor: 'user:default/alice',
      at: '2026-11-20T10:00:00.000Z',
    };
    expect(
      describeEvent({ ...base, type: 'transition', to: 'provisioning' }),
    ).toBe('new → provisioning');
    expect(describeEvent({ ...base, type: 'step', step: 'inputs' })).toBe(
      'step inputs',
    );
    expect(
      describeEvent({ ...base, type: 'expiry', detail: { ttl: 'P3D' } }),
    ).toBe('time to live set to P3D');
  });
});

import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import {
  dagCicdMockServer,
  DagCicdMock,
  errorAnswer,
} from '../../__testUtils__/dagCicdMockServer';
import {
  anEnvironment,
  ENTITY_REF,
  sha,
} from '../../__testUtils__/dagCicdFixtures';
import { CreateEnvironmentDialog } from './CreateEnvironmentDialog';

const STAGES = [
  { name: 'ci', production: false },
  { name: 'staging', production: false },
  { name: 'production', production: true },
];

async function renderDialog(
  mock: DagCicdMock,
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  entityRef = ENTITY_REF,
) {
  const onCreated = jest.fn();
  const onProvisioned = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [dagCicdApiRef, mock.client()],
        [permissionApiRef, mockApis.permission({ authorize })],
      ]}
    >
      <CreateEnvironmentDialog
        open
        onClose={() => {}}
        entityRef={entityRef}
        stages={STAGES}
        onCreated={onCreated}
        onProvisioned={onProvisioned}
        pollIntervalMs={10}
      />
    </TestApiProvider>,
  );
  return { onCreated, onProvisioned };
}

function commitField() {
  return screen.getByRole('textbox', { name: /Commit/ });
}

// Rendering material-ui on a busy CI machine is slow; nothing here is timed.
jest.setTimeout(30_000);

describe('CreateEnvironmentDialog', () => {
  const backend = dagCicdMockServer();

  it('validates before sending: a branch name is not a commit', async () => {
    const mock = backend.mock();
    await renderDialog(mock);
    await userEvent.type(commitField(), 'main');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(
      screen.getByText(/Enter a commit SHA: 7 to 40 hexadecimal/),
    ).toBeInTheDocument();
    expect(commitField()).toHaveAttribute('aria-invalid', 'true');
    expect(mock.calls('POST', '/environments')).toHaveLength(0);
  });

  it("shows the server's 400 next to the field it names", async () => {
    const mock = backend.mock();
    const message =
      'ttl P7D is out of range: it must be between PT5M and 72 hours (dagCicd.environments.maxTtl)';
    mock.on('POST', '/environments', errorAnswer(400, 'InputError', message));
    await renderDialog(mock);
    await userEvent.type(commitField(), sha(5));
    await userEvent.click(screen.getByRole('button', { name: /Time to live/ }));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('7 days'),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    const helper = await screen.findByText(message);
    // The message sits under the TTL field, which is marked invalid.
    expect(helper.id).toBe(
      screen
        .getByRole('button', { name: /Time to live/ })
        .closest('.MuiFormControl-root')!
        .querySelector('p')!.id,
    );
    expect(helper).toHaveClass('Mui-error');
    expect(mock.calls('POST', '/environments')[0].body).toEqual({
      entityRef: ENTITY_REF,
      commit: sha(5),
      stage: 'ci',
      profile: 'production-readonly',
      ttl: 'P7D',
    });
  });

  it('shows provisioning progress until the environment is ready', async () => {
    const mock = backend.mock();
    const provisioning = anEnvironment(5, { status: 'provisioning' });
    mock.on('POST', '/environments', { status: 201, body: provisioning });
    let polls = 0;
    mock.on('GET', '/environments/{id}', () => ({
      body: polls++ < 1 ? provisioning : { ...provisioning, status: 'ready' },
    }));
    const { onCreated, onProvisioned } = await renderDialog(mock);
    await userEvent.type(commitField(), sha(5));
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(await screen.findByText('provisioning')).toBeInTheDocument();
    expect(onCreated).toHaveBeenCalledWith(provisioning);
    expect(onProvisioned).not.toHaveBeenCalled();
    expect(
      await screen.findByText(/Ready: runs write under/),
    ).toBeInTheDocument();
    // The pipeline and the table learn that it is ready, not only the dialog.
    expect(onProvisioned).toHaveBeenCalledWith({
      ...provisioning,
      status: 'ready',
    });
    expect(mock.calls('GET', '/environments/{id}')[0].params.id).toBe(
      provisioning.id,
    );
  });

  it('offers the ready environments of the DAG for from:<env>', async () => {
    const mock = backend.mock();
    mock.on('GET', '/environments', {
      body: { items: [anEnvironment(1)], totalCount: 1 },
    });
    mock.on('POST', '/environments', {
      status: 201,
      body: anEnvironment(5, {
        status: 'provisioning',
        profile: 'from:ci_0000001',
      }),
    });
    mock.on('GET', '/environments/{id}', {
      body: anEnvironment(5, { profile: 'from:ci_0000001' }),
    });
    await renderDialog(mock);
    await userEvent.type(commitField(), sha(5));
    await userEvent.click(
      screen.getByRole('button', { name: /Input profile/ }),
    );
    await userEvent.click(
      within(screen.getByRole('listbox')).getByText('from:<environment>'),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: /Reuse the data of/ }),
    );
    await userEvent.click(
      await within(screen.getByRole('listbox')).findByText(/ci_0000001/),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    await waitFor(() =>
      expect(mock.calls('POST', '/environments')[0]?.body).toMatchObject({
        profile: 'from:ci_0000001',
      }),
    );
    expect(
      Object.fromEntries(mock.calls('GET', '/environments')[0].query),
    ).toMatchObject({ status: 'ready' });
  });

  it('says why creating is not allowed', async () => {
    const mock = backend.mock();
    // Another entity: `usePermission` caches answers per resource across tests.
    await renderDialog(
      mock,
      AuthorizeResult.DENY,
      'component:default/payments',
    );
    const create = await screen.findByRole('button', { name: /^Create/ });
    await waitFor(() => expect(create).toBeDisabled());
    expect(create).toHaveAccessibleName(
      /^Create.*You may not create or extend environments in ci \(permission dag-cicd.environment.create\)/,
    );
  });
});

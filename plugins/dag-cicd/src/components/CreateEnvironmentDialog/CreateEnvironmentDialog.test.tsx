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

  it('validates before sending: a commit is a SHA or a branch name', async () => {
    const mock = backend.mock();
    await renderDialog(mock);
    await userEvent.type(commitField(), 'main..dev');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(
      screen.getByText(
        /Enter a commit SHA: 7 to 40 hexadecimal .* or a branch name/,
      ),
    ).toBeInTheDocument();
    expect(commitField()).toHaveAttribute('aria-invalid', 'true');
    expect(mock.requests).toEqual([]);
  });

  it("resolves a branch on leaving the field and sends its head's SHA", async () => {
    const mock = backend.mock();
    const head = sha('abc1234');
    mock.on('GET', '/commits/resolve', ({ query }) => ({
      body: { ref: query.get('ref')!, commit: head },
    }));
    mock.on('POST', '/environments', {
      status: 201,
      body: anEnvironment(1, { commit: head, status: 'provisioning' }),
    });
    await renderDialog(mock);
    await userEvent.type(commitField(), 'main');
    await userEvent.tab();

    expect(
      await screen.findByText('branch main → abc1234'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    await waitFor(() =>
      expect(mock.calls('POST', '/environments')).toHaveLength(1),
    );
    expect(mock.calls('POST', '/environments')[0].body).toMatchObject({
      commit: head,
    });
    // Left, then submitted: the branch was asked for once.
    expect(
      mock
        .calls('GET', '/commits/resolve')
        .map(c => [c.query.get('entityRef'), c.query.get('ref')]),
    ).toEqual([[ENTITY_REF, 'main']]);
  });

  it.each([
    [
      400,
      'InputError',
      "A branch cannot be resolved for this DAG's repository (no GitHub or GitLab integration is configured for bitbucket.org); give the commit SHA instead (git rev-parse main)",
    ],
    [404, 'NotFoundError', 'No branch "main" in acme/orders on github.com'],
  ])(
    'shows a %s on resolving next to the field and sends nothing',
    async (status, name, message) => {
      const mock = backend.mock();
      mock.on('GET', '/commits/resolve', errorAnswer(status, name, message));
      await renderDialog(mock);
      await userEvent.type(commitField(), 'main');
      await userEvent.click(screen.getByRole('button', { name: 'Create' }));

      const helper = await screen.findByText(message);
      expect(helper).toHaveClass('Mui-error');
      expect(commitField()).toHaveAttribute('aria-invalid', 'true');
      expect(commitField()).toHaveAttribute('aria-describedby', helper.id);
      expect(mock.calls('POST', '/environments')).toHaveLength(0);
    },
  );

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

  async function chooseProfile(kind: string) {
    await userEvent.click(
      screen.getByRole('button', { name: /Input profile/ }),
    );
    await userEvent.click(within(screen.getByRole('listbox')).getByText(kind));
  }

  it("sends the chaos profile's sample bounds and fault rates", async () => {
    const mock = backend.mock();
    mock.on('POST', '/environments', {
      status: 201,
      body: anEnvironment(5, {
        status: 'provisioning',
        profile: 'chaos',
        sample: { maxObjects: 20, rowFraction: 0.1 },
        chaos: { nulls: 0.01 },
      }),
    });
    mock.on('GET', '/environments/{id}', {
      body: anEnvironment(5, { profile: 'chaos' }),
    });
    await renderDialog(mock);
    await userEvent.type(commitField(), sha(5));
    // No options for a profile that takes none.
    expect(
      screen.queryByRole('textbox', { name: 'Max objects' }),
    ).not.toBeInTheDocument();
    await chooseProfile('chaos');
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Max objects' }),
      '20',
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Row fraction' }),
      '0.1',
    );
    // A field per fault the API knows.
    expect(
      screen.getByRole('textbox', { name: 'outOfOrder' }),
    ).toBeInTheDocument();
    await userEvent.type(
      screen.getByRole('textbox', { name: 'nulls' }),
      '0.01',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    await waitFor(() =>
      expect(mock.calls('POST', '/environments')[0]?.body).toEqual({
        entityRef: ENTITY_REF,
        commit: sha(5),
        stage: 'ci',
        profile: 'chaos',
        ttl: 'P1D',
        sample: { maxObjects: 20, rowFraction: 0.1 },
        chaos: { nulls: 0.01 },
      }),
    );
  });

  it('validates the options before sending', async () => {
    const mock = backend.mock();
    await renderDialog(mock);
    await userEvent.type(commitField(), sha(5));
    await chooseProfile('chaos');
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Row fraction' }),
      '1.5',
    );
    await userEvent.type(screen.getByRole('textbox', { name: 'drift' }), '3');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(
      screen.getByRole('textbox', { name: 'Row fraction' }),
    ).toHaveAttribute('aria-invalid', 'true');
    // Said once for the rates, which every rate field is described by; the
    // rate that is refused is marked.
    expect(
      screen.getByRole('textbox', { name: 'drift' }),
    ).toHaveAccessibleDescription(
      'drift: a probability from 0 to 1, such as 0.01',
    );
    expect(screen.getByRole('textbox', { name: 'drift' })).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(screen.getByRole('textbox', { name: 'nulls' })).toHaveAttribute(
      'aria-invalid',
      'false',
    );
    expect(mock.calls('POST', '/environments')).toHaveLength(0);
  });

  it("shows the server's refusal of a rate with the rates, not guessed onto one", async () => {
    const mock = backend.mock();
    const message = 'chaos.nulls must be a probability from 0 to 1, got 2';
    mock.on('POST', '/environments', errorAnswer(400, 'InputError', message));
    await renderDialog(mock);
    await userEvent.type(commitField(), sha(5));
    await chooseProfile('chaos');
    await userEvent.type(screen.getByRole('textbox', { name: 'nulls' }), '1');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(await screen.findByText(message)).toBeInTheDocument();
    for (const fault of ['nulls', 'drift']) {
      const field = screen.getByRole('textbox', { name: fault });
      expect(field).toHaveAccessibleDescription(message);
      expect(field).not.toHaveAttribute('aria-invalid', 'true');
    }
  });

  it("shows the server's refusal of a bound next to that bound", async () => {
    const mock = backend.mock();
    const message =
      'sample.maxObjects 5000 is more than the configured maximum 1000 (dagCicd.environments.sample.maxObjects); ask for at most 1000';
    mock.on('POST', '/environments', errorAnswer(400, 'InputError', message));
    await renderDialog(mock);
    await userEvent.type(commitField(), sha(5));
    await chooseProfile('sample');
    const maxObjects = screen.getByRole('textbox', { name: 'Max objects' });
    await userEvent.type(maxObjects, '5000');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    const helper = await screen.findByText(message);
    expect(maxObjects).toHaveAttribute('aria-invalid', 'true');
    expect(maxObjects).toHaveAttribute('aria-describedby', helper.id);
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

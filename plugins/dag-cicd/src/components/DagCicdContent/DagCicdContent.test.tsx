import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { dagCicdMockServer } from '../../__testUtils__/dagCicdMockServer';
import {
  aPipeline,
  anEnvironment,
  ENTITY_REF,
} from '../../__testUtils__/dagCicdFixtures';
import { renderWithDagCicd } from '../../__testUtils__/renderWithDagCicd';
import { DagCicdContent } from './DagCicdContent';

// Rendering material-ui on a busy CI machine is slow; nothing here is timed.
jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'orders', namespace: 'default' },
  spec: { type: 'airflow-dag' },
};

describe('DagCicdContent', () => {
  const backend = dagCicdMockServer();

  it('shows the pipeline and the environments, and opens an environment', async () => {
    const mock = backend.mock();
    mock.on('GET', '/pipeline', { body: aPipeline() });
    mock.on('GET', '/environments', {
      body: { items: [anEnvironment(1)], totalCount: 1 },
    });
    mock.on('GET', '/environments/{id}/conf', {
      body: { conf: {}, isolationEnforced: null, faultReport: null },
    });
    mock.on('GET', '/environments/{id}/runs', { body: { items: [] } });
    mock.on('GET', '/environments/{id}/history', { body: { items: [] } });
    await renderWithDagCicd(
      <EntityProvider entity={entity}>
        <DagCicdContent />
      </EntityProvider>,
      mock.client(),
    );

    const production = await screen.findByLabelText('production runs');
    expect(production).toHaveTextContent('promoted by bob');
    expect(
      within(production).getByRole('link', { name: 'bob' }),
    ).toHaveAttribute('href', '/catalog/default/user/bob');
    expect(mock.calls('GET', '/pipeline')[0].query.get('entityRef')).toBe(
      ENTITY_REF,
    );
    await userEvent.click(await screen.findByText('ci_0000001'));
    const drawer = within(
      await screen.findByRole('region', { name: 'Environment ci_0000001' }),
    );
    expect(await drawer.findByText(/No runs yet/)).toBeInTheDocument();
    await waitFor(() =>
      expect(mock.calls('GET', '/environments/{id}/history')).toHaveLength(1),
    );

    // Closing the drawer reloads the page of environments (its last runs may
    // have changed while it was open) and the pipeline.
    const pages = mock.calls('GET', '/environments').length;
    const pipelines = mock.calls('GET', '/pipeline').length;
    await userEvent.click(drawer.getByRole('button', { name: 'Close' }));
    await waitFor(() =>
      expect(mock.calls('GET', '/environments')).toHaveLength(pages + 1),
    );
    expect(mock.calls('GET', '/pipeline')).toHaveLength(pipelines + 1);
  });
});

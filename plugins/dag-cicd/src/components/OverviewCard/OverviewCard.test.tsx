import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import { Pipeline } from '@dag-cicd/plugin-dag-cicd-common';
import { screen, within } from '@testing-library/react';
import { DagCicdApi, dagCicdApiRef } from '../../api/DagCicdApi';
import {
  anEnvironment,
  aPromotion,
  sha,
} from '../../__testUtils__/dagCicdFixtures';
import { deployedStages, OverviewCard } from './OverviewCard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-daily',
    annotations: { 'airflow.apache.org/dag-id': 'orders_daily' },
  },
  spec: { type: 'airflow-dag' },
};

const pipeline: Pipeline = {
  entityRef: 'component:default/orders-daily',
  stages: [
    { name: 'ci', production: false },
    {
      name: 'staging',
      production: false,
      commit: sha('bbbbbbb'),
      environment: anEnvironment(2, {
        name: 'staging',
        stage: 'staging',
        commit: sha('bbbbbbb'),
        lastRun: {
          id: 'r1',
          dagRunId: 'manual__r1',
          state: 'success',
          createdAt: '2026-11-24T09:00:00Z',
          uiUrl: 'http://airflow.example/runs/manual__r1',
        },
      }),
      since: '2026-11-24T08:00:00Z',
      promotedBy: 'user:default/alice',
      openPromotions: [aPromotion()],
    },
    { name: 'production', production: true },
  ],
};

async function renderCard(api: Partial<DagCicdApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[dagCicdApiRef, api]]}>
      <EntityProvider entity={entity}>
        <OverviewCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('OverviewCard', () => {
  it('shows what runs in staging and production, and the latest run', async () => {
    const getPipeline = jest.fn(async () => pipeline);
    await renderCard({ getPipeline });

    const staging = (await screen.findByText('staging')).closest('tr')!;
    expect(getPipeline).toHaveBeenCalledWith('component:default/orders-daily');
    expect(within(staging).getByText('bbbbbbb')).toHaveAttribute(
      'title',
      sha('bbbbbbb'),
    );
    expect(within(staging).getByText('1 open promotion')).toBeInTheDocument();
    expect(within(staging).getByText(/^by/)).toHaveTextContent('by alice');
    expect(
      within(staging).getByRole('link', { name: 'alice' }),
    ).toHaveAttribute('href', '/catalog/default/user/alice');
    expect(within(staging).getByText('success').closest('a')).toHaveAttribute(
      'href',
      'http://airflow.example/runs/manual__r1',
    );

    const production = screen.getByText('production').closest('tr')!;
    expect(within(production).getByText('nothing yet')).toBeInTheDocument();
    expect(within(production).getByText('no runs')).toBeInTheDocument();
    // ci holds one environment per commit: the CI/CD tab lists those.
    expect(screen.queryByText('ci')).toBeNull();
  });

  it('shows the commit a promotion moved a stage to, with no environment of it', async () => {
    const moved: Pipeline = {
      ...pipeline,
      stages: pipeline.stages.map(stage =>
        stage.production
          ? { ...stage, commit: sha('ccccccc'), promotionId: 'p1' }
          : stage,
      ),
    };
    await renderCard({ getPipeline: jest.fn(async () => moved) });
    const production = (await screen.findByText('production')).closest('tr')!;
    expect(within(production).getByText('ccccccc')).toHaveAttribute(
      'title',
      sha('ccccccc'),
    );
  });

  it('names a service that promoted as recorded, not as a catalog link', async () => {
    const byService: Pipeline = {
      ...pipeline,
      stages: pipeline.stages.map(stage =>
        stage.name === 'staging'
          ? { ...stage, promotedBy: 'external:ci-pipeline' }
          : stage,
      ),
    };
    await renderCard({ getPipeline: jest.fn(async () => byService) });
    const staging = (await screen.findByText('staging')).closest('tr')!;
    expect(within(staging).getByText(/^by/)).toHaveTextContent(
      'by external:ci-pipeline',
    );
    expect(
      within(staging).queryByRole('link', { name: /ci-pipeline/ }),
    ).toBeNull();
  });
});

describe('deployedStages', () => {
  it('keeps every stage after the first, and a production first stage', () => {
    const names = (stages: Pipeline['stages']) =>
      deployedStages(stages).map(s => s.name);
    expect(names(pipeline.stages)).toEqual(['staging', 'production']);
    expect(names([{ name: 'production', production: true }])).toEqual([
      'production',
    ]);
  });
});

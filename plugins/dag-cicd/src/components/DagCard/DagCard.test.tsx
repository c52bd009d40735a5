import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { DagStatus } from '@dag-cicd/plugin-dag-cicd-common';
import { screen } from '@testing-library/react';
import { DagCicdApi, dagCicdApiRef } from '../../api/DagCicdApi';
import { DagCard } from './DagCard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'orders-job',
    annotations: { 'airflow.apache.org/dag-id': 'orders_daily' },
  },
  spec: { type: 'job' },
};

const status: DagStatus = {
  instance: 'local',
  dagId: 'orders_daily',
  isPaused: true,
  schedule: '0 2 * * *',
  nextRunAt: null,
  owners: ['data-engineering'],
  tags: ['orders'],
  uiUrl: 'http://airflow.example/dags/orders_daily',
  latestRuns: [
    {
      dagRunId: 'scheduled__2026-11-23',
      state: 'failed',
      runType: 'scheduled',
      uiUrl:
        'http://airflow.example/dags/orders_daily/runs/scheduled__2026-11-23',
    },
    { dagRunId: 'manual__1', state: 'success', runType: 'manual' },
  ],
};

async function renderCard(card: Entity, api: Partial<DagCicdApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[dagCicdApiRef, api]]}>
      <EntityProvider entity={card}>
        <DagCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('DagCard', () => {
  it("shows the DAG's Airflow state and its latest runs, linked", async () => {
    const getDagStatus = jest.fn(async () => status);
    await renderCard(entity, { getDagStatus });

    expect(await screen.findByText('Paused')).toBeInTheDocument();
    expect(getDagStatus).toHaveBeenCalledWith('resource:default/orders-job');
    expect(screen.getByText('0 2 * * *')).toBeInTheDocument();
    expect(screen.getByText('not scheduled')).toBeInTheDocument();
    expect(screen.getByText('failed').closest('a')).toHaveAttribute(
      'href',
      status.latestRuns[0].uiUrl,
    );
    // A run without a link is shown, not linked.
    expect(screen.getByText('success').closest('a')).toBeNull();
    expect(screen.getByText('Open in Airflow').closest('a')).toHaveAttribute(
      'href',
      status.uiUrl,
    );
  });

  it('says when the DAG has not run yet', async () => {
    await renderCard(entity, {
      getDagStatus: async () => ({
        ...status,
        isPaused: false,
        latestRuns: [],
      }),
    });
    expect(await screen.findByText('Active')).toBeInTheDocument();
    expect(screen.getByText('This DAG has not run yet.')).toBeInTheDocument();
  });

  it('names the missing annotation instead of calling the backend', async () => {
    const getDagStatus = jest.fn();
    await renderCard(
      { ...entity, metadata: { name: 'plain', annotations: {} } },
      { getDagStatus },
    );
    expect(
      (await screen.findAllByText(/airflow.apache.org\/dag-id/)).length,
    ).toBeGreaterThan(0);
    expect(getDagStatus).not.toHaveBeenCalled();
  });
});

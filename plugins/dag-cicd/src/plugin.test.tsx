import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  entityRouteRef,
  EntityProvider,
} from '@backstage/plugin-catalog-react';
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { DagCicdApi, dagCicdApiRef } from './api/DagCicdApi';
import {
  dagCicdPlugin,
  DagCicdEnvironmentsPage,
  EntityAirflowDagCard,
  EntityDagCicdOverviewCard,
} from './plugin';
import { anEnvironment } from './__testUtils__/dagCicdFixtures';

const dag: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders-daily',
    annotations: { 'airflow.apache.org/dag-id': 'orders_daily' },
  },
  spec: { type: 'airflow-dag' },
};

const api: Partial<DagCicdApi> = {
  listEnvironments: async () => ({ items: [anEnvironment(1)], totalCount: 1 }),
  getPipeline: async () => ({
    entityRef: 'component:default/orders-daily',
    stages: [{ name: 'production', production: true }],
  }),
  getDagStatus: async () => ({
    instance: 'local',
    dagId: 'orders_daily',
    isPaused: false,
    uiUrl: 'http://airflow.example/dags/orders_daily',
    latestRuns: [],
  }),
};

const catalogRoutes = {
  mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
};

describe('legacy frontend system plugin', () => {
  it('is the dag-cicd plugin with its two pages', () => {
    expect(dagCicdPlugin.getId()).toBe('dag-cicd');
    expect(Object.keys(dagCicdPlugin.routes).sort()).toEqual([
      'approvals',
      'environments',
    ]);
  });

  it('renders the environments page as a routable extension', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[dagCicdApiRef, api]]}>
        <Routes>
          <Route
            path="/dag-cicd/environments"
            element={<DagCicdEnvironmentsPage />}
          />
        </Routes>
      </TestApiProvider>,
      { ...catalogRoutes, routeEntries: ['/dag-cicd/environments'] },
    );
    expect(await screen.findByText('ci_0000001')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Environments', level: 1 }),
    ).toBeInTheDocument();
  });

  it('renders the overview and Airflow DAG cards of an entity', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[dagCicdApiRef, api]]}>
        <EntityProvider entity={dag}>
          <EntityDagCicdOverviewCard />
          <EntityAirflowDagCard />
        </EntityProvider>
      </TestApiProvider>,
      catalogRoutes,
    );
    expect(await screen.findByText('What runs where')).toBeInTheDocument();
    expect(
      await screen.findByText('Airflow DAG orders_daily'),
    ).toBeInTheDocument();
    expect(await screen.findByText('Active')).toBeInTheDocument();
  });
});

import { createExtensionTester } from '@backstage/frontend-test-utils';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { Entity } from '@backstage/catalog-model';
import plugin from './alpha';

const dag: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders',
    annotations: { 'airflow.apache.org/dag-id': 'orders' },
  },
  spec: { type: 'airflow-dag' },
};
const service: Entity = { ...dag, spec: { type: 'service' } };
const annotatedJob: Entity = {
  ...dag,
  kind: 'Resource',
  spec: { type: 'job' },
};

describe('new frontend system plugin', () => {
  it('is the dag-cicd plugin', () => {
    expect(plugin.id).toBe('dag-cicd');
  });

  it('adds a CI/CD tab to DAG entities only', () => {
    const content = plugin.getExtension('entity-content:dag-cicd');
    const tester = createExtensionTester(content);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('CI/CD');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(dag)).toBe(true);
    expect(filter(service)).toBe(false);
  });

  it('adds the overview card to DAG entities and the DAG card to any annotated entity', () => {
    const filterOf = (id: string): ((entity: Entity) => boolean) =>
      createExtensionTester(plugin.getExtension(id as any)).get(
        EntityCardBlueprint.dataRefs.filterFunction as any,
      ) as any;
    const overview = filterOf('entity-card:dag-cicd/overview');
    expect([dag, service, annotatedJob].map(overview)).toEqual([
      true,
      false,
      false,
    ]);
    const airflowDag = filterOf('entity-card:dag-cicd/airflow-dag');
    expect([dag, annotatedJob].map(airflowDag)).toEqual([true, true]);
    expect(
      airflowDag({ ...service, metadata: { name: 'plain', annotations: {} } }),
    ).toBe(false);
  });

  it.each([
    ['page:dag-cicd/approvals', '/dag-cicd/approvals', 'Approvals'],
    ['page:dag-cicd/environments', '/dag-cicd/environments', 'Environments'],
  ])('adds %s at %s, titled for the sidebar', (id, path, title) => {
    const tester = createExtensionTester(plugin.getExtension(id as any));
    expect(tester.get(coreExtensionData.routePath)).toBe(path);
    expect(tester.get(coreExtensionData.title)).toBe(title);
    expect(tester.get(coreExtensionData.icon)).toBeTruthy();
    expect(tester.get(coreExtensionData.routeRef)).toBeDefined();
  });
});

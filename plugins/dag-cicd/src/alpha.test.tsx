import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
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
});

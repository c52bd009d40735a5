import { Entity } from '@backstage/catalog-model';
import { getAirflowDagId, isAirflowDagEntity } from './annotations';

function component(spec: object, annotations?: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'orders', annotations },
    spec,
  };
}

describe('isAirflowDagEntity', () => {
  const dag = { 'airflow.apache.org/dag-id': 'orders_daily' };

  it('accepts an airflow-dag component that names its dag_id', () => {
    const entity = component({ type: 'airflow-dag' }, dag);
    expect(isAirflowDagEntity(entity)).toBe(true);
    expect(getAirflowDagId(entity)).toBe('orders_daily');
  });

  it('rejects a component of another type', () => {
    expect(isAirflowDagEntity(component({ type: 'service' }, dag))).toBe(false);
  });

  it('rejects a DAG component without the dag-id annotation', () => {
    const entity = component({ type: 'airflow-dag' });
    expect(isAirflowDagEntity(entity)).toBe(false);
    expect(getAirflowDagId(entity)).toBeUndefined();
  });

  it('rejects other kinds with the same type', () => {
    const entity = {
      ...component({ type: 'airflow-dag' }, dag),
      kind: 'Resource',
    };
    expect(isAirflowDagEntity(entity)).toBe(false);
  });
});

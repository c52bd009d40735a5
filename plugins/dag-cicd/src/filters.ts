import { Entity } from '@backstage/catalog-model';
import { getAirflowDagId } from '@dag-cicd/plugin-dag-cicd-common';

/**
 * Whether an entity names an Airflow DAG, whatever its kind or type: the DAG
 * card is for any such entity, not only the catalog module's DAG components.
 *
 * @public
 */
export function hasAirflowDagId(entity: Entity): boolean {
  return Boolean(getAirflowDagId(entity));
}

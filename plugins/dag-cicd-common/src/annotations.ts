import type { Entity } from '@backstage/catalog-model';

/** The Airflow `dag_id` of a DAG entity. @public */
export const AIRFLOW_DAG_ID_ANNOTATION = 'airflow.apache.org/dag-id';

/** The name of the configured Airflow instance (`dagCicd.airflow.instances[].name`) that runs the DAG. @public */
export const AIRFLOW_INSTANCE_ANNOTATION = 'airflow.apache.org/instance';

/**
 * Names the promotion gate policy of a DAG entity
 * (`dagCicd.promotions.namedPolicies.<name>`), overriding the configured
 * defaults per target stage. @public
 */
export const PROMOTION_POLICY_ANNOTATION = 'dag-cicd.io/promotion-policy';

/** `spec.type` of a catalog Component that is an Airflow DAG. @public */
export const AIRFLOW_DAG_COMPONENT_TYPE = 'airflow-dag';

/** `spec.type` of a catalog Resource that is an Airflow asset. @public */
export const AIRFLOW_ASSET_RESOURCE_TYPE = 'airflow-asset';

/**
 * Whether an entity is a DAG entity: a Component of type `airflow-dag` that
 * names its `dag_id`. The CI/CD tab and every API call are offered only for
 * these.
 *
 * @public
 */
export function isAirflowDagEntity(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    (entity.spec as { type?: unknown } | undefined)?.type ===
      AIRFLOW_DAG_COMPONENT_TYPE &&
    typeof entity.metadata.annotations?.[AIRFLOW_DAG_ID_ANNOTATION] === 'string'
  );
}

/** The DAG's `dag_id`, if the entity carries the annotation. @public */
export function getAirflowDagId(entity: Entity): string | undefined {
  return entity.metadata.annotations?.[AIRFLOW_DAG_ID_ANNOTATION];
}

import dagCicdConfSchema from './dagCicdConf.schema.json';

/**
 * The key of a DAG run's `conf` that carries the environment.
 *
 * @public
 */
export const DAG_CICD_CONF_KEY = 'dag_cicd';

/**
 * The JSON Schema (draft 2020-12) of `conf.dag_cicd`: the run-time contract
 * between the backend, which writes it into every run it starts, and the
 * `airflow-dag-cicd` Python package, which reads it. The Python package ships
 * this very file; both sides are tested against the same vectors.
 *
 * @public
 */
export { dagCicdConfSchema };

/**
 * Where an input is read from: `read-only` data lives outside the
 * environment's namespace (production, an earlier environment) and must never
 * be written; `copy` data was copied into the namespace.
 *
 * @public
 */
export type DagCicdInputMode = 'read-only' | 'copy';

/**
 * The value of `conf.dag_cicd`, as described by {@link dagCicdConfSchema}.
 *
 * @public
 */
export interface DagCicdConf {
  environment: string;
  stage: string;
  /** Full 40-hex git SHA. */
  commit: string;
  /** `kind:namespace/name` of the DAG entity. */
  entity: string;
  /** The environment's data namespace; ends with `/`. */
  namespace: string;
  inputs: Record<string, { uri: string; mode: DagCicdInputMode }>;
  artifacts: Record<string, string>;
  connections: Record<string, string>;
  profile: string;
  /** Seed of the fault injector; present for the `chaos` profile. */
  seed?: number;
}

import type { Environment, Run } from '../schema/openapi/generated/models';

/**
 * A ready `ci` environment `ci_ab12cd3` (id `env-1`) of
 * `component:default/orders` at commit `ab12cd34…ab12`, created by
 * `ci-pipeline` with the `sample` profile; `overrides` replace its fields.
 */
export function environmentFixture(
  overrides: Partial<Environment> = {},
): Environment {
  return {
    id: 'env-1',
    name: 'ci_ab12cd3',
    entityRef: 'component:default/orders',
    commit: 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12',
    stage: 'ci',
    dataNamespace: 'file:///store/default/orders/ci_ab12cd3/',
    inputs: {},
    artifacts: {},
    connections: {},
    profile: 'sample',
    status: 'ready',
    createdBy: 'ci-pipeline',
    createdAt: '2026-11-24T12:00:00Z',
    ...overrides,
  };
}

/**
 * A queued run (id `run-1`) of DAG `orders` on instance `local`, in the
 * environment of {@link environmentFixture}; `overrides` replace its fields.
 */
export function runFixture(overrides: Partial<Run> = {}): Run {
  return {
    id: 'run-1',
    environmentId: 'env-1',
    instance: 'local',
    dagId: 'orders',
    dagRunId: 'dag_cicd__ci_ab12cd3__1',
    state: 'queued',
    uiUrl: 'http://airflow:8080/dags/orders/runs/dag_cicd__ci_ab12cd3__1',
    startedBy: 'ci-pipeline',
    createdAt: '2026-11-24T12:00:00Z',
    tasks: [],
    manifests: [],
    ...overrides,
  };
}

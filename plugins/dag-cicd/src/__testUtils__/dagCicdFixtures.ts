import {
  Environment,
  GateResult,
  Pipeline,
  Promotion,
  Run,
} from '@dag-cicd/plugin-dag-cicd-common';

/**
 * The one set of fixtures of the plugin's tests, shaped like the backend's
 * answers (the mock server checks them against the spec). A test states in
 * overrides whatever its assertions depend on.
 */

export const ENTITY_REF = 'component:default/orders';

/**
 * A 40-hex SHA with a chosen short form: a number padded to 7 digits
 * (`sha(3)` is `0000003…`) or 7 hex digits as they are (`sha('abc1234')`).
 */
export function sha(short: number | string): string {
  const prefix =
    typeof short === 'number' ? `${short}`.padStart(7, '0') : short;
  return prefix.padEnd(40, 'a');
}

export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${`${n}`.padStart(12, '0')}`;
}

/**
 * Environment `n` of the DAG {@link ENTITY_REF}, named `ci_<short sha(n)>`;
 * created `n` minutes after 10:00 on 2026-11-20, so a higher `n` is newer.
 */
export function anEnvironment(
  n: number,
  overrides: Partial<Environment> = {},
): Environment {
  const commit = overrides.commit ?? sha(n);
  const name = overrides.name ?? `ci_${commit.slice(0, 7)}`;
  return {
    id: uuid(n),
    name,
    entityRef: ENTITY_REF,
    commit,
    stage: 'ci',
    dataNamespace: `file:///data/default/orders/${name}/`,
    inputs: {
      events: { uri: 's3://lake/prod/events/', mode: 'read-only' },
    },
    artifacts: { etl_jar: `s3://artifacts/etl/${commit}/etl.jar` },
    connections: { spark_default: 'spark_ci' },
    profile: 'production-readonly',
    status: 'ready',
    createdBy: 'user:default/alice',
    createdAt: new Date(Date.UTC(2026, 10, 20, 10, n)).toISOString(),
    expiresAt: null,
    ...overrides,
  };
}

export function aRun(n: number, overrides: Partial<Run> = {}): Run {
  return {
    id: uuid(1000 + n),
    environmentId: uuid(1),
    instance: 'local',
    dagId: 'orders',
    dagRunId: `dag_cicd__ci_0000001__${n}`,
    state: 'success',
    startedBy: 'user:default/alice',
    createdAt: '2026-11-20T11:00:00.000Z',
    startDate: '2026-11-20T11:00:01.000Z',
    endDate: '2026-11-20T11:05:00.000Z',
    uiUrl: `http://airflow.test/dags/orders/runs/dag_cicd__ci_0000001__${n}`,
    tasks: [
      { taskId: 'extract', mapIndex: -1, tryNumber: 1, state: 'success' },
      { taskId: 'load', mapIndex: -1, tryNumber: 1, state: 'success' },
    ],
    manifests: [],
    ...overrides,
  };
}

export function aGate(overrides: Partial<GateResult> = {}): GateResult {
  return {
    gate: 'runs-succeeded',
    type: 'runs-succeeded',
    status: 'passed',
    detail: '3 of 3 successful runs',
    evaluatedAt: '2026-11-21T09:00:00.000Z',
    ...overrides,
  };
}

export function aPromotion(overrides: Partial<Promotion> = {}): Promotion {
  return {
    id: uuid(2001),
    entityRef: ENTITY_REF,
    commit: sha(2),
    fromStage: 'staging',
    toStage: 'production',
    status: 'open',
    requestedBy: 'user:default/alice',
    requestedAt: '2026-11-21T09:00:00.000Z',
    gates: [aGate()],
    gatesPassed: true,
    decisions: [],
    ...overrides,
  };
}

/** ci → staging → production, each running an environment, no open promotion. */
export function aPipeline(
  overrides: { openPromotions?: Promotion[] } = {},
): Pipeline {
  return {
    entityRef: ENTITY_REF,
    stages: [
      {
        name: 'ci',
        production: false,
        commit: sha(1),
        environment: anEnvironment(1),
        since: '2026-11-20T10:00:00.000Z',
        promotedBy: null,
        openPromotions: [],
      },
      {
        name: 'staging',
        production: false,
        commit: sha(2),
        environment: anEnvironment(2, { stage: 'staging', name: 'staging' }),
        since: '2026-11-20T12:00:00.000Z',
        promotedBy: 'user:default/alice',
        openPromotions: [],
      },
      {
        name: 'production',
        production: true,
        commit: sha(3),
        environment: anEnvironment(3, {
          stage: 'production',
          name: 'production',
        }),
        since: '2026-11-01T08:00:00.000Z',
        promotedBy: 'user:default/bob',
        openPromotions: overrides.openPromotions ?? [],
      },
    ],
  };
}

import {
  Environment,
  GateResult,
  Promotion,
} from '@dag-cicd/plugin-dag-cicd-common';

/** A 40-hex commit whose short SHA is `short` padded with zeros. */
export function commitOf(short: string): string {
  return short.padEnd(7, '0').padEnd(40, 'f');
}

export function anEnvironment(
  n: number,
  overrides: Partial<Environment> = {},
): Environment {
  const commit = commitOf(`${n}`.padStart(7, '0'));
  return {
    id: `00000000-0000-4000-8000-${`${n}`.padStart(12, '0')}`,
    name: `ci_${commit.slice(0, 7)}`,
    entityRef: 'component:default/orders-daily',
    commit,
    stage: 'ci',
    dataNamespace: `file:///data/default/orders-daily/ci_${commit.slice(
      0,
      7,
    )}/`,
    inputs: {},
    artifacts: {},
    connections: {},
    profile: 'sample',
    status: 'ready',
    createdBy: 'user:default/guest',
    createdAt: '2026-11-20T10:00:00.000Z',
    expiresAt: null,
    ...overrides,
  };
}

export function aGate(overrides: Partial<GateResult> = {}): GateResult {
  return {
    gate: 'approvals',
    type: 'approvals',
    status: 'pending',
    detail: '0 of 1 approvals from group:default/data-engineering',
    evaluatedAt: '2026-11-24T09:00:00.000Z',
    ...overrides,
  };
}

export function aPromotion(overrides: Partial<Promotion> = {}): Promotion {
  return {
    id: 'p-1',
    entityRef: 'component:default/orders-daily',
    commit: commitOf('abc1234'),
    fromStage: 'staging',
    toStage: 'production',
    status: 'open',
    requestedBy: 'user:default/guest',
    requestedAt: '2026-11-24T09:00:00.000Z',
    gates: [aGate()],
    gatesPassed: false,
    decisions: [],
    ...overrides,
  };
}

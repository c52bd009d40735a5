import { randomUUID } from 'node:crypto';
import { EnvironmentRecord } from '../database/EnvironmentStore';

export const SHA = 'ab12cd3'.padEnd(40, '0');

/** A complete environment record for tests, with overrides. */
export function environmentRecord(
  overrides: Partial<EnvironmentRecord> = {},
): EnvironmentRecord {
  return {
    id: randomUUID(),
    entityRef: 'component:default/orders',
    stage: 'ci',
    name: 'ci_ab12cd3',
    commit: SHA,
    dataNamespace: 'file:///data/default/orders_daily/ci_ab12cd3/',
    inputs: { events: { uri: 'file:///prod/events/', mode: 'read-only' } },
    artifacts: { etl_py: `file:///artifacts/${SHA}/etl.py` },
    connections: { spark_default: 'spark_ci' },
    profile: 'production-readonly',
    status: 'ready',
    createdBy: 'user:default/alice',
    createdAt: new Date('2026-11-20T10:00:00Z'),
    updatedAt: new Date('2026-11-20T10:00:00Z'),
    expiresAt: new Date('2026-11-27T10:00:00Z'),
    requestHash: 'hash-1',
    seed: 42,
    stepsDone: [],
    plan: {
      productionPrefix: 'file:///data/default/orders_daily/production/',
      inputSources: { events: 'file:///prod/events/' },
      sample: { maxObjects: 10, maxBytes: 1024, rowFraction: 1 },
      chaos: {},
    },
    ...overrides,
  };
}

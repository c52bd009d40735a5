import fc from 'fast-check';
import { outputDiffGate as gate } from './outputDiff';
import { rowsWithin, schemaChanges } from './manifestOutputs';
import {
  gateContext,
  gateRun,
  taskManifest,
} from './__testUtils__/gateContext';

const PROD_NS = 'file:///data/default/orders/production/';
const baseline = gateRun({ stage: 'production', dagRunId: 'prod_1' });
const production = (outputs: Parameters<typeof taskManifest>[1]) =>
  taskManifest(baseline.id, outputs, { namespace: PROD_NS });
const id = { name: 'id', type: 'integer', nullable: false };
const amount = { name: 'amount', type: 'number', nullable: true };

function world(options: {
  source?: Parameters<typeof taskManifest>[1];
  production?: Parameters<typeof taskManifest>[1];
  withBaseline?: boolean;
}) {
  const run = gateRun({ dagRunId: 'staging_1' });
  return gateContext({
    runs: [run],
    baseline: options.withBaseline === false ? undefined : baseline,
    manifests: [
      ...(options.source ? [taskManifest(run.id, options.source)] : []),
      ...(options.production ? [production(options.production)] : []),
    ],
  });
}

const both = [
  { key: 'orders/part-0.csv', rows: 1000 },
  { key: 'quarantine/part-0.csv', rows: 0 },
];

describe('output-diff', () => {
  it('validates its options, naming the option', () => {
    expect(gate.validateOptions({})).toEqual({
      rowTolerance: 0.1,
      outputs: {},
      allowSchemaEvolution: 'none',
    });
    expect(() => gate.validateOptions({ rowTolerance: -1 })).toThrow(
      /rowTolerance must be a fraction of zero or more/,
    );
    expect(() => gate.validateOptions({ outputs: { 'a.csv': '10%' } })).toThrow(
      /outputs\["a.csv"\] must be a fraction/,
    );
    expect(() =>
      gate.validateOptions({ allowSchemaEvolution: 'anything' }),
    ).toThrow(/allowSchemaEvolution must be one of none, additive/);
  });

  it('passes when every production output is there with its schema and rows within tolerance', async () => {
    const outcome = await gate.evaluate(
      {},
      world({
        source: [
          { key: 'orders/part-0.csv', rows: 1090 },
          { key: 'quarantine/part-0.csv', rows: 0 },
        ],
        production: both,
      }),
    );
    expect(outcome.status).toBe('passed');
    expect(outcome.detail).toMatch(
      /^All 2 outputs of production match abc1234's run staging_1/,
    );
    expect(outcome.inputs.outputs).toMatchObject({
      'orders/part-0.csv': {
        source: { rows: 1090, checksum: expect.stringMatching(/^sha-/) },
        production: { rows: 1000 },
        tolerance: 0.1,
        changes: [],
      },
    });
  });

  it('fails on rows out of tolerance, a missing output and a changed schema', async () => {
    const outcome = await gate.evaluate(
      { outputs: { 'quarantine/part-0.csv': 1 } },
      world({
        source: [
          {
            key: 'orders/part-0.csv',
            rows: 1200,
            schema: [{ ...id, type: 'string' }, amount],
          },
        ],
        production: both,
      }),
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toBe(
      "3 differences in abc1234's run staging_1 in staging against production's run prod_1: orders/part-0.csv has 1200 rows against production's 1000 (tolerance ±10 %); orders/part-0.csv column id changed type from integer to string; quarantine/part-0.csv is missing.",
    );
  });

  it('uses per-output tolerances', async () => {
    const outcome = await gate.evaluate(
      { rowTolerance: 0, outputs: { 'orders/part-0.csv': 0.5 } },
      world({
        source: [{ key: 'orders/part-0.csv', rows: 1400 }],
        production: [{ key: 'orders/part-0.csv', rows: 1000 }],
      }),
    );
    expect(outcome.status).toBe('passed');
  });

  it('allows new nullable columns and outputs only with additive evolution', async () => {
    const evolved = {
      source: [
        {
          key: 'orders/part-0.csv',
          schema: [
            id,
            amount,
            { name: 'note', type: 'string', nullable: true },
          ],
        },
        { key: 'audit/part-0.csv' },
      ],
      production: [{ key: 'orders/part-0.csv' }],
    };
    const strict = await gate.evaluate({}, world(evolved));
    expect(strict.status).toBe('failed');
    expect(strict.detail).toMatch(/new column note; audit\/part-0.csv is new/);
    const additive = await gate.evaluate(
      { allowSchemaEvolution: 'additive' },
      world(evolved),
    );
    expect(additive.status).toBe('passed');
  });

  it('passes a first release, saying there was nothing to compare', async () => {
    const outcome = await gate.evaluate(
      {},
      world({ source: both, withBaseline: false }),
    );
    expect(outcome.status).toBe('passed');
    expect(outcome.detail).toMatch(/a first release.*nothing to compare/);
  });

  it('never passes when the source run wrote no manifests, even on a first release', async () => {
    for (const withBaseline of [true, false]) {
      const outcome = await gate.evaluate(
        {},
        world({ production: both, withBaseline }),
      );
      expect(outcome.status).toBe('error');
      expect(outcome.detail).toMatch(
        /the DAG writes no manifests, so isolation and diff are not enforced/,
      );
    }
  });

  it("never passes when production's run wrote no manifests", async () => {
    const outcome = await gate.evaluate({}, world({ source: both }));
    expect(outcome.status).toBe('error');
    expect(outcome.detail).toMatch(
      /Production's newest successful run prod_1 wrote no manifests/,
    );
  });

  it('is pending without a successful source run, and never compares a chaos run', async () => {
    const chaos = gateRun({ profile: 'chaos' });
    const outcome = await gate.evaluate(
      {},
      gateContext({
        runs: [chaos, gateRun({ state: 'failed' })],
        baseline,
        manifests: [taskManifest(chaos.id, both), production(both)],
      }),
    );
    expect(outcome.status).toBe('pending');
    expect(outcome.inputs.sourceRun).toBeNull();
  });

  it('reports manifests it cannot read as an error', async () => {
    const run = gateRun();
    const outcome = await gate.evaluate(
      {},
      gateContext({
        runs: [run],
        baseline,
        manifests: [
          {
            runId: run.id,
            taskId: 'broken',
            manifest: { outputs: [{ rows: 3 }] },
          },
          production(both),
        ],
      }),
    );
    expect(outcome.status).toBe('error');
    expect(outcome.detail).toMatch(
      /source: an output of task broken has no path/,
    );
  });
});

describe('schema and row comparison', () => {
  const column = fc.record({
    name: fc.constantFrom('a', 'b', 'c', 'd'),
    type: fc.constantFrom('integer', 'string', 'number'),
    nullable: fc.boolean(),
  });
  const schema = fc.uniqueArray(column, {
    selector: c => c.name,
    maxLength: 4,
  });

  it('finds no change between a schema and itself, in any column order', () => {
    fc.assert(
      fc.property(schema, fc.boolean(), (s, additive) => {
        expect(
          schemaChanges(s, [...s].reverse(), additive ? 'additive' : 'none'),
        ).toEqual([]);
      }),
    );
  });

  it('never lets a production column disappear or change type, whatever the evolution', () => {
    expect(() =>
      fc.assert(
        fc.property(schema, schema, (before, after) => {
          const changes = schemaChanges(before, after, 'additive');
          return before
            .filter(col => {
              const now = after.find(c => c.name === col.name);
              return !now || now.type !== col.type;
            })
            .every(col => changes.some(c => c.includes(`column ${col.name} `)));
        }),
      ),
    ).not.toThrow();
  });

  it('keeps row counts symmetric around production within the tolerance', () => {
    expect(rowsWithin(1000, 1100, 0.1)).toBe(true);
    expect(rowsWithin(1000, 900, 0.1)).toBe(true);
    expect(rowsWithin(1000, 1101, 0.1)).toBe(false);
    expect(rowsWithin(0, 0, 0.1)).toBe(true);
    expect(rowsWithin(0, 1, 10)).toBe(false);
  });
});

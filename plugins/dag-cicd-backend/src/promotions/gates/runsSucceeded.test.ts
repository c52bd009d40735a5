import { InputError } from '@backstage/errors';
import { runsSucceededGate as gate } from './runsSucceeded';
import {
  OTHER_COMMIT,
  gateContext,
  gateRun,
} from './__testUtils__/gateContext';

describe('runs-succeeded', () => {
  it('defaults minRuns to 1 and refuses a bad one naming the option', () => {
    expect(gate.validateOptions({})).toEqual({ minRuns: 1 });
    expect(() => gate.validateOptions({ minRuns: 0 })).toThrow(InputError);
    expect(() => gate.validateOptions({ minRuns: 1.5 })).toThrow(
      /minRuns must be a whole number from 1 to 100/,
    );
    expect(() => gate.validateOptions({ minRun: 2 })).toThrow(
      /unknown option "minRun"; the options are minRuns/,
    );
  });

  it('passes with enough green runs, the newest green, recording the runs', async () => {
    const runs = [gateRun({ minute: 1 }), gateRun({ minute: 2 })];
    const outcome = await gate.evaluate({ minRuns: 2 }, gateContext({ runs }));
    expect(outcome).toMatchObject({
      status: 'passed',
      detail:
        '2 successful runs of abc1234 in staging (2 required), the newest green.',
      inputs: {
        stage: 'staging',
        minRuns: 2,
        successfulRunIds: [runs[1].id, runs[0].id],
        newestRun: { id: runs[1].id, state: 'success' },
      },
    });
  });

  it('is pending with fewer green runs than required', async () => {
    const outcome = await gate.evaluate(
      { minRuns: 3 },
      gateContext({
        runs: [
          gateRun({ minute: 1 }),
          gateRun({ minute: 2, state: 'failed' }),
          gateRun({ minute: 3 }),
        ],
      }),
    );
    expect(outcome.status).toBe('pending');
    expect(outcome.detail).toBe(
      '2 of 3 successful runs of abc1234 in staging; start another run.',
    );
  });

  it('fails when the newest run is red, however many green runs came before', async () => {
    const outcome = await gate.evaluate(
      { minRuns: 1 },
      gateContext({
        runs: [
          gateRun({ minute: 1 }),
          gateRun({ minute: 2 }),
          gateRun({ minute: 3, state: 'failed', dagRunId: 'run_3' }),
        ],
      }),
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toMatch(
      /newest run run_3 of abc1234 in staging ended failed/,
    );
  });

  it('is pending while the newest run is still running', async () => {
    const outcome = await gate.evaluate(
      { minRuns: 1 },
      gateContext({
        runs: [
          gateRun({ minute: 1 }),
          gateRun({ minute: 2, state: 'running' }),
        ],
      }),
    );
    expect(outcome.status).toBe('pending');
    expect(outcome.detail).toMatch(/still running/);
  });

  it('never passes without runs of the commit in the source stage', async () => {
    const outcome = await gate.evaluate(
      { minRuns: 1 },
      gateContext({
        runs: [gateRun({ commit: OTHER_COMMIT }), gateRun({ stage: 'ci' })],
      }),
    );
    expect(outcome.status).toBe('pending');
    expect(outcome.detail).toBe(
      'No run of abc1234 in staging yet; start 1 run of it there.',
    );
    expect(outcome.inputs.runsRead).toBe(0);
  });
});

import { chaosRunGate as gate } from './chaosRun';
import { gateContext, gateRun } from './__testUtils__/gateContext';

const chaos = (overrides: Parameters<typeof gateRun>[0] = {}) =>
  gateRun({ profile: 'chaos', environmentName: 'chaos_abc1234', ...overrides });

describe('chaos-run', () => {
  it('validates stages, naming the option', () => {
    expect(gate.validateOptions({})).toEqual({});
    expect(gate.validateOptions({ stages: ['ci', 'staging', 'ci'] })).toEqual({
      stages: ['ci', 'staging'],
    });
    expect(() => gate.validateOptions({ stages: [] })).toThrow(
      /stages must be a non-empty list of stage names/,
    );
    expect(() => gate.validateOptions({ stages: 'ci' })).toThrow(/stages/);
  });

  it('passes on one green chaos run in the source stage, recording it', async () => {
    const green = chaos({ minute: 1 });
    const context = gateContext({
      runs: [green, chaos({ minute: 2, state: 'failed' })],
    });
    const outcome = await gate.evaluate({}, context);
    expect(outcome.status).toBe('passed');
    expect(outcome.inputs.successfulRun).toMatchObject({ id: green.id });
    expect(context.reads).toEqual(['runs staging chaos']);
  });

  it('looks in every listed stage', async () => {
    const outcome = await gate.evaluate(
      { stages: ['ci', 'staging'] },
      gateContext({ runs: [chaos({ stage: 'ci' })] }),
    );
    expect(outcome.status).toBe('passed');
    expect(outcome.detail).toMatch(/under the chaos profile in ci, staging/);
  });

  it('does not count green runs under another profile', async () => {
    const outcome = await gate.evaluate(
      {},
      gateContext({ runs: [gateRun({ profile: 'sample' })] }),
    );
    expect(outcome.status).toBe('pending');
    expect(outcome.detail).toMatch(
      /create an environment with the chaos profile/,
    );
  });

  it('fails when every chaos run failed, and waits on one still running', async () => {
    const failed = await gate.evaluate(
      {},
      gateContext({
        runs: [chaos({ state: 'failed' }), chaos({ state: 'error' })],
      }),
    );
    expect(failed.status).toBe('failed');
    expect(failed.detail).toMatch(/None of the 2 runs/);
    const running = await gate.evaluate(
      {},
      gateContext({
        runs: [
          chaos({ state: 'failed' }),
          chaos({ state: 'queued', minute: 5 }),
        ],
      }),
    );
    expect(running.status).toBe('pending');
  });
});

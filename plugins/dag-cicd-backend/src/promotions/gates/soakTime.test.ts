import { soakTimeGate as gate } from './soakTime';
import { gateContext } from './__testUtils__/gateContext';

const now = new Date('2026-11-24T10:00:00Z');

describe('soak-time', () => {
  it('validates the duration with the shared ISO 8601 parser', () => {
    expect(gate.validateOptions({})).toEqual({ duration: 'P1D' });
    expect(gate.validateOptions({ duration: 'PT6H' })).toEqual({
      duration: 'PT6H',
    });
    expect(() => gate.validateOptions({ duration: '6 hours' })).toThrow(
      /duration "6 hours" is not an ISO 8601 duration/,
    );
    expect(() => gate.validateOptions({ duration: 6 })).toThrow(
      /duration must be a non-empty string/,
    );
  });

  it('passes once ready for the whole duration, to the millisecond', async () => {
    const outcome = await gate.evaluate(
      { duration: 'PT6H' },
      gateContext({ now, readySince: new Date('2026-11-24T04:00:00Z') }),
    );
    expect(outcome.status).toBe('passed');
    expect(outcome.inputs).toEqual({
      stage: 'staging',
      duration: 'PT6H',
      now: now.toISOString(),
      readySince: '2026-11-24T04:00:00.000Z',
    });
  });

  it('is pending with the time left', async () => {
    const outcome = await gate.evaluate(
      { duration: 'P1D' },
      gateContext({ now, readySince: new Date('2026-11-24T06:48:00Z') }),
    );
    expect(outcome.status).toBe('pending');
    expect(outcome.detail).toBe(
      'abc1234 has been ready in staging since 2026-11-24T06:48:00.000Z; 20h 48m of the P1D soak time left, until 2026-11-25T06:48:00.000Z.',
    );
  });

  it('never passes when the commit is not ready in the source stage', async () => {
    const outcome = await gate.evaluate(
      { duration: 'PT1S' },
      gateContext({ now }),
    );
    expect(outcome.status).toBe('pending');
    expect(outcome.detail).toMatch(/is not ready in staging/);
    expect(outcome.inputs.readySince).toBeNull();
  });
});

import { fromNow } from './when';

describe('fromNow', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');

  it('uses the largest unit that fits, in both directions', () => {
    expect(fromNow('2026-11-24T15:00:00Z', now)).toBe('in 3 hours');
    expect(fromNow('2026-11-22T11:00:00Z', now)).toBe('2 days ago');
    expect(fromNow('2026-11-24T11:59:00Z', now)).toBe('1 minute ago');
  });

  it('reads seconds as now', () => {
    expect(fromNow('2026-11-24T12:00:20Z', now)).toBe('now');
  });
});

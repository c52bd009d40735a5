import { expiresIn, relativeTime } from './timeFromNow';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');

describe('expiresIn', () => {
  it.each([
    [null, 'never'],
    ['not a time', 'unknown'],
    ['2026-11-24T11:00:00.000Z', 'expired'],
    ['2026-11-24T12:00:00.000Z', 'expired'],
    ['2026-11-24T12:30:00.000Z', 'in 30 minutes'],
    ['2026-11-24T17:00:00.000Z', 'in 5 hours'],
    ['2026-11-27T12:00:00.000Z', 'in 3 days'],
  ])('%s expires %s', (at, expected) => {
    expect(expiresIn(at, NOW)).toBe(expected);
  });
});

describe('relativeTime', () => {
  it('uses the largest unit that fits, in both directions', () => {
    expect(relativeTime('2026-11-24T15:00:00Z', NOW)).toBe('in 3 hours');
    expect(relativeTime('2026-11-24T09:00:00Z', NOW)).toBe('3 hours ago');
    expect(relativeTime('2026-11-21T12:00:00.000Z', NOW)).toBe('3 days ago');
    expect(relativeTime('2026-11-22T11:00:00Z', NOW)).toBe('2 days ago');
    expect(relativeTime('2026-11-24T11:59:00Z', NOW)).toBe('1 minute ago');
  });

  it('counts whole units only', () => {
    // 23 h 59 min away is not yet a day away.
    expect(relativeTime('2026-11-25T11:59:00Z', NOW)).toBe('in 23 hours');
    expect(relativeTime('2026-11-25T12:00:00Z', NOW)).toBe('tomorrow');
  });

  it('reads seconds as now', () => {
    expect(relativeTime('2026-11-24T12:00:20Z', NOW)).toBe('now');
    expect(relativeTime('2026-11-24T11:59:40Z', NOW)).toBe('now');
  });

  it('has nothing to tell without a time', () => {
    expect(relativeTime(null, NOW)).toBeUndefined();
    expect(relativeTime(undefined, NOW)).toBeUndefined();
    expect(relativeTime('', NOW)).toBeUndefined();
    expect(relativeTime('not a time', NOW)).toBeUndefined();
  });
});

import { expiresIn, fromNow, timeAgo } from './timeLeft';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');

describe('expiresIn', () => {
  it.each([
    [null, 'never'],
    ['2026-11-24T11:00:00.000Z', 'expired'],
    ['2026-11-24T12:30:00.000Z', 'in 30 minutes'],
    ['2026-11-24T17:00:00.000Z', 'in 5 hours'],
    ['2026-11-27T12:00:00.000Z', 'in 3 days'],
  ])('%s expires %s', (at, expected) => {
    expect(expiresIn(at, NOW)).toBe(expected);
  });
});

describe('timeAgo', () => {
  it('says how long ago', () => {
    expect(timeAgo('2026-11-21T12:00:00.000Z', NOW)).toBe('3 days ago');
    expect(timeAgo(null, NOW)).toBeUndefined();
    expect(timeAgo('not a time', NOW)).toBeUndefined();
  });
});

describe('fromNow', () => {
  it('uses the largest unit that fits, in both directions', () => {
    expect(fromNow('2026-11-24T15:00:00Z', NOW)).toBe('in 3 hours');
    expect(fromNow('2026-11-22T11:00:00Z', NOW)).toBe('2 days ago');
    expect(fromNow('2026-11-24T11:59:00Z', NOW)).toBe('1 minute ago');
  });

  it('reads seconds as now', () => {
    expect(fromNow('2026-11-24T12:00:20Z', NOW)).toBe('now');
  });
});

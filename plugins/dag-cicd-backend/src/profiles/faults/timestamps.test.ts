import fc from 'fast-check';
import { isTimestampName, shiftTimestamp } from './timestamps';

const DAY = 86_400_000;

describe('isTimestampName', () => {
  it.each(['ts', 'timestamp', 'event_time', 'created_at', 'UPDATED_AT', 'TS'])(
    'reads %s as a timestamp',
    name => expect(isTimestampName(name)).toBe(true),
  );

  it.each(['id', 'at', '_at_x', 'timestamps', 'event_timestamp_ms', 'date'])(
    'does not read %s as one',
    name => expect(isTimestampName(name)).toBe(false),
  );
});

describe('shiftTimestamp', () => {
  it.each([
    ['2026-11-24T10:00:00Z', '2026-11-21T10:00:00Z'],
    ['2026-11-24T10:00:00.123Z', '2026-11-21T10:00:00.123Z'],
    ['2026-11-24T10:00:00.123456+02:00', '2026-11-21T10:00:00.123456+02:00'],
    ['2026-11-24 10:00:00', '2026-11-21 10:00:00'],
    ['2026-11-24T10:00', '2026-11-21T10:00'],
    ['2026-03-02T01:00:00-0500', '2026-02-27T01:00:00-0500'],
    ['2024-03-02', '2024-02-28'],
    ['2026-01-02T00:00:00,5Z', '2025-12-30T00:00:00,5Z'],
  ])('moves ISO 8601 %s back 3 days, as written: %s', (from, to) => {
    expect(shiftTimestamp(from, 3 * DAY)).toBe(to);
  });

  it('adds the precision a shift needs, and no more', () => {
    expect(shiftTimestamp('2026-11-24T10:00', 1500)).toBe(
      '2026-11-24T09:59:58.5',
    );
    expect(shiftTimestamp('2026-11-24T10:00:00.5Z', 250)).toBe(
      '2026-11-24T10:00:00.25Z',
    );
    expect(shiftTimestamp('2026-11-24', 3_600_000)).toBe('2026-11-23');
  });

  it.each([
    ['1700000000', '1699740800'],
    ['1700000000.25', '1699740800.25'],
    ['1700000000000', '1699740800000'],
    ['1700000000000000', '1699740800000000'],
    ['1700000000000000000', '1699740800000000000'],
  ])('moves epoch %s back 3 days in its own unit: %s', (from, to) => {
    expect(shiftTimestamp(from, 3 * DAY)).toBe(to);
  });

  it('gives epoch seconds the decimals a shift needs', () => {
    expect(shiftTimestamp('1700000000', 1500)).toBe('1699999998.5');
  });

  it.each([
    '',
    'yesterday',
    '2026-02-30',
    '2026-13-01',
    '2026-11-24T24:00:00Z',
    '2026-11-24T10:60',
    '2026-11-24 10:00:60+01:00',
    '2025-02-29',
    '12:00',
    '1e9',
    'NaN',
  ])('leaves %j alone: not a timestamp', text =>
    expect(shiftTimestamp(text, DAY)).toBeUndefined(),
  );

  it('moves only the date by whole days, whatever the time is written like (property)', () => {
    const pad = (value: number, digits = 2) =>
      String(value).padStart(digits, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }),
        fc.integer({ min: 1, max: 1000 * 365 }),
        fc.constantFrom('T', 't', ' '),
        fc.constantFrom('', ':07', ':07.5', ':07,25', ':07.123', ':07.000100'),
        fc.constantFrom('', 'Z', 'z', '+02:00', '-0530', '+01'),
        (at, days, separator, seconds, zone) => {
          const date = new Date(at);
          const time = `${separator}${pad(date.getUTCHours())}:${pad(
            date.getUTCMinutes(),
          )}${seconds}${zone}`;
          const moved = new Date(at - days * DAY);
          const year = moved.getUTCFullYear();
          expect(
            shiftTimestamp(
              `${date.toISOString().slice(0, 10)}${time}`,
              days * DAY,
            ),
          ).toBe(
            year >= 0
              ? `${pad(year, 4)}-${pad(moved.getUTCMonth() + 1)}-${pad(
                  moved.getUTCDate(),
                )}${time}`
              : undefined,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('moves an instant as the Date API does, whatever the date and shift (property)', () => {
    // toISOString's own shape: the calendar arithmetic must agree with
    // JavaScript's (proleptic Gregorian, leap years, day and year ends).
    const year0 = Date.UTC(0, 0, 1) - 1900 * 365.2425 * DAY;
    fc.assert(
      fc.property(
        fc.integer({ min: Math.ceil(year0), max: Date.UTC(9999, 11, 31) }),
        fc.integer({ min: 1, max: 500 * 365 * DAY }),
        (at, byMs) => {
          const from = new Date(at).toISOString();
          const moved = new Date(at - byMs);
          const year = moved.getUTCFullYear();
          expect(shiftTimestamp(from, byMs)).toBe(
            year >= 0 && year <= 9999 ? moved.toISOString() : undefined,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

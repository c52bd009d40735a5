import { validateFaultRates } from './FaultRates';
import { formatOf } from './formats';

describe('validateFaultRates', () => {
  it('accepts rates from 0 to 1 and returns a copy of them', () => {
    const input = { nulls: 0.01, empty: 1, drift: 0 };
    const rates = validateFaultRates(input);
    expect(rates).toEqual(input);
    expect(rates).not.toBe(input);
    expect(validateFaultRates({})).toEqual({});
  });

  it.each([
    [{ nulls: 1.5 }, 'chaos.nulls must be a probability from 0 to 1, got 1.5'],
    [{ late: -0.1 }, 'chaos.late must be a probability from 0 to 1, got -0.1'],
    [
      { drift: '0.1' },
      'chaos.drift must be a probability from 0 to 1, got "0.1"',
    ],
    [{ empty: NaN }, 'chaos.empty must be a probability from 0 to 1, got NaN'],
    [
      { truncated: null },
      'chaos.truncated must be a probability from 0 to 1, got null',
    ],
    [
      { nul: 0.1 },
      'chaos.nul is not a fault; use one of nulls, malformed, duplicates, late, outOfOrder, drift, truncated, empty',
    ],
    [{ 'out of order': 0.1 }, 'chaos["out of order"] is not a fault'],
    [JSON.parse('{"__proto__": 0.1}'), 'chaos.__proto__ is not a fault'],
  ])('refuses %j, naming the key', (value, message) => {
    expect(() => validateFaultRates(value)).toThrow(message);
  });

  it.each([null, [0.1], 'nulls', 0.1, undefined])(
    'refuses %j: not an object of rates',
    value => {
      expect(() => validateFaultRates(value, 'dagCicd.chaos')).toThrow(
        /^dagCicd\.chaos must be an object of fault rates/,
      );
    },
  );

  it('throws InputError', () => {
    expect(() => validateFaultRates({ nulls: 2 })).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });
});

describe('formatOf', () => {
  it.each([
    ['events/part-0.csv', 'csv'],
    ['events/PART-0.CSV', 'csv'],
    ['dt=2026-11-24/part-0.jsonl', 'jsonl'],
    ['logs.ndjson', 'jsonl'],
    ['logs.NDJSON', 'jsonl'],
  ])('reads %s as %s', (key, format) => {
    expect(formatOf(key)).toBe(format);
  });

  it.each([
    'events/part-0.parquet',
    'events/part-0.csv.gz',
    '_SUCCESS',
    'csv',
    'a.csv/part',
    '.csv/x',
  ])('has no format for %s: copied untouched', key =>
    expect(formatOf(key)).toBeUndefined(),
  );
});

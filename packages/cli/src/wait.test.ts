import { ExitCode } from './exitCodes';
import { parseTimeout } from './wait';

describe('parseTimeout', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
  ])('reads %s', (value, ms) => {
    expect(parseTimeout(value)).toBe(ms);
  });

  it.each(['0', '-5m', '1.5h', '10 minutes', ''])(
    'refuses "%s" with exit code 2',
    value => {
      expect(() => parseTimeout(value)).toThrow(
        expect.objectContaining({ exitCode: ExitCode.usage }),
      );
    },
  );
});

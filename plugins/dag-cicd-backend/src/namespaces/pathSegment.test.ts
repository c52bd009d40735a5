import { InputError } from '@backstage/errors';
import { assertKeySegment, assertPathSegment } from './pathSegment';

describe('assertPathSegment', () => {
  it.each(['default', 'orders_daily', 'ci_ab12cd3', 'etl.v2', 'A-1', 'x'])(
    'accepts the name %j',
    name => {
      expect(assertPathSegment('name', name)).toBe(name);
    },
  );

  it('accepts 128 characters and no more', () => {
    expect(assertPathSegment('name', 'a'.repeat(128))).toHaveLength(128);
    expect(() => assertPathSegment('name', 'a'.repeat(129))).toThrow(
      /longer than 128 characters/,
    );
  });

  it('names the field and the value in the error', () => {
    expect(() => assertPathSegment('name', 'ci/../x')).toThrow(InputError);
    expect(() => assertPathSegment('name', 'ci/../x')).toThrow(
      'name "ci/../x" is not a valid path segment: it contains a path separator',
    );
  });

  it.each([
    ['empty', '', /it is empty/],
    ['the current folder', '.', /relative path/],
    ['the parent folder', '..', /relative path/],
    ['a traversal', '../etc', /path separator/],
    ['an absolute path', '/etc/passwd', /path separator/],
    ['a file URI', 'file:///etc', /path separator/],
    ['a backslash', '..\\windows', /path separator/],
    ['an encoded slash', 'a%2Fb', /percent-encoding/],
    ['encoded dots', '%2e%2e', /percent-encoding/],
    ['an encoded backslash', '%5c', /percent-encoding/],
    ['a fullwidth solidus', 'a\uff0f..', /only ASCII/],
    ['one-dot leaders', '\u2024\u2024', /only ASCII/],
    ['a Cyrillic look-alike', 'or\u0434ers', /only ASCII/],
    ['a trailing dot that Windows drops', 'ci_1.', /ends with a dot/],
    ['only dots', '...', /ends with a dot/],
    ['a leading dot (hidden file)', '.ci_1', /must match/],
    ['a leading dash (an option to a CLI)', '-rf', /must match/],
    ['a space', 'ci 1', /must match/],
    ['a NUL byte', 'ci\u0000', /must match/],
    ['a colon', 'c:', /must match/],
  ])('rejects %s', (_, value, message) => {
    expect(() => assertPathSegment('name', value)).toThrow(InputError);
    expect(() => assertPathSegment('name', value)).toThrow(message);
  });
});

describe('assertKeySegment', () => {
  it.each(['_SUCCESS', '_manifests', 'dt=2026-11-24', 'part-0.csv', 'a+b'])(
    'accepts the key segment %j that data lakes use',
    segment => {
      expect(assertKeySegment('path', segment)).toBe(segment);
    },
  );

  it.each(['', '.', '..', 'a%2fb', 'a\\b', '\uff0e\uff0e', 'x.', '=x'])(
    'rejects %j like a name',
    segment => {
      expect(() => assertKeySegment('path', segment)).toThrow(InputError);
    },
  );
});

import { InputError } from '@backstage/errors';
import { dagCicdConfSchema } from '@dag-cicd/plugin-dag-cicd-common';
import fc from 'fast-check';
import { assertPathSegment } from '../namespaces/pathSegment';
import {
  InputProfile,
  formatInputProfile,
  parseInputProfile,
} from './InputProfile';

const schemaPattern = new RegExp(dagCicdConfSchema.properties.profile.pattern);

const profile: fc.Arbitrary<InputProfile> = fc.oneof(
  fc.constantFrom<InputProfile>(
    { kind: 'empty' },
    { kind: 'production-readonly' },
    { kind: 'sample' },
    { kind: 'chaos' },
  ),
  fc
    .stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,61}[A-Za-z0-9_-]$/)
    .map(set => ({ kind: 'fixtures' as const, set })),
  fc
    .stringMatching(/^[a-z][a-z0-9_-]{0,62}$/)
    .map(environment => ({ kind: 'from' as const, environment })),
);

// Profile-shaped strings with one thing wrong, plus arbitrary text.
const candidate = fc.oneof(
  profile.map(formatInputProfile),
  fc
    .tuple(
      fc.constantFrom('', ' ', 'fixtures:', 'from:', 'FROM:', 'sample'),
      fc.constantFrom('', 'x', 'Ci_1', '../x', 'a/b', 'a.', '%2e', '\n', ' '),
      fc.constantFrom('', '.', ':x', '\n', '\u0000', 'a'.repeat(63)),
    )
    .map(parts => parts.join('')),
  fc.string({ maxLength: 80 }),
);

function parses(value: string): InputProfile | undefined {
  try {
    return parseInputProfile(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return undefined;
  }
}

describe('parseInputProfile', () => {
  it.each<[string, InputProfile]>([
    ['empty', { kind: 'empty' }],
    ['production-readonly', { kind: 'production-readonly' }],
    ['sample', { kind: 'sample' }],
    ['chaos', { kind: 'chaos' }],
    ['fixtures:small', { kind: 'fixtures', set: 'small' }],
    ['fixtures:Errors_v2.1-b', { kind: 'fixtures', set: 'Errors_v2.1-b' }],
    ['from:ci_ab12cd3', { kind: 'from', environment: 'ci_ab12cd3' }],
    ['from:staging', { kind: 'from', environment: 'staging' }],
  ])('parses %j', (value, expected) => {
    expect(parseInputProfile(value)).toEqual(expected);
    expect(formatInputProfile(expected)).toBe(value);
  });

  it.each([
    '',
    'Sample',
    ' empty',
    'empty ',
    'empty\n',
    'production',
    'fixtures',
    'fixtures:',
    'fixtures:../big',
    'fixtures:a/b',
    'fixtures:_small',
    `fixtures:${'a'.repeat(64)}`,
    'from:',
    'from:Staging',
    'from:ci/../prod',
    'from:1ci',
    'from:ci_1:x',
  ])('rejects %j, naming the valid forms', value => {
    expect(() => parseInputProfile(value)).toThrow(InputError);
    expect(() => parseInputProfile(value)).toThrow(
      /^profile .* is not valid; use "empty", "production-readonly", "sample", "chaos", "fixtures:<set>" .* or "from:<environment>"/,
    );
  });

  it('rejects a fixture set the schema allows but a folder name cannot be', () => {
    expect(schemaPattern.test('fixtures:small.')).toBe(true);
    expect(() => parseInputProfile('fixtures:small.')).toThrow(
      'fixture set "small." is not a valid path segment: it ends with a dot',
    );
  });

  it('rejects what is not a string', () => {
    expect(() => parseInputProfile(undefined as unknown as string)).toThrow(
      InputError,
    );
  });

  it('accepts exactly what the contract schema accepts, with names that are path segments', () => {
    fc.assert(
      fc.property(candidate, value => {
        const parsed = parses(value);
        const name = /^(?:fixtures|from):(.*)$/s.exec(value)?.[1];
        const segment = name === undefined || !name.endsWith('.');
        expect(parsed !== undefined).toBe(schemaPattern.test(value) && segment);
        if (parsed) {
          expect(formatInputProfile(parsed)).toBe(value);
          if (parsed.kind === 'fixtures') assertPathSegment('set', parsed.set);
          if (parsed.kind === 'from') {
            assertPathSegment('environment', parsed.environment);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is the inverse of formatInputProfile', () => {
    fc.assert(
      fc.property(profile, p => {
        expect(parseInputProfile(formatInputProfile(p))).toEqual(p);
      }),
    );
  });
});

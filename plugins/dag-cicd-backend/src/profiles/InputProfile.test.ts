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

/** The profile, or the error; so that a property asserts without branching. */
function attempt(value: string): InputProfile | Error {
  try {
    return parseInputProfile(value);
  } catch (error) {
    return error as Error;
  }
}

/** The name in a profile that becomes a folder, if any. */
function nameOf(p: InputProfile): string | undefined {
  if (p.kind === 'fixtures') return p.set;
  return p.kind === 'from' ? p.environment : undefined;
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
        const result = attempt(value);
        const name = /^(?:fixtures|from):(.*)$/s.exec(value)?.[1];
        const segment = name === undefined || !name.endsWith('.');
        const accepted = !(result instanceof Error);
        expect(accepted).toBe(schemaPattern.test(value) && segment);
        // Refused with an InputError; accepted, it formats back to itself
        // and its name is a path segment.
        expect(accepted || result instanceof InputError).toBe(true);
        expect(accepted ? formatInputProfile(result) : value).toBe(value);
        const folder = accepted ? nameOf(result) : undefined;
        expect(() => folder && assertPathSegment('name', folder)).not.toThrow();
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

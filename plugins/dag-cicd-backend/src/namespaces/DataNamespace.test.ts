import { InputError, NotAllowedError } from '@backstage/errors';
import fc from 'fast-check';
import {
  assertWritable,
  environmentNamespace,
  isNormalised,
  isWithin,
  resolveWithin,
} from './DataNamespace';

const root = 's3://lake/dag-cicd/';
const ci1 = 's3://lake/dag-cicd/default/orders/ci_1/';
const production = 's3://lake/prod/orders/';

// Strings built from the pieces that path attacks are made of, so that
// fast-check spends its runs on hostile input rather than on random letters.
const hostilePieces = [
  '..',
  '.',
  '/',
  '//',
  '\\',
  '%2f',
  '%2F',
  '%2e',
  '%2E%2E',
  '%5c',
  '%25',
  '\uff0f', // fullwidth solidus
  '\uff0e', // fullwidth full stop
  '\u2024', // one dot leader
  '\u2215', // division slash
  '\u0000',
  '\u0085', // next line, a C1 control
  '\u2028', // line separator
  '\u2029', // paragraph separator
  '?',
  '#',
  ':',
  'file://',
  '/etc/passwd',
  'C:\\',
  'a',
  'ci_1',
  'ci_10',
  '_x',
  ' ',
];
const hostileString = fc.oneof(
  fc
    .array(fc.constantFrom(...hostilePieces), { maxLength: 8 })
    .map(parts => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 140 }),
);
/** Runs fn, telling a value from a thrown error, so properties can return booleans. */
function attempt<T>(fn: () => T): { value: T } | { error: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

const validName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/);

describe('environmentNamespace', () => {
  it('is <root>/<entity namespace>/<dag id>/<env name>/', () => {
    expect(
      environmentNamespace({
        root: 'file:///var/data/dag-cicd/',
        entityNamespace: 'default',
        dagId: 'orders_daily',
        environment: 'ci_ab12cd3',
      }),
    ).toBe('file:///var/data/dag-cicd/default/orders_daily/ci_ab12cd3/');
    expect(
      environmentNamespace({
        root,
        entityNamespace: 'default',
        dagId: 'orders',
        environment: 'staging',
      }),
    ).toBe('s3://lake/dag-cicd/default/orders/staging/');
  });

  it('names the field that is not a valid segment', () => {
    const build = (environment: string) => () =>
      environmentNamespace({
        root,
        entityNamespace: 'default',
        dagId: 'orders',
        environment,
      });
    expect(build('ci/../x')).toThrow(
      'environment "ci/../x" is not a valid path segment',
    );
    expect(() =>
      environmentNamespace({
        root,
        entityNamespace: 'default',
        dagId: '..',
        environment: 'ci_1',
      }),
    ).toThrow(/^dag id "\.\." is not a valid path segment/);
  });

  it.each([
    ['without a trailing slash', 's3://lake/dag-cicd'],
    ['without a scheme', '/var/data/'],
    ['with a parent segment', 's3://lake/dag-cicd/../'],
    ['with an empty segment', 'file:///var//data/'],
    ['with an encoded slash', 's3://lake/a%2fb/'],
  ])('refuses a root %s', (_, badRoot) => {
    expect(() =>
      environmentNamespace({
        root: badRoot,
        entityNamespace: 'default',
        dagId: 'orders',
        environment: 'ci_1',
      }),
    ).toThrow(InputError);
  });

  it('either refuses arbitrary names or returns a namespace within the root', () => {
    expect(() =>
      fc.assert(
        fc.property(
          fc.oneof(validName, hostileString),
          fc.oneof(validName, hostileString),
          fc.oneof(validName, hostileString),
          (entityNamespace, dagId, environment) => {
            const result = attempt(() =>
              environmentNamespace({
                root,
                entityNamespace,
                dagId,
                environment,
              }),
            );
            if ('error' in result) {
              return result.error instanceof InputError;
            }
            const namespace = result.value;
            return (
              isWithin(root, namespace) &&
              namespace ===
                `${root}${entityNamespace}/${dagId}/${environment}/` &&
              // Exactly three segments below the root: no name hides a separator.
              namespace.slice(root.length).split('/').length === 4
            );
          },
        ),
        { numRuns: 2000 },
      ),
    ).not.toThrow();
  });

  it('gives different names different namespaces, none inside another', () => {
    fc.assert(
      fc.property(validName, validName, (a, b) => {
        fc.pre(a !== b);
        const ns = (environment: string) =>
          environmentNamespace({
            root,
            entityNamespace: 'default',
            dagId: 'orders',
            environment,
          });
        expect(isWithin(ns(a), ns(b))).toBe(false);
        expect(isWithin(ns(b), ns(a))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('isWithin', () => {
  it('holds for the prefix itself and anything under it', () => {
    expect(isWithin(ci1, ci1)).toBe(true);
    expect(isWithin(ci1, `${ci1}out/part-0.csv`)).toBe(true);
    expect(isWithin(ci1, `${ci1}out/`)).toBe(true);
    expect(isWithin(root, ci1)).toBe(true);
  });

  it('matches on a "/" boundary only: ci_1 does not contain ci_10', () => {
    expect(isWithin(ci1, 's3://lake/dag-cicd/default/orders/ci_10/x')).toBe(
      false,
    );
    expect(isWithin(ci1, 's3://lake/dag-cicd/default/orders/ci_1')).toBe(false);
  });

  it('requires the prefix to be a normalised prefix ending in "/"', () => {
    expect(isWithin('s3://lake/dag-cicd/default/orders/ci_1', ci1)).toBe(false);
    expect(isWithin('s3://lake/../', 's3://lake/../x')).toBe(false);
    expect(isWithin('', 's3://lake/x')).toBe(false);
  });

  it.each([
    ['a parent segment', `${ci1}../ci_2/x`],
    ['a parent segment at the end', `${ci1}..`],
    ['a current-folder segment', `${ci1}./x`],
    ['an empty segment', `${ci1}a//x`],
    ['a parent segment with a trailing space', `${ci1}.. `],
    ['a parent segment with trailing dots', `${ci1}..../x`],
    ['leading whitespace', ` ${ci1}x`],
    ['an encoded slash', `${ci1}..%2Fci_2/x`],
    ['an encoded slash, lower case', `${ci1}..%2fci_2/x`],
    ['encoded dots', `${ci1}%2e%2e/ci_2/x`],
    ['an encoded backslash', `${ci1}..%5cci_2`],
    ['a double-encoded slash', `${ci1}..%252f`],
    ['a backslash', `${ci1}..\\..\\x`],
    ['a fullwidth solidus', `${ci1}..\uff0f..\uff0fx`],
    ['one-dot leaders', `${ci1}\u2024\u2024/x`],
    ['a query', `${ci1}x?../../y`],
    ['a fragment', `${ci1}x#/../y`],
    ['a NUL byte', `${ci1}x\u0000`],
    ['a C1 control (next line)', `${ci1}x\u0085y`],
    ['another scheme', 'file:///etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['the root itself', root],
    [
      'a sibling with a longer name',
      's3://lake/dag-cicd/default/orders/ci_10/',
    ],
    ['another bucket', 's3://lake2/dag-cicd/default/orders/ci_1/x'],
  ])('refuses %s', (_, uri) => {
    expect(isWithin(ci1, uri)).toBe(false);
  });

  it('never holds for a URI that climbs out of the prefix with "../"', () => {
    fc.assert(
      fc.property(
        fc.array(validName, { maxLength: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('..', '%2e%2e', '%2E%2E', '.%2e', '\u2024\u2024'),
        fc.constantFrom('/', '%2f', '%2F', '\\', '\uff0f'),
        fc.array(validName, { maxLength: 3 }),
        (down, ups, dots, slash, tail) => {
          const uri =
            ci1 +
            down.map(s => `${s}/`).join('') +
            `${dots}${slash}`.repeat(ups) +
            tail.join('/');
          expect(isWithin(ci1, uri)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is exactly "a normalised prefix, and a normalised URI starting with it" (property)', () => {
    // isWithin checks only what follows the prefix; this holds it to the
    // whole-URI rules, combining marks and compatibility characters right
    // after the prefix's "/" included.
    const prefixes = [
      ci1,
      root,
      'file:///var/data/é/',
      'file:///d/\u00e9t\u00e9/',
    ];
    const tail = fc.oneof(
      hostileString,
      fc
        .array(
          fc.constantFrom(
            ...hostilePieces,
            '\u0301', // combining acute accent
            '\u0338', // combining long solidus overlay
            'e\u0301',
            '\u00e9',
            '\ufb01', // the fi ligature: NFKC makes it "fi"
            '. ',
            ' .',
          ),
          { maxLength: 6 },
        )
        .map(parts => parts.join('')),
    );
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), tail, (prefix, rest) => {
        const uri = `${prefix}${rest}`;
        expect(isWithin(prefix, uri)).toBe(isNormalised(uri));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with URL resolution for whatever it accepts', () => {
    // Whatever isWithin lets through, a standard URL parser (which resolves
    // dot segments, also encoded ones) places under the prefix too: there is
    // no spelling the two read differently.
    const base = new URL(ci1);
    expect(() =>
      fc.assert(
        fc.property(hostileString, tail => {
          const uri = `${ci1}${tail}`;
          if (!isWithin(ci1, uri)) {
            return true;
          }
          const parsed = new URL(uri);
          return (
            parsed.host === base.host &&
            parsed.pathname.startsWith(base.pathname)
          );
        }),
        { numRuns: 2000 },
      ),
    ).not.toThrow();
  });
});

describe('resolveWithin', () => {
  it('resolves a relative key or sub-prefix under the prefix', () => {
    expect(resolveWithin(ci1, 'events/dt=2026-11-24/part-0.csv')).toBe(
      `${ci1}events/dt=2026-11-24/part-0.csv`,
    );
    expect(resolveWithin(ci1, '_manifests/')).toBe(`${ci1}_manifests/`);
  });

  it.each([
    ['empty', ''],
    ['a parent segment', '../ci_2/x'],
    ['a parent segment in the middle', 'a/../../x'],
    ['a current-folder segment', './x'],
    ['an empty segment', 'a//x'],
    ['only a slash', '/'],
    ['an absolute path', '/etc/passwd'],
    ['a file URI', 'file:///etc'],
    ['an s3 URI', 's3://other/x'],
    ['an encoded slash', '..%2Fci_2'],
    ['encoded dots', '%2e%2e/x'],
    ['a backslash', '..\\x'],
    ['a Windows path', 'C:\\Windows'],
    ['a fullwidth solidus', '..\uff0fx'],
    ['one-dot leaders', '\u2024\u2024/x'],
    ['a trailing-dot alias', 'out./x'],
    ['an over-long segment', 'a'.repeat(256)],
  ])('refuses %s', (_, path) => {
    expect(() => resolveWithin(ci1, path)).toThrow(InputError);
  });

  it('either refuses an arbitrary path or returns a URI within the prefix', () => {
    expect(() =>
      fc.assert(
        fc.property(
          fc.oneof(
            hostileString,
            fc
              .array(fc.oneof(validName, hostileString), { maxLength: 5 })
              .map(segments => segments.join('/')),
          ),
          path => {
            const result = attempt(() => resolveWithin(ci1, path));
            if ('error' in result) {
              return result.error instanceof InputError;
            }
            return (
              isWithin(ci1, result.value) &&
              isWithin(root, result.value) &&
              result.value === `${ci1}${path}`
            );
          },
        ),
        { numRuns: 2000 },
      ),
    ).not.toThrow();
  });
});

describe('assertWritable', () => {
  it('allows a write inside the namespace', () => {
    expect(() =>
      assertWritable(ci1, `${ci1}out/part-0.csv`, production),
    ).not.toThrow();
  });

  it.each([
    ['a sibling environment', 's3://lake/dag-cicd/default/orders/ci_10/x'],
    ['a parent escape', `${ci1}../ci_2/x`],
    ['production', `${production}events/part-0.csv`],
    ['another store', 'file:///etc/passwd'],
  ])('refuses a write to %s', (_, uri) => {
    expect(() => assertWritable(ci1, uri, production)).toThrow(NotAllowedError);
  });

  it('refuses production even when the namespace overlaps it', () => {
    // A store root configured under the production prefix: the environment's
    // namespace is inside production, and must still never write there.
    const overlapping = 's3://lake/prod/orders/dag-cicd/default/orders/ci_1/';
    expect(() =>
      assertWritable(overlapping, `${overlapping}x`, production),
    ).toThrow(/within the production prefix/);
    // The other way round: a namespace that contains production.
    expect(() =>
      assertWritable('s3://lake/', `${production}x`, production),
    ).toThrow(/within the production prefix/);
  });

  it('lets production write to its own prefix', () => {
    expect(() =>
      assertWritable(production, `${production}x`, production),
    ).not.toThrow();
  });

  it('refuses when the production prefix is not normalised, rather than guessing', () => {
    expect(() =>
      assertWritable(ci1, `${ci1}x`, 's3://lake/prod/../orders/'),
    ).toThrow(InputError);
  });
});

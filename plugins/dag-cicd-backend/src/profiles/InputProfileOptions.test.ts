import { InputError } from '@backstage/errors';
import fc from 'fast-check';
import { resolveProfileOptions } from './InputProfileOptions';
import { SampleLimits } from './sampleLimits';

const configured = {
  sample: { maxObjects: 100, maxBytes: 1024, rowFraction: 0.5 },
  chaos: { nulls: 0.1 },
};

function attempt(sample: unknown) {
  try {
    return resolveProfileOptions({ kind: 'sample' }, { sample }, configured);
  } catch (error) {
    return error as Error;
  }
}

function withinConfigured(limits: SampleLimits): boolean {
  const { maxObjects, maxBytes, rowFraction } = limits;
  return (
    maxObjects <= 100 &&
    maxBytes <= 1024 &&
    rowFraction > 0 &&
    rowFraction <= 0.5
  );
}

describe('resolveProfileOptions', () => {
  it('fills what a request leaves out from configuration', () => {
    expect(resolveProfileOptions({ kind: 'sample' }, {}, configured)).toEqual({
      options: {},
      ...configured,
    });
    // An empty set of sample options is no option at all.
    expect(
      resolveProfileOptions({ kind: 'sample' }, { sample: {} }, configured),
    ).toEqual({ options: {}, ...configured });
  });

  it('normalises the options: fixed key order, only what was given', () => {
    const resolved = resolveProfileOptions(
      { kind: 'chaos' },
      {
        sample: { rowFraction: 0.25, maxObjects: 3 },
        chaos: { drift: 0.5, late: undefined },
      },
      configured,
    );
    expect(JSON.stringify(resolved.options)).toBe(
      '{"sample":{"maxObjects":3,"rowFraction":0.25},"chaos":{"drift":0.5}}',
    );
    expect(resolved.sample).toEqual({
      maxObjects: 3,
      maxBytes: 1024,
      rowFraction: 0.25,
    });
    // The request's rates replace the configured ones.
    expect(resolved.chaos).toEqual({ drift: 0.5 });
  });

  it('never lets a request loosen a configured bound', () => {
    const limit = fc.oneof(
      fc.integer({ min: -5, max: 2000 }),
      fc.double({ noNaN: false }),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(
        fc.record({ maxObjects: limit, maxBytes: limit, rowFraction: limit }),
        sample => {
          const result = attempt(sample);
          // Refused, saying why, or within every configured bound.
          expect(
            result instanceof Error
              ? result instanceof InputError
              : withinConfigured(result.sample),
          ).toBe(true);
        },
      ),
    );
  });

  it.each([
    [{ kind: 'empty' as const }, { sample: {} }, /^sample: only the sample/],
    [
      { kind: 'fixtures' as const, set: 'small' },
      { sample: { maxObjects: 1 } },
      /not profile fixtures:small/,
    ],
    [{ kind: 'sample' as const }, { chaos: {} }, /^chaos: only the chaos/],
    [{ kind: 'sample' as const }, { sample: [1] }, /^sample must be an object/],
    [{ kind: 'chaos' as const }, { chaos: 'lots' }, /^chaos must be an object/],
  ])(
    'refuses options that do not fit profile %j',
    (profile, given, message) => {
      expect(() => resolveProfileOptions(profile, given, configured)).toThrow(
        message,
      );
    },
  );
});

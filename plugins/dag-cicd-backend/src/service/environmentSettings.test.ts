import { mockServices } from '@backstage/backend-test-utils';
import { readEnvironmentSettings } from './environmentSettings';

function read(environments: object) {
  return readEnvironmentSettings(
    mockServices.rootConfig({ data: { dagCicd: { environments } } }),
  );
}

describe('readEnvironmentSettings', () => {
  it('has defaults for every setting', () => {
    expect(read({})).toEqual({
      defaultProfile: 'empty',
      defaultTtlMs: 3 * 86_400_000,
      maxTtlMs: 30 * 86_400_000,
      sample: { maxObjects: 1000, maxBytes: 1024 ** 3, rowFraction: 1 },
      chaos: {},
      teardownFrequency: { minutes: 10 },
    });
  });

  it('reads the sample limits and fault rates, numbers written as strings too', () => {
    // As written by ${ENV_VAR} substitution.
    const settings = read({
      sample: { maxObjects: 0, maxBytes: '2048', rowFraction: 0.25 },
      chaos: { nulls: 0.1, late: '1', empty: 0 },
    });
    expect(settings.sample).toEqual({
      maxObjects: 0,
      maxBytes: 2048,
      rowFraction: 0.25,
    });
    expect(settings.chaos).toEqual({ nulls: 0.1, late: 1, empty: 0 });
  });

  it.each<[string, object, RegExp]>([
    [
      'a negative object count',
      { sample: { maxObjects: -1 } },
      /^dagCicd\.environments\.sample\.maxObjects must be a whole number of at least 0; got -1$/,
    ],
    [
      'a fractional byte count',
      { sample: { maxBytes: 1.5 } },
      /^dagCicd\.environments\.sample\.maxBytes must be a whole number of at least 0; got 1.5$/,
    ],
    [
      'a row fraction of 0',
      { sample: { rowFraction: 0 } },
      /^dagCicd\.environments\.sample\.rowFraction must be more than 0 and at most 1; got 0$/,
    ],
    [
      'a row fraction above 1',
      { sample: { rowFraction: 1.5 } },
      /^dagCicd\.environments\.sample\.rowFraction must be more than 0 and at most 1; got 1.5$/,
    ],
    [
      'a limit that is no number',
      { sample: { maxObjects: 'many' } },
      /'dagCicd\.environments\.sample\.maxObjects'.* to a number$/,
    ],
    [
      'a rate above 1',
      { chaos: { nulls: 2 } },
      /^dagCicd\.environments\.chaos\.nulls must be a probability from 0 to 1, got 2$/,
    ],
    [
      'a negative rate',
      { chaos: { late: -0.1 } },
      /^dagCicd\.environments\.chaos\.late must be a probability from 0 to 1, got -0.1$/,
    ],
    [
      'an unknown fault',
      { chaos: { typos: 0.1 } },
      /^dagCicd\.environments\.chaos\.typos is not a fault; use one of nulls, malformed, /,
    ],
    [
      'a rate that is no number',
      { chaos: { nulls: 'often' } },
      /'dagCicd\.environments\.chaos\.nulls'.* to a number$/,
    ],
    [
      'rates that are no object',
      { chaos: 0.1 },
      /'dagCicd\.environments\.chaos'.*wanted object/,
    ],
  ])(
    'fails at startup on %s, naming the key',
    (_case, environments, message) => {
      expect(() => read(environments)).toThrow(message);
    },
  );
});

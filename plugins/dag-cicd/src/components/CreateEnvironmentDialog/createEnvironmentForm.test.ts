import {
  emptyForm,
  isFaultRate,
  fieldOfServerError,
  parseKeyValueLines,
  readCommitInput,
  toCreateRequest,
} from './createEnvironmentForm';

const ENTITY = 'component:default/orders';
const SHA = 'AB12CD3'.padEnd(40, '0');

describe('toCreateRequest', () => {
  it('builds the request the API takes', () => {
    expect(
      toCreateRequest(
        ENTITY,
        {
          ...emptyForm('ci'),
          commit: ` ${SHA} `,
          profileKind: 'fixtures',
          fixtureSet: 'small',
          seed: '42',
          connections: 'spark_default = spark_ci\n# comment\n',
        },
        { production: false },
      ),
    ).toEqual({
      request: {
        entityRef: ENTITY,
        commit: SHA.toLowerCase(),
        stage: 'ci',
        profile: 'fixtures:small',
        ttl: 'P1D',
        seed: 42,
        connections: { spark_default: 'spark_ci' },
      },
    });
  });

  it('names every field to fix before anything is sent', () => {
    const result = toCreateRequest(
      ENTITY,
      {
        ...emptyForm('production'),
        commit: 'not a ref',
        name: 'Prod!',
        profileKind: 'from',
        seed: '-1',
        artifacts: 'etl_jar',
      },
      { production: true },
    );
    expect(result).toEqual({
      errors: {
        commit: expect.stringContaining('7 to 40 hexadecimal'),
        name: expect.stringContaining('Lower-case'),
        profile: 'Choose the environment whose data to reuse',
        ttl: 'Production environments do not expire',
        seed: expect.stringContaining('0 to 4294967295'),
        artifacts: 'line 1 is not key=value: etl_jar',
      },
    });
  });
});

describe('the commit field', () => {
  it.each([
    [' AB12CD3 ', { sha: 'ab12cd3' }],
    ['main', { branch: 'main' }],
    ['feature/x-1.2', { branch: 'feature/x-1.2' }],
    ['a..b', { error: expect.stringContaining('or a branch name') }],
    ['has space', { error: expect.stringContaining('or a branch name') }],
    ['-rf', { error: expect.stringContaining('or a branch name') }],
    // refused by the backend's rules too, which a partial copy let through
    ['x.lock', { error: expect.stringContaining('ends with "." or ".lock"') }],
    ['feature/', { error: expect.stringContaining('empty path component') }],
    ['', { error: expect.stringContaining('7 to 40 hexadecimal') }],
  ])('reads %j', (text, expected) => {
    expect(readCommitInput(text)).toEqual(expected);
  });

  it('says why a name is no branch name, in the backend’s words', () => {
    expect(readCommitInput('main..dev')).toEqual({
      error:
        '"main..dev" is not a valid branch name: it contains "..". Enter a commit SHA: 7 to 40 hexadecimal characters (git rev-parse HEAD), or a branch name such as main',
    });
  });

  it("sends a branch as its head's SHA once resolved, never by name", () => {
    const form = { ...emptyForm('ci'), commit: 'main' };
    const branchHead = { ref: 'main', commit: SHA.toLowerCase() };
    expect(
      toCreateRequest(ENTITY, form, { production: false, branchHead }),
    ).toMatchObject({ request: { commit: SHA.toLowerCase() } });
    // Resolved for another branch, or not at all: nothing to send yet.
    for (const head of [undefined, { ...branchHead, ref: 'develop' }]) {
      expect(
        toCreateRequest(ENTITY, form, { production: false, branchHead: head }),
      ).toEqual({
        errors: { commit: 'Branch main is not resolved to a commit yet' },
      });
    }
  });
});

describe('profile options', () => {
  const form = (fields: object) =>
    toCreateRequest(
      ENTITY,
      { ...emptyForm('ci'), commit: SHA, ...fields },
      { production: false },
    );

  it("sends the sample bounds and rates filled in, in the API's units", () => {
    expect(
      form({
        profileKind: 'chaos',
        maxObjects: '20',
        maxMiB: '0.5',
        rowFraction: ' 0.1 ',
        rates: { nulls: '0.01', drift: '', empty: '1' },
      }),
    ).toEqual({
      request: expect.objectContaining({
        profile: 'chaos',
        sample: { maxObjects: 20, maxBytes: 524288, rowFraction: 0.1 },
        chaos: { nulls: 0.01, empty: 1 },
      }),
    });
  });

  it('leaves out what is empty, and what the profile does not take', () => {
    const sample = form({ profileKind: 'sample', rates: { nulls: '0.5' } });
    expect(sample).toEqual({ request: expect.any(Object) });
    expect((sample as any).request).not.toHaveProperty('sample');
    expect((sample as any).request).not.toHaveProperty('chaos');
    const empty = form({ profileKind: 'empty', maxObjects: '5' });
    expect((empty as any).request).not.toHaveProperty('sample');
  });

  it('names every option to fix before anything is sent', () => {
    expect(
      form({
        profileKind: 'chaos',
        maxObjects: '1.5',
        maxMiB: 'lots',
        rowFraction: '0',
        rates: { late: '2' },
      }),
    ).toEqual({
      errors: {
        maxObjects: 'A whole number of at least 0',
        maxMiB: expect.stringContaining('MiB'),
        rowFraction: 'More than 0 and at most 1, such as 0.1',
        chaos: 'late: a probability from 0 to 1, such as 0.01',
      },
    });
  });
});

describe('isFaultRate', () => {
  it.each(['', ' ', '0', '0.01', '1'])('takes %j', text =>
    expect(isFaultRate(text)).toBe(true),
  );
  it.each(['1.5', '-0.1', 'often', 'NaN'])('refuses %j', text =>
    expect(isFaultRate(text)).toBe(false),
  );
});

describe('parseKeyValueLines', () => {
  it('refuses a repeated key', () => {
    expect(parseKeyValueLines('a=1\na=2')).toEqual({
      error: 'line 2 repeats the key a',
    });
  });

  it('keeps "=" inside values', () => {
    expect(parseKeyValueLines('url=s3://b/k?x=1')).toEqual({
      value: { url: 's3://b/k?x=1' },
    });
  });
});

describe('fieldOfServerError', () => {
  it.each([
    ['commit "zz" is not a git SHA: send the full 40-hex commit SHA', 'commit'],
    ['ttl P30D is out of range: it must be between PT5M and 168 hours', 'ttl'],
    [
      'profile from:ci_1: component:default/orders has no ready environment named ci_1',
      'profile',
    ],
    [
      'Unknown stage "qa"; the configured stages are ci, staging, production',
      'stage',
    ],
    ['artifacts.etl_jar renders to "x", which is not a URI', 'artifacts'],
    [
      'sample.maxObjects 500 is more than the configured maximum 100 (dagCicd.environments.sample.maxObjects); ask for at most 100',
      'maxObjects',
    ],
    ['sample.maxBytes 2 is more than the configured maximum 1', 'maxMiB'],
    ['request/body/sample/rowFraction must be number', 'rowFraction'],
    ['chaos.nulls must be a probability from 0 to 1, got 2', 'chaos'],
    [
      'sample: only the sample and chaos profiles take sample options, not profile empty',
      'profile',
    ],
    [
      'profile sample: a production environment reads production data in place; use production-readonly',
      'profile',
    ],
    ['The DAG is paused', undefined],
  ])('%s is about %s', (message, field) => {
    expect(fieldOfServerError(message)).toBe(field);
  });
});

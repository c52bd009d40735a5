import {
  emptyForm,
  fieldOfServerError,
  parseKeyValueLines,
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
        commit: 'main',
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
    ['The DAG is paused', undefined],
  ])('%s is about %s', (message, field) => {
    expect(fieldOfServerError(message)).toBe(field);
  });
});

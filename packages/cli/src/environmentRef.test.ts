import { parseEnvironmentRef } from './environmentRef';
import { CliError, ExitCode } from './exitCodes';

describe('parseEnvironmentRef', () => {
  it('reads an id', () => {
    expect(parseEnvironmentRef('3f2a9c1e')).toEqual({ id: '3f2a9c1e' });
  });

  it('reads <entity ref>@<stage>/<name>', () => {
    expect(
      parseEnvironmentRef('component:default/orders-daily@ci/ci_ab12cd3'),
    ).toEqual({
      entityRef: 'component:default/orders-daily',
      stage: 'ci',
      name: 'ci_ab12cd3',
    });
  });

  it.each([
    'component:default/orders@ci',
    'component:default/orders@ci/',
    '@ci/ci_ab12cd3',
    'component:default/orders@ci/a/b',
  ])('refuses %s as a usage error', value => {
    expect(() => parseEnvironmentRef(value)).toThrow(
      expect.objectContaining({
        constructor: CliError,
        exitCode: ExitCode.usage,
      }),
    );
  });
});

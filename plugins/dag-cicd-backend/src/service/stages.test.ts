import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { Stages } from './stages';

const stagesOf = (stages?: unknown) =>
  Stages.fromConfig(new ConfigReader(stages ? { dagCicd: { stages } } : {}));

describe('Stages', () => {
  it('defaults to ci, staging, production with production last', () => {
    expect(stagesOf().ordered).toEqual([
      { name: 'ci', production: false, allowServices: true, connections: {} },
      {
        name: 'staging',
        production: false,
        allowServices: false,
        connections: {},
      },
      {
        name: 'production',
        production: true,
        allowServices: false,
        connections: {},
      },
    ]);
  });

  it('reads per-stage connections and service access', () => {
    const stages = stagesOf([
      { name: 'ci', connections: { spark_default: 'spark_ci' } },
      { name: 'staging', allowServices: true },
      { name: 'production' },
    ]);
    expect(stages.first.name).toBe('ci');
    expect(stages.production.name).toBe('production');
    expect(stages.get('ci')).toMatchObject({
      allowServices: true,
      connections: { spark_default: 'spark_ci' },
    });
    expect(stages.get('staging').allowServices).toBe(true);
    expect(stages.get('production').allowServices).toBe(false);
  });

  it('keeps the configured order and takes the last stage as production', () => {
    const stages = stagesOf([
      { name: 'dev' },
      { name: 'qa' },
      { name: 'live' },
    ]);
    expect(stages.ordered.map(s => s.name)).toEqual(['dev', 'qa', 'live']);
    expect(stages.get('live').production).toBe(true);
    expect(stages.get('qa').production).toBe(false);
  });

  it('honours an explicit production flag', () => {
    const stages = stagesOf([
      { name: 'ci' },
      { name: 'prod', production: true },
      { name: 'dr' },
    ]);
    expect(stages.get('prod').production).toBe(true);
    expect(stages.get('dr').production).toBe(false);
  });

  it('rejects an unknown stage with the list of valid ones', () => {
    expect(() => stagesOf().get('prod')).toThrow(InputError);
    expect(() => stagesOf().get('prod')).toThrow(
      'Unknown stage "prod"; the configured stages are ci, staging, production',
    );
  });

  it.each([
    [[], /at least one stage/],
    [[{ name: 'CI' }], /dagCicd.stages\[0\].name "CI"/],
    [[{ name: 'ci/../x' }], /lower-case letters/],
    [[{ name: 'ci' }, { name: 'ci' }], /duplicate/],
    [
      [{ name: 'ci', connections: { spark_default: 'spark ci' } }],
      /dagCicd.stages\[0\].connections.spark_default "spark ci" is not an Airflow conn_id/,
    ],
    [
      [
        { name: 'a', production: true },
        { name: 'b', production: true },
      ],
      /more than one production stage: a, b/,
    ],
  ])('refuses invalid configuration %j', (config, message) => {
    expect(() => stagesOf(config)).toThrow(message);
  });
});

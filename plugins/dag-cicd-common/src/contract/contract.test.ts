import Ajv2020 from 'ajv/dist/2020';
import { dagCicdConfSchema, DagCicdConf } from '.';
import vectors from './dagCicdConf.vectors.json';

// The same vectors are read by the Python package's tests: both sides must
// accept and reject exactly the same documents.
describe('conf.dag_cicd schema', () => {
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(
    dagCicdConfSchema,
  );

  it.each(vectors.valid.map(v => [v.name, v.conf] as const))(
    'accepts %s',
    (_name, conf) => {
      expect(validate(conf)).toBe(true);
      expect(validate.errors).toBeNull();
    },
  );

  it.each(vectors.invalid.map(v => [v.name, v.conf] as const))(
    'rejects %s',
    (_name, conf) => {
      expect(validate(conf)).toBe(false);
      expect(validate.errors!.length).toBeGreaterThan(0);
    },
  );

  it('describes the TypeScript type: a fully typed value validates', () => {
    const conf: DagCicdConf = {
      environment: 'ci_ab12cd3',
      stage: 'ci',
      commit: 'ab12cd3ab12cd3ab12cd3ab12cd3ab12cd3ab12c',
      entity: 'component:default/orders',
      namespace: 'file:///data/default/orders/ci_ab12cd3/',
      inputs: { events: { uri: 'file:///prod/events/', mode: 'read-only' } },
      artifacts: { etl_py: 'file:///artifacts/etl.py' },
      connections: { spark_default: 'spark_ci' },
      profile: 'chaos',
      seed: 7,
    };
    expect(validate(conf)).toBe(true);
  });

  it('has vectors on both sides of the line', () => {
    expect(vectors.valid.length).toBeGreaterThanOrEqual(5);
    expect(vectors.invalid.length).toBeGreaterThanOrEqual(10);
  });
});

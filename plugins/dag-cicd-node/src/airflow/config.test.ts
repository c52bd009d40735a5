import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { readAirflowInstanceConfigs } from './config';

function read(instances: JsonValue[]) {
  return readAirflowInstanceConfigs(
    new ConfigReader({ dagCicd: { airflow: { instances } } }),
  );
}

describe('readAirflowInstanceConfigs', () => {
  it('reads nothing when no instance is configured', () => {
    expect(readAirflowInstanceConfigs(new ConfigReader({}))).toEqual([]);
  });

  it('fills in the defaults: Airflow 3, the UI at the API URL, 10 s, 2 retries', () => {
    expect(
      read([
        {
          name: 'prod',
          baseUrl: 'https://airflow.example.com/',
          auth: { type: 'simple', username: 'admin', password: 'pw' },
        },
      ]),
    ).toEqual([
      {
        name: 'prod',
        baseUrl: 'https://airflow.example.com',
        apiVersion: 'v2',
        auth: { type: 'simple', username: 'admin', password: 'pw' },
        uiUrl: 'https://airflow.example.com',
        timeoutMs: 10000,
        retries: 2,
      },
    ]);
  });

  it('reads every kind of credentials, and none', () => {
    const [fab, basic, token, none] = read([
      {
        name: 'a',
        baseUrl: 'http://a',
        auth: { type: 'fab', username: 'u', password: 'p' },
      },
      {
        name: 'b',
        baseUrl: 'http://b/airflow',
        apiVersion: 'v1',
        uiUrl: 'https://ui.example.com/airflow/',
        timeoutMs: 30000,
        retries: 0,
        auth: { type: 'basic', username: 'u', password: 'p' },
      },
      { name: 'c', baseUrl: 'http://c', auth: { type: 'token', token: 't' } },
      { name: 'd', baseUrl: 'http://d' },
    ]);
    expect(fab.auth).toEqual({ type: 'fab', username: 'u', password: 'p' });
    expect(basic).toMatchObject({
      baseUrl: 'http://b/airflow',
      apiVersion: 'v1',
      uiUrl: 'https://ui.example.com/airflow',
      timeoutMs: 30000,
      retries: 0,
      auth: { type: 'basic', username: 'u', password: 'p' },
    });
    expect(token.auth).toEqual({ type: 'token', token: 't' });
    expect(none.auth).toEqual({ type: 'none' });
  });

  it.each([
    [
      { name: 'prod', baseUrl: 'http://a', apiVersion: 'v3' },
      'dagCicd.airflow.instances[0].apiVersion must be v2 (Airflow 3) or v1 (Airflow 2), not "v3"',
    ],
    [
      {
        name: 'prod',
        baseUrl: 'http://a',
        auth: { type: 'basic', username: 'u', password: 'p' },
      },
      'dagCicd.airflow.instances[0].auth.type "basic" does not fit apiVersion v2; use one of simple, fab, token, none',
    ],
    [
      {
        name: 'prod',
        baseUrl: 'http://a',
        apiVersion: 'v1',
        auth: { type: 'simple', username: 'u', password: 'p' },
      },
      'dagCicd.airflow.instances[0].auth.type "simple" does not fit apiVersion v1; use one of basic, token, none',
    ],
    [
      { name: 'prod', baseUrl: 'airflow:8080' },
      'dagCicd.airflow.instances[0].baseUrl must be an http:// or https:// URL',
    ],
    [
      { name: 'prod', baseUrl: 'not a url' },
      'dagCicd.airflow.instances[0].baseUrl "not a url" is not a URL',
    ],
    [
      { name: 'prod', baseUrl: 'https://admin:pw@airflow' },
      'dagCicd.airflow.instances[0].baseUrl must have no query, fragment or credentials; put credentials under auth',
    ],
    [
      { name: 'prod', baseUrl: 'http://a', timeoutMs: 0 },
      'dagCicd.airflow.instances[0].timeoutMs must be a whole number from 100 to 600000, not 0',
    ],
    [
      { name: 'prod', baseUrl: 'http://a', retries: 1.5 },
      'dagCicd.airflow.instances[0].retries must be a whole number from 0 to 10, not 1.5',
    ],
    [
      { name: 'prod env', baseUrl: 'http://a' },
      'dagCicd.airflow.instances[0].name "prod env" must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ],
  ])('refuses %j', (instance, message) => {
    expect(() => read([instance])).toThrow(message);
  });

  it('refuses two instances of the same name', () => {
    expect(() =>
      read([
        { name: 'prod', baseUrl: 'http://a' },
        { name: 'prod', baseUrl: 'http://b' },
      ]),
    ).toThrow(
      'dagCicd.airflow.instances[1].name "prod" is used by two instances',
    );
  });

  it('never puts a secret into an error', () => {
    expect(() =>
      read([
        {
          name: 'prod',
          baseUrl: 'http://a',
          auth: { type: 'basic', username: 'u', password: 'hunter2' },
        },
      ]),
    ).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('hunter2'),
      }),
    );
  });
});

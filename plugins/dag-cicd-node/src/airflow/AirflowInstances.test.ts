import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { AirflowInstances } from './AirflowInstances';
import { AirflowV1Client } from './AirflowV1Client';
import { AirflowV2Client } from './AirflowV2Client';

const config = new ConfigReader({
  dagCicd: {
    airflow: {
      instances: [
        {
          name: 'prod',
          baseUrl: 'https://airflow.example.com',
          auth: { type: 'simple', username: 'admin', password: 'pw' },
        },
        {
          name: 'legacy',
          baseUrl: 'https://airflow2.example.com',
          apiVersion: 'v1',
          auth: { type: 'basic', username: 'admin', password: 'pw' },
        },
      ],
    },
  },
});

describe('AirflowInstances', () => {
  const logger = mockServices.logger.mock();

  it('makes a client per configured instance, of its API version', () => {
    const instances = AirflowInstances.fromConfig(config, { logger });
    expect(instances.get('prod')).toBeInstanceOf(AirflowV2Client);
    expect(instances.get('legacy')).toBeInstanceOf(AirflowV1Client);
    expect(instances.list().map(c => c.instance)).toEqual([
      {
        name: 'prod',
        apiVersion: 'v2',
        baseUrl: 'https://airflow.example.com',
        uiUrl: 'https://airflow.example.com',
      },
      {
        name: 'legacy',
        apiVersion: 'v1',
        baseUrl: 'https://airflow2.example.com',
        uiUrl: 'https://airflow2.example.com',
      },
    ]);
  });

  it('names the configured instances when asked for another', () => {
    const instances = AirflowInstances.fromConfig(config, { logger });
    expect(() => instances.get('staging')).toThrow(
      new InputError(
        'Unknown Airflow instance "staging"; the configured instances are "prod", "legacy"',
      ),
    );
  });

  it('says where to configure instances when there are none', () => {
    const instances = AirflowInstances.fromConfig(new ConfigReader({}));
    expect(instances.list()).toEqual([]);
    expect(() => instances.get('prod')).toThrow(
      'Unknown Airflow instance "prod"; no instance is configured under dagCicd.airflow.instances',
    );
  });
});

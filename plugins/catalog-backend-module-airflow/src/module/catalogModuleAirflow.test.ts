import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  EntityProvider,
  catalogProcessingExtensionPoint,
} from '@backstage/plugin-catalog-node';
import { catalogModuleAirflow } from './catalogModuleAirflow';

const instances = [
  { name: 'prod', baseUrl: 'http://127.0.0.1:9' },
  { name: 'ci', baseUrl: 'http://127.0.0.1:9' },
];

async function start(airflow: object) {
  const added: EntityProvider[] = [];
  const scheduler = mockServices.scheduler.mock();
  await startTestBackend({
    extensionPoints: [
      [
        catalogProcessingExtensionPoint,
        {
          addEntityProvider: (...providers: any[]) =>
            added.push(...providers.flat()),
        },
      ],
    ],
    features: [
      catalogModuleAirflow,
      scheduler.factory,
      mockServices.rootConfig.factory({
        data: {
          dagCicd: { airflow: { instances } },
          catalog: { providers: { airflow } },
        },
      }),
    ],
  });
  return { added, scheduler };
}

describe('catalogModuleAirflow', () => {
  it('adds one provider per configured provider, each on its own schedule', async () => {
    const { added, scheduler } = await start({
      production: { instance: 'prod' },
      ci: {
        instance: 'ci',
        authoritative: false,
        schedule: { frequency: { minutes: 5 }, timeout: { minutes: 1 } },
      },
    });

    expect(added.map(p => p.getProviderName())).toEqual([
      'airflow-provider:production',
      'airflow-provider:ci',
    ]);
    expect(scheduler.createScheduledTaskRunner).toHaveBeenCalledWith(
      expect.objectContaining({ frequency: { minutes: 30 }, scope: 'global' }),
    );
    expect(scheduler.createScheduledTaskRunner).toHaveBeenCalledWith(
      expect.objectContaining({ frequency: { minutes: 5 }, scope: 'global' }),
    );
  });

  it('adds none when no provider is configured', async () => {
    const { added } = await start({});
    expect(added).toEqual([]);
  });

  it('refuses to start with a provider of an instance that is not configured', async () => {
    await expect(start({ production: { instance: 'nope' } })).rejects.toThrow(
      /Unknown Airflow instance "nope"; the configured instances are "prod", "ci"/,
    );
  });
});

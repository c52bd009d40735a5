import { ConfigReader } from '@backstage/config';
import { readAirflowProviderConfigs } from './config';

function read(airflow: object) {
  return readAirflowProviderConfigs(
    new ConfigReader({ catalog: { providers: { airflow } } }),
  );
}

describe('readAirflowProviderConfigs', () => {
  it('reads none when nothing is configured', () => {
    expect(readAirflowProviderConfigs(new ConfigReader({}))).toEqual([]);
  });

  it('fills in the defaults', () => {
    expect(read({ production: { instance: 'prod' } })).toEqual([
      {
        id: 'production',
        instance: 'prod',
        schedule: {
          frequency: { minutes: 30 },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 15 },
          scope: 'global',
        },
        filters: {
          tags: undefined,
          dagIdPattern: undefined,
          includePaused: true,
          includeStale: false,
        },
        owners: new Map(),
        defaultOwner: undefined,
        defaultLifecycle: 'production',
        authoritative: true,
      },
    ]);
  });

  it('reads every key', () => {
    const [config] = read({
      ci: {
        instance: 'ci',
        schedule: { frequency: { minutes: 5 }, timeout: { minutes: 2 } },
        filters: {
          tags: ['etl'],
          dagIdPattern: 'orders_%',
          includePaused: false,
          includeStale: true,
        },
        owners: [
          { airflow: 'Alice@Example.com ', entity: 'user:default/alice' },
          { airflow: 'data-eng', entity: 'data-engineering' },
        ],
        defaultOwner: 'Group:platform',
        defaultLifecycle: 'experimental',
        authoritative: false,
      },
    });
    expect(config).toMatchObject({
      id: 'ci',
      schedule: {
        frequency: { minutes: 5 },
        timeout: { minutes: 2 },
        scope: 'global',
      },
      filters: {
        tags: ['etl'],
        dagIdPattern: 'orders_%',
        includePaused: false,
        includeStale: true,
      },
      // Owners are looked up trimmed and in lower case; bare names are groups.
      owners: new Map([
        ['alice@example.com', 'user:default/alice'],
        ['data-eng', 'group:default/data-engineering'],
      ]),
      defaultOwner: 'group:default/platform',
      defaultLifecycle: 'experimental',
      authoritative: false,
    });
  });

  it.each([
    [
      { owners: [{ airflow: 'a', entity: 'component:default/x' }] },
      'catalog.providers.airflow.p.owners[0].entity "component:default/x" must be a user or a group, not a component',
    ],
    [
      {
        owners: [
          { airflow: 'a', entity: 'group:a' },
          { airflow: 'A', entity: 'group:b' },
        ],
      },
      'catalog.providers.airflow.p.owners[1].airflow "A" is mapped twice',
    ],
    [
      { defaultOwner: 'group:default/' },
      'catalog.providers.airflow.p.defaultOwner "group:default/" is not an entity reference',
    ],
    [
      { defaultLifecycle: 'In Production' },
      'catalog.providers.airflow.p.defaultLifecycle "In Production" must be a lower-case word',
    ],
    [
      { filters: { tags: [] } },
      'catalog.providers.airflow.p.filters.tags is empty',
    ],
  ])('refuses %j, naming the key', (overrides, message) => {
    expect(() => read({ p: { instance: 'prod', ...overrides } })).toThrow(
      message,
    );
  });

  it('requires the instance', () => {
    expect(() => read({ p: {} })).toThrow(/instance/);
  });
});

import { LoggerService } from '@backstage/backend-plugin-api';
import {
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  resourceEntityV1alpha1Validator,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import {
  AirflowApiVersion,
  createAirflowClient,
} from '@dag-cicd/plugin-dag-cicd-node';
import {
  airflowMockServer,
  AirflowMock,
  jwt,
  MockAnswer,
  MockRequest,
  v1,
  v2,
} from '@dag-cicd/plugin-dag-cicd-node/testUtils';
import { AirflowEntityProvider, AirflowSource } from './AirflowEntityProvider';
import { AirflowProviderConfig, DEFAULT_SCHEDULE } from './config';

/*
 * The provider against mocked Airflow instances that check every request
 * and answer against the Airflow specs: what it emits, and that a refresh
 * that cannot read everything emits nothing.
 */

const mocks = airflowMockServer();

// The checks the catalog applies to every entity it is given.
const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

async function expectAccepted(entity: Entity) {
  await expect(policy.enforce(entity)).resolves.toBe(entity);
  const validator =
    entity.kind === 'Component'
      ? componentEntityV1alpha1Validator
      : resourceEntityV1alpha1Validator;
  await expect(validator.check(entity)).resolves.toBe(true);
}

function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const logger: LoggerService = {
    error: message => lines.push({ level: 'error', message }),
    warn: message => lines.push({ level: 'warn', message }),
    info: message => lines.push({ level: 'info', message }),
    debug: () => {},
    child: () => logger,
  };
  return { logger, lines };
}

/** Answers a list route page by page, as Airflow does (its maximum page limit is 100). */
function pages(key: string, items: object[]) {
  return (request: MockRequest): MockAnswer => {
    const offset = Number(request.query.get('offset') ?? 0);
    const limit = Math.min(Number(request.query.get('limit') ?? 100), 100);
    return {
      body: {
        [key]: items.slice(offset, offset + limit),
        total_entries: items.length,
      },
    };
  };
}

function providerConfig(
  overrides: Partial<AirflowProviderConfig> = {},
): AirflowProviderConfig {
  return {
    id: 'production',
    instance: 'prod',
    schedule: DEFAULT_SCHEDULE,
    filters: { includePaused: true, includeStale: false },
    owners: new Map([['data-eng', 'group:default/data-engineering']]),
    defaultOwner: 'group:default/platform',
    defaultLifecycle: 'production',
    authoritative: true,
    ...overrides,
  };
}

function source(
  config: AirflowProviderConfig,
  apiVersion: AirflowApiVersion = 'v2',
): { source: AirflowSource; mock: AirflowMock } {
  const baseUrl = `http://${config.instance}.airflow.test`;
  const mock = mocks.mock(apiVersion, baseUrl);
  if (apiVersion === 'v2') mock.tokens(jwt(4102444800));
  const client = createAirflowClient({
    name: config.instance,
    baseUrl,
    apiVersion,
    auth:
      apiVersion === 'v2'
        ? { type: 'simple', username: 'admin', password: 'admin' }
        : { type: 'basic', username: 'admin', password: 'admin' },
    uiUrl: `https://${config.instance}.example.com`,
    timeoutMs: 300,
    retries: 0,
  });
  return { source: { config, client }, mock };
}

async function connected(
  own: AirflowSource,
  authorities: AirflowSource[] = [],
) {
  const { logger, lines } = recordingLogger();
  const provider = new AirflowEntityProvider({
    source: own,
    authorities,
    logger,
    taskRunner: { run: jest.fn() },
  });
  const connection = {
    applyMutation: jest.fn<Promise<void>, [EntityProviderMutation]>(),
    refresh: jest.fn(),
  } satisfies EntityProviderConnection;
  await provider.connect(connection);
  /** The entities of each full mutation so far. */
  const applied = (): Entity[][] =>
    connection.applyMutation.mock.calls.map(([mutation]) =>
      mutation.type === 'full' ? mutation.entities.map(e => e.entity) : [],
    );
  return { provider, connection, applied, lines };
}

function refOf(entity: Entity) {
  return `${entity.kind.toLocaleLowerCase('en-US')}:default/${
    entity.metadata.name
  }`;
}

describe('AirflowEntityProvider', () => {
  it('registers its refresh with the scheduler under its own name', async () => {
    const { source: own } = source(providerConfig());
    const run = jest.fn();
    const provider = new AirflowEntityProvider({
      source: own,
      authorities: [],
      logger: recordingLogger().logger,
      taskRunner: { run },
    });
    expect(provider.getProviderName()).toBe('airflow-provider:production');
    await provider.connect({ applyMutation: jest.fn(), refresh: jest.fn() });
    expect(run).toHaveBeenCalledWith({
      id: 'airflow-provider:production:refresh',
      fn: expect.any(Function),
    });
  });

  it('emits each DAG as a Component and each asset as a Resource linked to its DAGs', async () => {
    const { source: own, mock } = source(providerConfig());
    mock.on(
      'GET',
      '/api/v2/dags',
      pages('dags', [
        v2.dag('orders_daily', {
          dag_display_name: 'Orders (daily)',
          owners: ['Data-Eng', 'alice'],
          tags: [
            { name: 'ETL', dag_id: 'orders_daily', dag_display_name: 'x' },
            {
              name: 'lifecycle:experimental',
              dag_id: 'orders_daily',
              dag_display_name: 'x',
            },
          ],
        }),
        v2.dag('revenue', { owners: ['someone'], timetable_summary: null }),
      ]),
    );
    mock.on(
      'GET',
      '/api/v2/assets',
      pages('assets', [
        v2.asset(7, 's3://lake/orders/', {
          name: 'orders',
          producing_tasks: [v2.reference('orders_daily', 'load')],
          scheduled_dags: [v2.reference('revenue')],
        }),
        // Touches no DAG of this catalog: no entity.
        v2.asset(8, 's3://lake/other/', {
          producing_tasks: [v2.reference('elsewhere', 'load')],
        }),
      ]),
    );
    const { provider, connection, applied, lines } = await connected(own);

    const result = await provider.refresh();

    expect(result).toMatchObject({
      applied: true,
      report: { dags: 2, assets: 1, renamed: 1, unmappedOwners: [] },
    });
    const [entities] = applied();
    expect(entities).toEqual([
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'orders-daily',
          namespace: 'default',
          title: 'Orders (daily)',
          description: 'The orders_daily pipeline',
          tags: ['etl', 'lifecycle:experimental'],
          annotations: {
            'airflow.apache.org/dag-id': 'orders_daily',
            'airflow.apache.org/instance': 'prod',
            'airflow.apache.org/schedule': '0 6 * * *',
            'backstage.io/managed-by-location':
              'url:https://prod.example.com/dags/orders_daily',
            'backstage.io/managed-by-origin-location':
              'url:https://prod.example.com/dags/orders_daily',
          },
          links: [
            {
              url: 'https://prod.example.com/dags/orders_daily',
              title: 'Airflow (prod)',
              type: 'airflow',
            },
          ],
        },
        spec: {
          type: 'airflow-dag',
          lifecycle: 'experimental',
          owner: 'group:default/data-engineering',
        },
      },
      expect.objectContaining({
        kind: 'Component',
        metadata: expect.objectContaining({
          name: 'revenue',
          annotations: expect.not.objectContaining({
            'airflow.apache.org/schedule': expect.anything(),
          }),
        }),
        spec: {
          type: 'airflow-dag',
          lifecycle: 'production',
          owner: 'group:default/platform',
          dependsOn: ['resource:default/orders'],
        },
      }),
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: {
          name: 'orders',
          namespace: 'default',
          description: 's3://lake/orders/',
          annotations: {
            'airflow.apache.org/asset-uri': 's3://lake/orders/',
            'airflow.apache.org/instance': 'prod',
            'backstage.io/managed-by-location':
              'url:https://prod.example.com/assets/7',
            'backstage.io/managed-by-origin-location':
              'url:https://prod.example.com/assets/7',
          },
          links: [
            {
              url: 'https://prod.example.com/assets/7',
              title: 'Airflow (prod)',
              type: 'airflow',
            },
          ],
        },
        spec: {
          type: 'airflow-asset',
          owner: 'group:default/data-engineering',
          dependsOn: ['component:default/orders-daily'],
        },
      },
    ]);
    for (const entity of entities) await expectAccepted(entity);
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: entities.map(entity => ({
        entity,
        locationKey: 'airflow-provider:production',
      })),
    });
    expect(lines).toContainEqual({
      level: 'info',
      message: expect.stringMatching(
        /read instance "prod" in \d+ ms: 2 DAG and 1 asset entities; 0 DAG entities kept from an earlier refresh, 0 DAGs left to authoritative providers, 1 names normalised, 0 name collisions, 0 unmapped owners/,
      ),
    });
  });

  it('reads Airflow 2 datasets the same way', async () => {
    const { source: own, mock } = source(
      providerConfig({ instance: 'legacy' }),
      'v1',
    );
    mock.on('GET', '/api/v1/dags', pages('dags', [v1.dag('orders')]));
    mock.on(
      'GET',
      '/api/v1/datasets',
      pages('datasets', [
        v1.dataset(3, 's3://lake/orders/', {
          producing_tasks: [v1.reference('orders', 'load')],
        }),
      ]),
    );
    const { provider, applied } = await connected(own);

    await provider.refresh();

    const [entities] = applied();
    expect(entities.map(refOf)).toEqual([
      'component:default/orders',
      'resource:default/s3-lake-orders',
    ]);
    expect(entities[0].metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location':
        'url:https://legacy.example.com/dags/orders/grid',
    });
    expect(entities[1]).toMatchObject({
      metadata: {
        title: 's3://lake/orders/',
        annotations: {
          'backstage.io/managed-by-location':
            'url:https://legacy.example.com/datasets?uri=s3%3A%2F%2Flake%2Forders%2F',
        },
      },
      spec: { dependsOn: ['component:default/orders'] },
    });
    for (const entity of entities) await expectAccepted(entity);
  });

  it('pages through every DAG and asks Airflow for the configured filters', async () => {
    const { source: own, mock } = source(
      providerConfig({
        filters: {
          tags: ['etl'],
          dagIdPattern: 'dag_%',
          includePaused: false,
          includeStale: true,
        },
      }),
    );
    const dags = Array.from({ length: 250 }, (_, i) =>
      v2.dag(`dag_${String(i).padStart(3, '0')}`),
    );
    mock.on('GET', '/api/v2/dags', pages('dags', dags));
    mock.on('GET', '/api/v2/assets', pages('assets', []));
    const { provider, applied } = await connected(own);

    await provider.refresh();

    expect(applied()[0].length).toBe(250);
    const calls = mock.calls('GET', '/api/v2/dags');
    expect(calls.map(c => c.query.get('offset'))).toEqual(['0', '100', '200']);
    expect(calls[0].query.getAll('tags')).toEqual(['etl']);
    expect(calls[0].query.get('dag_id_pattern')).toBe('dag_%');
    expect(calls[0].query.get('paused')).toBe('false');
    expect(calls[0].query.get('exclude_stale')).toBe('false');
  });

  it('normalises names and tags, resolves collisions, and logs what it could not map with the DAG ids', async () => {
    const { source: own, mock } = source(
      providerConfig({ defaultOwner: undefined }),
    );
    mock.on(
      'GET',
      '/api/v2/dags',
      pages('dags', [
        v2.dag('orders-daily', { owners: ['data-eng'] }),
        v2.dag('orders_daily', {
          owners: ['nobody'],
          tags: [
            { name: '—', dag_id: 'orders_daily', dag_display_name: 'x' },
            {
              name: 'lifecycle:???',
              dag_id: 'orders_daily',
              dag_display_name: 'x',
            },
          ],
        }),
      ]),
    );
    mock.on('GET', '/api/v2/assets', pages('assets', []));
    const { provider, applied, lines } = await connected(own);

    const result = await provider.refresh();

    const [entities] = applied();
    expect(entities.map(e => e.metadata.name)).toEqual([
      'orders-daily',
      expect.stringMatching(/^orders-daily-[0-9a-f]{8}$/),
    ]);
    expect(entities[1].spec).toMatchObject({
      owner: 'unknown',
      lifecycle: 'production',
    });
    expect(entities[1].metadata.tags).toEqual(['lifecycle:']);
    for (const entity of entities) await expectAccepted(entity);
    expect(result).toMatchObject({
      report: {
        collisions: ['orders_daily'],
        unmappedOwners: ['orders_daily'],
        droppedTags: ['orders_daily'],
        invalidLifecycles: ['orders_daily'],
      },
    });
    const warnings = lines.filter(l => l.level === 'warn').map(l => l.message);
    expect(warnings).toEqual([
      expect.stringMatching(/hash suffix: orders_daily$/),
      expect.stringMatching(/owner "unknown": orders_daily$/),
      expect.stringMatching(/normalises to nothing: orders_daily$/),
      expect.stringMatching(/default applies: orders_daily$/),
    ]);
  });

  it('gives each DAG listed as it was the entity of the last refresh, and builds the others anew', async () => {
    const { source: own, mock } = source(providerConfig());
    const listing = (description: string) => [
      v2.dag('orders_daily'),
      v2.dag('revenue', { description }),
    ];
    mock.on('GET', '/api/v2/dags', pages('dags', listing('Revenue')));
    mock.on('GET', '/api/v2/assets', pages('assets', []));
    const { provider, applied, lines } = await connected(own);
    await provider.refresh();

    mock.on(
      'GET',
      '/api/v2/dags',
      pages('dags', [...listing('Revenue, by region'), v2.dag('stock')]),
    );
    const next = await provider.refresh();

    expect(next).toMatchObject({ applied: true, report: { unchanged: 1 } });
    const [first, second] = applied();
    expect(second.map(e => e.metadata.name)).toEqual([
      'orders-daily',
      'revenue',
      'stock',
    ]);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1].metadata.description).toBe('Revenue, by region');
    expect(first[1].metadata.description).toBe('Revenue');
    expect(lines.at(-1)?.message).toMatch(
      /3 DAG and 0 asset entities; 1 DAG entities kept from an earlier refresh/,
    );
  });

  describe('when the instance cannot be read in full', () => {
    const faults: Array<[string, (mock: AirflowMock) => void, RegExp]> = [
      [
        'the instance is down',
        mock => mock.on('GET', '/api/v2/dags', { network: 'error' }),
        /cannot reach Airflow/,
      ],
      [
        'the instance is too slow',
        mock => mock.on('GET', '/api/v2/dags', { hang: true }),
        /300 ms/,
      ],
      [
        'a page is missing',
        mock => {
          const dags = Array.from({ length: 150 }, (_, i) =>
            v2.dag(`dag_${i}`),
          );
          mock.on('GET', '/api/v2/dags', request =>
            request.query.get('offset') === '0'
              ? pages('dags', dags)(request)
              : { status: 500, body: v2.error('database is locked') },
          );
        },
        /database is locked/,
      ],
      [
        'a page is empty before the end',
        mock =>
          mock.on('GET', '/api/v2/dags', request =>
            request.query.get('offset') === '0'
              ? { body: { dags: [v2.dag('a')], total_entries: 2 } }
              : { body: { dags: [], total_entries: 2 } },
          ),
        /the page at offset 1 is empty although total_entries is 2/,
      ],
      [
        'the answer is garbage',
        mock =>
          mock.on('GET', '/api/v2/dags', {
            raw: '<html>502 Bad Gateway</html>',
          }),
        /not JSON/,
      ],
      [
        'the assets fail',
        mock => {
          mock.on('GET', '/api/v2/dags', pages('dags', [v2.dag('a')]));
          mock.on('GET', '/api/v2/assets', { raw: '{"assets": [' });
        },
        /not JSON/,
      ],
    ];

    it.each(faults)(
      'applies nothing when %s, and recovers on the next refresh',
      async (_, breakIt, reason) => {
        const { source: own, mock } = source(providerConfig());
        mock.on('GET', '/api/v2/dags', pages('dags', [v2.dag('orders')]));
        mock.on('GET', '/api/v2/assets', pages('assets', []));
        const { provider, connection, applied, lines } = await connected(own);
        await provider.refresh();
        expect(connection.applyMutation).toHaveBeenCalledTimes(1);

        breakIt(mock);
        const failed = await provider.refresh();

        expect(failed).toMatchObject({ applied: false });
        // No second mutation: the catalog keeps the first refresh's entities.
        expect(connection.applyMutation).toHaveBeenCalledTimes(1);
        const errors = lines.filter(l => l.level === 'error');
        expect(errors).toEqual([
          {
            level: 'error',
            message: expect.stringMatching(
              /^Airflow provider production could not read instance "prod", keeping the entities of its last refresh: /,
            ),
          },
        ]);
        expect(errors[0].message).toMatch(reason);

        mock.on('GET', '/api/v2/dags', pages('dags', [v2.dag('orders')]));
        mock.on('GET', '/api/v2/assets', pages('assets', []));
        await expect(provider.refresh()).resolves.toMatchObject({
          applied: true,
          report: { unchanged: 1 },
        });
        expect(connection.applyMutation).toHaveBeenCalledTimes(2);
        // The failed refresh lost nothing: the DAG, listed as it was, has
        // the entity of the first.
        const [first, recovered] = applied();
        expect(recovered[0]).toBe(first[0]);
      },
    );
  });

  describe('with an authoritative instance', () => {
    function instances() {
      const prod = source(providerConfig());
      const ci = source(
        providerConfig({ id: 'ci', instance: 'ci', authoritative: false }),
      );
      prod.mock.on(
        'GET',
        '/api/v2/dags',
        pages('dags', [v2.dag('orders_daily')]),
      );
      prod.mock.on(
        'GET',
        '/api/v2/assets',
        pages('assets', [
          v2.asset(1, 's3://lake/orders/', {
            name: 'orders',
            producing_tasks: [v2.reference('orders_daily', 'load')],
          }),
        ]),
      );
      ci.mock.on(
        'GET',
        '/api/v2/dags',
        pages('dags', [v2.dag('orders_daily'), v2.dag('orders_audit')]),
      );
      ci.mock.on(
        'GET',
        '/api/v2/assets',
        pages('assets', [
          v2.asset(5, 's3://lake/orders/', {
            name: 'orders',
            producing_tasks: [v2.reference('orders_daily', 'load')],
            scheduled_dags: [v2.reference('orders_audit')],
          }),
        ]),
      );
      return { prod, ci };
    }

    it('leaves out what the authoritative provider emits, and links to it by the same names', async () => {
      const { prod, ci } = instances();
      const authoritative = await connected(prod.source);
      const other = await connected(ci.source, [prod.source]);

      await authoritative.provider.refresh();
      const result = await other.provider.refresh();

      expect(authoritative.applied()[0].map(refOf)).toEqual([
        'component:default/orders-daily',
        'resource:default/orders',
      ]);
      const [ciEntities] = other.applied();
      expect(ciEntities).toEqual([
        expect.objectContaining({
          metadata: expect.objectContaining({
            name: 'orders-audit',
            annotations: expect.objectContaining({
              'airflow.apache.org/instance': 'ci',
            }),
          }),
          spec: expect.objectContaining({
            dependsOn: ['resource:default/orders'],
          }),
        }),
      ]);
      expect(result).toMatchObject({ report: { deferred: 1 } });
    });

    it('applies nothing while the authoritative instance cannot be read', async () => {
      const { prod, ci } = instances();
      prod.mock.on('GET', '/api/v2/dags', { network: 'error' });
      const other = await connected(ci.source, [prod.source]);

      await expect(other.provider.refresh()).resolves.toMatchObject({
        applied: false,
      });
      expect(other.connection.applyMutation).not.toHaveBeenCalled();
    });
  });
});

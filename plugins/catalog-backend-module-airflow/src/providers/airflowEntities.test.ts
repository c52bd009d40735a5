import {
  AirflowAsset,
  AirflowDag,
  AirflowInstanceInfo,
} from '@dag-cicd/plugin-dag-cicd-node';
import {
  AirflowDagDraft,
  AirflowDagDrafter,
  AirflowEntityOptions,
  toAirflowEntities,
} from './airflowEntities';

/*
 * The mapping alone, without HTTP: how a refresh's DAGs, drafted page by
 * page, and its assets become entities. AirflowEntityProvider.test.ts
 * covers the same through the provider against the Airflow specs.
 */

const instance: AirflowInstanceInfo = {
  name: 'prod',
  apiVersion: 'v2',
  baseUrl: 'http://airflow.test',
  uiUrl: 'https://airflow.example.com',
};

const options: AirflowEntityOptions = {
  instance,
  dagUrl: dagId => `${instance.uiUrl}/dags/${encodeURIComponent(dagId)}`,
  owners: new Map([['data-eng', 'group:default/data-engineering']]),
  defaultLifecycle: 'production',
};

function dag(dagId: string, fields: Partial<AirflowDag> = {}): AirflowDag {
  return {
    dagId,
    displayName: dagId,
    isPaused: false,
    isStale: false,
    owners: ['data-eng'],
    tags: [],
    fileloc: `/dags/${dagId}.py`,
    hasImportErrors: false,
    ...fields,
  };
}

function asset(
  id: number,
  name: string,
  links: { producers?: string[]; scheduled?: string[]; readers?: string[] },
): AirflowAsset {
  return {
    id,
    uri: `s3://lake/${name}/`,
    name,
    producingTasks: (links.producers ?? []).map(dagId => ({
      dagId,
      taskId: 'load',
    })),
    scheduledDagIds: links.scheduled ?? [],
    consumingTasks: (links.readers ?? []).map(dagId => ({
      dagId,
      taskId: 'read',
    })),
  };
}

/** What a refresh does: draft each page's DAGs as it comes, then complete them. */
function refresh(
  pages: AirflowDag[][],
  assets: AirflowAsset[] = [],
  entityOptions: AirflowEntityOptions = options,
) {
  const drafter = new AirflowDagDrafter(entityOptions);
  const dags = new Map<string, AirflowDagDraft>();
  for (const page of pages) {
    for (const item of page) dags.set(item.dagId, drafter.draft(item));
  }
  const snapshot = { dags, assets };
  const renamed = drafter.settleNames();
  return {
    snapshot,
    renamed,
    entities: toAirflowEntities(snapshot, { instance, renamed }),
  };
}

describe('toAirflowEntities of drafted DAGs', () => {
  it('takes the first lifecycle: tag, even one that is not a lifecycle', () => {
    const { entities } = refresh([
      [
        dag('a', { tags: ['lifecycle:???', 'lifecycle:experimental'] }),
        dag('b', { tags: ['etl', 'Lifecycle:Experimental'] }),
      ],
    ]);

    expect(entities.dags.map(e => e.spec.lifecycle)).toEqual([
      'production',
      'experimental',
    ]);
    expect(entities.report.invalidLifecycles).toEqual(['a']);
  });

  it('keeps each catalog tag once and reports the DAGs whose tags normalise to nothing', () => {
    const { entities } = refresh([
      [
        dag('a', { tags: ['ETL', 'etl', 'Daily Batch', '—'] }),
        dag('b', { tags: ['etl'] }),
        dag('c'),
      ],
    ]);

    expect(entities.dags.map(e => e.metadata.tags)).toEqual([
      ['etl', 'daily-batch'],
      ['etl'],
      undefined,
    ]);
    expect(entities.report.droppedTags).toEqual(['a']);
  });

  it('names a DAG listed on two pages once, with no collision', () => {
    const { entities } = refresh([
      [dag('orders_daily', { description: 'old' })],
      [dag('orders_daily', { description: 'new' }), dag('revenue')],
    ]);

    expect(entities.dags.map(e => e.metadata.name)).toEqual([
      'orders-daily',
      'revenue',
    ]);
    // The later copy wins.
    expect(entities.dags[0].metadata.description).toBe('new');
    expect(entities.report.collisions).toEqual([]);
  });

  it('links assets to the settled names of clashing DAGs, whichever page each came on', () => {
    const pages = [[dag('orders_daily'), dag('audit')], [dag('orders-daily')]];
    const assets = [
      asset(1, 'orders', {
        producers: ['orders_daily', 'orders-daily', 'orders_daily'],
        scheduled: ['audit', 'elsewhere'],
        readers: ['audit'],
      }),
    ];

    const forward = refresh(pages, assets);
    const backward = refresh([...pages].reverse(), assets);

    const hashed = expect.stringMatching(/^orders-daily-[0-9a-f]{8}$/);
    expect(forward.renamed).toEqual(new Map([['orders_daily', hashed]]));
    const names = (result: typeof forward) =>
      new Map(result.entities.dags.map(e => [e.metadata.name, e]));
    expect([...names(forward).keys()].sort()).toEqual(
      [...names(backward).keys()].sort(),
    );
    const renamed = forward.renamed.get('orders_daily');
    const [resource] = forward.entities.assets;
    // Each producing DAG once, in code-point order; owned by the first.
    expect(resource.spec).toEqual({
      type: 'airflow-asset',
      owner: 'group:default/data-engineering',
      dependsOn: [
        'component:default/orders-daily',
        `component:default/${renamed}`,
      ],
    });
    expect(names(forward).get('audit')?.spec.dependsOn).toEqual([
      'resource:default/orders',
    ]);
    expect(forward.entities.report.collisions).toEqual(['orders_daily']);
  });

  it.each([3, 12])(
    'gives an asset no DAG produces to the first of its %i readers in code-point order',
    count => {
      const ids = Array.from({ length: count }, (_, i) => `reader_${i + 10}`);
      const owners = new Map(
        ids.map(id => [id, `group:default/${id.replace('_', '-')}`]),
      );
      const shuffled = [...ids.slice(1), ids[0], ids[2]].reverse();
      const { entities } = refresh(
        [ids.map(id => dag(id, { owners: [id] }))],
        [asset(1, 'orders', { scheduled: shuffled, readers: shuffled })],
        { ...options, owners },
      );

      expect(entities.assets[0].spec.owner).toBe('group:default/reader-10');
      for (const entity of entities.dags) {
        expect(entity.spec.dependsOn).toEqual(['resource:default/orders']);
      }
    },
  );

  it('gives the same entities for the same snapshot, leaving the drafts as they were', () => {
    const { snapshot, renamed, entities } = refresh(
      [[dag('orders_daily'), dag('orders.daily'), dag('revenue')]],
      [
        asset(1, 'orders', {
          producers: ['orders_daily'],
          scheduled: ['revenue'],
        }),
      ],
    );
    const drafts = structuredClone([...snapshot.dags.values()]);

    expect(toAirflowEntities(snapshot, { instance, renamed })).toEqual(
      entities,
    );
    expect([...snapshot.dags.values()]).toEqual(drafts);
  });

  it('reports an unmapped owner once per DAG, for its entity and the assets it owns', () => {
    const { entities } = refresh(
      [[dag('orders', { owners: ['nobody'] })]],
      [
        asset(1, 'a', { producers: ['orders'] }),
        asset(2, 'b', { readers: ['orders'] }),
      ],
    );

    expect(entities.dags[0].spec.owner).toBe('unknown');
    expect(entities.assets.map(a => a.spec.owner)).toEqual([
      'unknown',
      'unknown',
    ]);
    expect(entities.report.unmappedOwners).toEqual(['orders']);
  });

  it('links a DAG whose id no URL can carry to the DAG list', () => {
    const { entities } = refresh([[dag('..')]], [], {
      ...options,
      dagUrl: dagId => {
        if (dagId === '..') throw new Error('not a path segment');
        return `${instance.uiUrl}/dags/${dagId}`;
      },
    });

    expect(entities.dags[0].metadata.links).toEqual([
      {
        url: 'https://airflow.example.com/dags',
        title: 'Airflow (prod)',
        type: 'airflow',
      },
    ]);
    expect(entities.report.unlinkable).toEqual(['..']);
  });
});

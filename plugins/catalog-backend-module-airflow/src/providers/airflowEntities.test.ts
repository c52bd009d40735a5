import {
  AirflowAsset,
  AirflowDag,
  AirflowInstanceInfo,
} from '@dag-cicd/plugin-dag-cicd-node';
import { AIRFLOW_DAG_ID_ANNOTATION } from '@dag-cicd/plugin-dag-cicd-common';
import fc from 'fast-check';
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

/**
 * What a refresh does: draft each page's DAGs as it comes, then complete
 * them; `previous` is the drafts of the last refresh, if any.
 */
function refresh(
  pages: AirflowDag[][],
  assets: AirflowAsset[] = [],
  entityOptions: AirflowEntityOptions = options,
  previous?: ReadonlyMap<string, AirflowDagDraft>,
) {
  const drafter = new AirflowDagDrafter(entityOptions, previous);
  const dags = new Map<string, AirflowDagDraft>();
  for (const page of pages) {
    for (const item of page) dags.set(item.dagId, drafter.draft(item));
  }
  const snapshot = { dags, assets };
  return { snapshot, entities: toAirflowEntities(snapshot, { instance }) };
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

    const names = (result: typeof forward) =>
      new Map(result.entities.dags.map(e => [e.metadata.name, e]));
    expect([...names(forward).keys()].sort()).toEqual(
      [...names(backward).keys()].sort(),
    );
    const renamed = forward.entities.dags.find(
      e =>
        e.metadata.annotations?.[AIRFLOW_DAG_ID_ANNOTATION] === 'orders_daily',
    )?.metadata.name;
    expect(renamed).toMatch(/^orders-daily-[0-9a-f]{8}$/);
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

  it('gives the same entities for the same snapshot, and the same objects', () => {
    const { snapshot, entities } = refresh(
      [[dag('orders_daily'), dag('orders.daily'), dag('revenue')]],
      [
        asset(1, 'orders', {
          producers: ['orders_daily'],
          scheduled: ['revenue'],
        }),
      ],
    );
    const copy = structuredClone(entities);

    const again = toAirflowEntities(snapshot, { instance });

    expect(again).toEqual({
      ...copy,
      report: { ...copy.report, unchanged: 3 },
    });
    again.dags.forEach((entity, i) => expect(entity).toBe(entities.dags[i]));
    expect(entities).toEqual(copy);
  });

  it('keeps the draft and entity of each DAG listed as it was, and builds anew what changed', () => {
    const first = refresh(
      [
        [
          dag('orders_daily', { tags: ['etl'] }),
          dag('revenue', { description: 'Revenue' }),
          dag('stock', { owners: ['data-eng'] }),
          dag('audit'),
        ],
      ],
      [asset(1, 'orders', { producers: ['orders_daily'], readers: ['audit'] })],
    );
    const pages = [
      [
        dag('orders_daily', { tags: ['etl'] }),
        dag('revenue', { description: 'Revenue, by region' }),
        dag('stock', { owners: ['someone', 'data-eng'] }),
        dag('audit'),
        // Clashes with orders_daily, and comes first in code-point order.
        dag('orders.daily'),
      ],
    ];
    const assets = [
      asset(1, 'orders', { producers: ['orders_daily'], readers: ['audit'] }),
      asset(2, 'prices', { producers: ['revenue'], readers: ['stock'] }),
    ];

    const next = refresh(pages, assets, options, first.snapshot.dags);

    // Exactly what a first refresh of the same listing gives.
    const fresh = refresh(pages, assets);
    expect(next.entities).toEqual({
      ...fresh.entities,
      report: { ...fresh.entities.report, unchanged: 1 },
    });
    const drafts = (result: typeof first) => result.snapshot.dags;
    const entity = (result: typeof first, name: string) =>
      result.entities.dags.find(e => e.metadata.name === name);
    // Listed as it was, with the same reads and name: the same objects.
    expect(drafts(next).get('audit')).toBe(drafts(first).get('audit'));
    expect(entity(next, 'audit')).toBe(entity(first, 'audit'));
    // A description and owners changed: drafted and built anew.
    expect(drafts(next).get('revenue')).not.toBe(drafts(first).get('revenue'));
    expect(drafts(next).get('stock')).not.toBe(drafts(first).get('stock'));
    // Listed as it was, but renamed by a clash: the draft kept, a new entity.
    expect(drafts(next).get('orders_daily')).toBe(
      drafts(first).get('orders_daily'),
    );
    expect(
      next.entities.dags.find(
        e =>
          e.metadata.annotations?.[AIRFLOW_DAG_ID_ANNOTATION] ===
          'orders_daily',
      ),
    ).not.toBe(entity(first, 'orders-daily'));
    // The earlier refresh's entities are as it emitted them.
    expect(entity(first, 'orders-daily')?.metadata.name).toBe('orders-daily');
    expect(entity(first, 'stock')?.spec.dependsOn).toBeUndefined();
  });

  it("emits from the last refresh's drafts exactly what a first refresh emits, over any sequence of listings", () => {
    // Six ids that clash, each in one of two versions or absent from a
    // listing, and assets linking to any of them: from one listing to the
    // next, DAGs come, go, change, keep their fields but change their reads
    // or their name, or stay exactly as they were.
    const ids = ['a_b', 'a.b', 'a-b', 'c', 'C', 'd'];
    const version = fc.record({
      displayName: fc.constantFrom('a_b', 'Nice name'),
      description: fc.option(fc.constantFrom('x', ''), { nil: undefined }),
      timetableSummary: fc.option(fc.constantFrom('@daily', ''), {
        nil: undefined,
      }),
      owners: fc.array(fc.constantFrom('data-eng', 'nobody', 'Data-Eng'), {
        maxLength: 2,
      }),
      tags: fc.array(fc.constantFrom('etl', 'ETL', 'lifecycle:experimental'), {
        maxLength: 2,
      }),
    });
    const listing = fc.record({
      // Per id: absent, or which version.
      picks: fc.array(fc.constantFrom(undefined, 0, 1), {
        minLength: ids.length,
        maxLength: ids.length,
      }),
      pageSize: fc.integer({ min: 1, max: 4 }),
      // Airflow's asset names are unique.
      links: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom('orders', 'prices'),
          producers: fc.array(fc.constantFrom(...ids), { maxLength: 2 }),
          readers: fc.array(fc.constantFrom(...ids), { maxLength: 2 }),
        }),
        { maxLength: 2, selector: link => link.name },
      ),
    });
    let reused = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(version, version), {
          minLength: ids.length,
          maxLength: ids.length,
        }),
        fc.array(listing, { minLength: 2, maxLength: 4 }),
        (versions, listings) => {
          let previous: ReadonlyMap<string, AirflowDagDraft> | undefined;
          for (const { picks, pageSize, links } of listings) {
            const dags = ids.flatMap((id, i) =>
              picks[i] === undefined ? [] : [dag(id, versions[i][picks[i]])],
            );
            const pages = [];
            for (let at = 0; at < dags.length; at += pageSize) {
              pages.push(dags.slice(at, at + pageSize));
            }
            const assets = links.map((l, i) => asset(i + 1, l.name, l));
            const next = refresh(pages, assets, options, previous);
            const fresh = refresh(pages, assets);
            expect(next.entities).toEqual({
              ...fresh.entities,
              report: {
                ...fresh.entities.report,
                unchanged: next.entities.report.unchanged,
              },
            });
            reused += next.entities.report.unchanged;
            previous = next.snapshot.dags;
          }
        },
      ),
      { numRuns: 300 },
    );
    // The property is about reuse: make sure there was plenty of it.
    expect(reused).toBeGreaterThan(300);
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

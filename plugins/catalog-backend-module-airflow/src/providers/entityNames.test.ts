import { makeValidator } from '@backstage/catalog-model';
import fc from 'fast-check';
import {
  assignEntityNames,
  catalogTag,
  entityName,
  EntityNamer,
} from './entityNames';

const validator = makeValidator();

// Ids as Airflow allows them, and the free text of asset names and URIs.
const airflowId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,250}$/),
  fc.string({ minLength: 1, maxLength: 120 }),
  fc.webUrl(),
);

describe('entityName', () => {
  it.each([
    ['orders_daily', 'orders-daily'],
    ['orders-daily', 'orders-daily'],
    ['Orders.Daily', 'orders-daily'],
    ['a.b/c', 'a-b-c'],
    ['s3://lake/orders/', 's3-lake-orders'],
    ['__init__', 'init'],
  ])('names %s %s', (id, name) => {
    expect(entityName(id)).toBe(name);
  });

  it('cuts long ids and keeps them apart with a hash of the whole id', () => {
    const prefix = 'x'.repeat(70);
    const a = entityName(`${prefix}_a`);
    const b = entityName(`${prefix}_b`);
    expect(a).toHaveLength(63);
    expect(a).toMatch(/^x{54}-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });

  it('names an id without a letter or digit after its hash', () => {
    expect(entityName('__')).toMatch(/^[0-9a-f]{8}$/);
    expect(entityName('日本')).not.toBe(entityName('中国'));
  });

  it('always gives a name the catalog accepts, the same each time', () => {
    fc.assert(
      fc.property(airflowId, id => {
        expect(validator.isValidEntityName(entityName(id))).toBe(true);
        expect(entityName(id)).toBe(entityName(id));
      }),
    );
  });
});

describe('assignEntityNames', () => {
  it('leaves names alone when no two ids share one', () => {
    const { names, collisions } = assignEntityNames(['orders', 'revenue']);
    expect(names).toEqual(
      new Map([
        ['orders', 'orders'],
        ['revenue', 'revenue'],
      ]),
    );
    expect(collisions).toEqual([]);
  });

  it('gives the plain name to the id that is exactly it, a hash suffix to the others', () => {
    const { names, collisions } = assignEntityNames([
      'orders_daily',
      'orders-daily',
      'Orders.Daily',
    ]);
    expect(names.get('orders-daily')).toBe('orders-daily');
    expect(names.get('orders_daily')).toMatch(/^orders-daily-[0-9a-f]{8}$/);
    expect(names.get('Orders.Daily')).toMatch(/^orders-daily-[0-9a-f]{8}$/);
    expect(collisions).toEqual(['Orders.Daily', 'orders_daily']);
  });

  it('without such an id, gives the plain name to the first in code-point order', () => {
    const { names } = assignEntityNames(['orders_daily', 'Orders.Daily']);
    expect(names.get('Orders.Daily')).toBe('orders-daily');
  });

  it('gives every id a unique valid name, whatever the order of the ids', () => {
    const ids = fc.uniqueArray(
      fc.oneof(
        airflowId,
        // Many near-collisions: the same words with other separators.
        fc
          .array(fc.constantFrom('a', 'B', '_', '.', '-', '/'), {
            minLength: 1,
            maxLength: 6,
          })
          .map(parts => parts.join('')),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(
        ids.chain(list =>
          fc.tuple(
            fc.constant(list),
            fc.shuffledSubarray(list, { minLength: list.length }),
          ),
        ),
        ([list, shuffled]) => {
          const { names } = assignEntityNames(list);
          const values = [...names.values()];
          expect(names.size).toBe(list.length);
          expect(new Set(values).size).toBe(values.length);
          for (const name of values) {
            expect(validator.isValidEntityName(name)).toBe(true);
          }
          expect(assignEntityNames(shuffled).names).toEqual(names);
        },
      ),
    );
  });
});

describe('EntityNamer', () => {
  it('names each id as it comes, and renames only the clashing ones once all are in', () => {
    const namer = new EntityNamer();

    expect(namer.name('orders_daily')).toBe('orders-daily');
    expect(namer.name('revenue')).toBe('revenue');
    expect(namer.name('orders-daily')).toBe('orders-daily');

    expect(namer.settle()).toEqual(
      new Map([
        ['orders_daily', expect.stringMatching(/^orders-daily-[0-9a-f]{8}$/)],
      ]),
    );
  });

  it('takes an id given again for the same id, not a clash', () => {
    const namer = new EntityNamer();
    namer.name('orders_daily');
    namer.name('orders_daily');

    expect(namer.settle()).toEqual(new Map());
  });

  it('settles the names assignEntityNames gives, whatever the order and repeats of the ids', () => {
    const words = fc
      .array(fc.constantFrom('a', 'B', '_', '.', '-'), {
        minLength: 1,
        maxLength: 5,
      })
      .map(parts => parts.join(''));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(words, airflowId), { maxLength: 30 }),
        fc.func(fc.integer()),
        (ids, order) => {
          const shuffled = ids
            .concat(ids.filter((_, i) => i % 3 === 0))
            .map((id, i) => ({ id, key: order(i) }))
            .sort((a, b) => a.key - b.key)
            .map(({ id }) => id);
          const namer = new EntityNamer();
          const names = new Map(shuffled.map(id => [id, namer.name(id)]));
          for (const [id, name] of namer.settle()) names.set(id, name);

          expect(names).toEqual(assignEntityNames(ids).names);
        },
      ),
    );
  });
});

describe('catalogTag', () => {
  it.each([
    ['etl', 'etl'],
    ['Team/Data Eng', 'team-data-eng'],
    ['lifecycle:production', 'lifecycle:production'],
    ['c++', 'c++'],
    ['  spark  ', 'spark'],
  ])('turns %s into %s', (tag, expected) => {
    expect(catalogTag(tag)).toBe(expected);
  });

  it('leaves nothing of a tag without a character the catalog allows', () => {
    expect(catalogTag('—')).toBeUndefined();
    expect(catalogTag('')).toBeUndefined();
  });

  it('always gives a tag the catalog accepts, or none', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), tag => {
        const normalised = catalogTag(tag);
        expect(
          normalised === undefined || validator.isValidTag(normalised),
        ).toBe(true);
      }),
    );
  });
});

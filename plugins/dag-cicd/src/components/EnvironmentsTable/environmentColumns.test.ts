import { environmentColumns, shortNamespace } from './environmentColumns';

describe('shortNamespace', () => {
  it.each([
    [
      'file:///work/.data/store/default/orders_daily/ci_ab12cd3/',
      'file://…/orders_daily/ci_ab12cd3/',
    ],
    [
      's3://lake/dag-cicd/default/orders_daily/staging/',
      's3://…/orders_daily/staging/',
    ],
    // Short enough already: shown whole.
    ['s3://lake/orders_daily/ci_1/', 's3://lake/orders_daily/ci_1/'],
    // Not a URI: the last two folders all the same.
    ['/a/b/c/d/', '…/c/d/'],
  ])('shows %s as %s', (uri, shown) => {
    expect(shortNamespace(uri)).toBe(shown);
  });
});

describe('environmentColumns', () => {
  it('keeps cells on one line, but for the status and its message', () => {
    const columns = environmentColumns({ acrossDags: true });
    const styles = columns.map(column => column.cellStyle);
    expect(columns.find(c => c.field === 'status')?.cellStyle).toBeUndefined();
    expect(styles.filter(Boolean)).toHaveLength(columns.length - 1);
    // One object per column: Backstage's Table writes a highlighted
    // column's bold into its style, which must not spread to the others.
    expect(new Set(styles.filter(Boolean)).size).toBe(columns.length - 1);
  });
});

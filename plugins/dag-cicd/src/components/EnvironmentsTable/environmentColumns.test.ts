import { shortNamespace } from './environmentColumns';

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

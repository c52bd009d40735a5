import { environmentsRequest, isSortable } from './environmentsRequest';

const page = { page: 2, pageSize: 25 } as const;

/** A table query: the page above, sorted by the column of `field`. */
function sortedBy(field: string, orderDirection: 'asc' | 'desc') {
  return { ...page, orderBy: { field }, orderDirection } as any;
}

describe('environmentsRequest', () => {
  it("asks for the table's page, in the server's own order when unsorted", () => {
    expect(environmentsRequest(page as any)).toEqual({
      limit: 25,
      offset: 50,
    });
  });

  it('sends only the filters that are set', () => {
    expect(
      environmentsRequest(page as any, {
        entityRef: 'component:default/orders',
        stage: 'ci',
        status: undefined,
        name: '',
      }),
    ).toEqual({
      entityRef: 'component:default/orders',
      stage: 'ci',
      limit: 25,
      offset: 50,
    });
  });

  it('sorts by the columns the server sorts by, either way', () => {
    expect(environmentsRequest(sortedBy('name', 'asc'))).toMatchObject({
      orderBy: 'name',
      order: 'asc',
    });
    expect(environmentsRequest(sortedBy('createdAt', 'desc'))).toMatchObject({
      orderBy: 'createdAt',
      order: 'desc',
    });
  });

  it("keeps the server's order for a column it cannot sort by", () => {
    const request = environmentsRequest(sortedBy('dataNamespace', 'asc'));
    expect(request).not.toHaveProperty('orderBy');
    expect(request).not.toHaveProperty('order');
    expect(isSortable('dataNamespace')).toBe(false);
    expect(isSortable('expiresAt')).toBe(true);
  });
});

import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createGroupMembersReader } from './groupMembers';

describe('createGroupMembersReader', () => {
  const catalog = catalogServiceMock({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'data', namespace: 'default' },
        spec: { type: 'team', children: [] },
        relations: [
          { type: 'hasMember', targetRef: 'user:default/bob' },
          { type: 'hasMember', targetRef: 'user:default/alice' },
          { type: 'childOf', targetRef: 'group:default/engineering' },
          { type: 'ownerOf', targetRef: 'component:default/orders' },
        ],
      },
    ],
  });
  const read = createGroupMembersReader(catalog, mockServices.auth());

  it("reads a group's direct members from its hasMember relations", async () => {
    await expect(read('group:default/data')).resolves.toEqual([
      'user:default/alice',
      'user:default/bob',
    ]);
  });

  it('refuses a group the catalog does not have', async () => {
    await expect(read('group:default/nobody')).rejects.toThrow(NotFoundError);
  });
});

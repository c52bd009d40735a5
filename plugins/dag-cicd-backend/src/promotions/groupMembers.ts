import { AuthService } from '@backstage/backend-plugin-api';
import { RELATION_HAS_MEMBER } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * Reads a group's direct members from the catalog (its `hasMember`
 * relations), as the plugin itself: who may approve does not depend on what
 * the person asking may see.
 *
 * @throws NotFoundError when the catalog has no such group
 */
export function createGroupMembersReader(
  catalog: CatalogService,
  auth: AuthService,
): (groupRef: string) => Promise<string[]> {
  return async groupRef => {
    const group = await catalog.getEntityByRef(groupRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!group) {
      throw new NotFoundError(`The catalog has no group ${groupRef}`);
    }
    return (group.relations ?? [])
      .filter(r => r.type === RELATION_HAS_MEMBER)
      .map(r => r.targetRef)
      .sort();
  };
}

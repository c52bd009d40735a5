import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';

/**
 * Whether an entity is owned by one of `ownershipRefs` (the user and their
 * groups, as the user's Backstage identity lists them).
 */
export function isOwnedByAny(entity: Entity, ownershipRefs: string[]): boolean {
  const refs = new Set(
    ownershipRefs.map(ref => ref.toLocaleLowerCase('en-US')),
  );
  return (entity.relations ?? []).some(
    relation =>
      relation.type === RELATION_OWNED_BY &&
      refs.has(relation.targetRef.toLocaleLowerCase('en-US')),
  );
}

import { Entity, getEntitySourceLocation } from '@backstage/catalog-model';

/**
 * The URL of an entity's source as the catalog knows it: the
 * `backstage.io/source-location` annotation, else the location of its
 * catalog-info file. The repository's policy file, its branches and the
 * links to its commits are all found from here, so that "the DAG's
 * repository" means one thing in the backend and the app.
 *
 * @returns undefined when the entity's source is not a URL (a local file,
 * an entity provider), so no repository applies
 * @public
 */
export function entitySourceUrl(entity: Entity): string | undefined {
  let source: { type: string; target: string };
  try {
    source = getEntitySourceLocation(entity);
  } catch {
    return undefined;
  }
  return source.type === 'url' ? source.target : undefined;
}

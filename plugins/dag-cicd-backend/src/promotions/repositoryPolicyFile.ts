import { UrlReaderService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { entitySourceUrl } from '@dag-cicd/plugin-dag-cicd-common';
import { PolicyFile } from './policy';

/**
 * Finds a DAG's promotion policy file in its repository: `path`
 * (`dagCicd.promotions.policyFile`) resolved against the entity's source
 * location as the catalog knows it — the `backstage.io/source-location`
 * annotation, else the location of its catalog-info file — and read through
 * Backstage's URL reader, with the SCM integrations' credentials and the
 * `backend.reading.allow` list. A relative path is resolved against that
 * folder, a path starting with `/` against the repository's root.
 *
 * The file is read from the branch the source location names (the default
 * branch, as the catalog reads it), never from the commit being promoted:
 * a commit must not bring its own, looser, gates; a policy change is
 * reviewed and merged like any change before it applies.
 *
 * @returns undefined when the entity's source is not a URL (a local file,
 * an entity provider), so no repository file can apply
 */
export function repositoryPolicyFile(
  entity: Entity,
  options: {
    path: string;
    reader: UrlReaderService;
    integrations: ScmIntegrationRegistry;
  },
): PolicyFile | undefined {
  const base = entitySourceUrl(entity);
  if (!base) return undefined;
  const location = options.integrations.resolveUrl({
    url: options.path,
    base,
  });
  return {
    location,
    async read() {
      const response = await options.reader.readUrl(location);
      return (await response.buffer()).toString('utf8');
    },
  };
}

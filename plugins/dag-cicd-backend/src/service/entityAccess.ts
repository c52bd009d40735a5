import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { isAirflowDagEntity } from '@dag-cicd/plugin-dag-cicd-common';

/**
 * Resolves the DAG entity a request names and checks that the caller may act
 * on it. Every endpoint goes through here, so that an entity ref is parsed,
 * looked up and authorised in exactly one way.
 */
export class EntityAccess {
  constructor(
    private readonly catalog: CatalogService,
    private readonly permissions: PermissionsService,
  ) {}

  async require(options: {
    entityRef: string;
    permission: ResourcePermission<'catalog-entity'>;
    credentials: BackstageCredentials;
  }): Promise<string> {
    const ref = parseRef(options.entityRef);
    // The lookup runs with the caller's credentials: an entity the caller
    // cannot see in the catalog is "not found" here too.
    const entity = await this.catalog.getEntityByRef(ref, {
      credentials: options.credentials,
    });
    const entityRef = stringifyEntityRef(ref);
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    if (!isAirflowDagEntity(entity)) {
      throw new InputError(
        `Entity ${entityRef} is not an Airflow DAG: it needs spec.type "airflow-dag" and the annotation airflow.apache.org/dag-id`,
      );
    }
    const [decision] = await this.permissions.authorize(
      [{ permission: options.permission, resourceRef: entityRef }],
      { credentials: options.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${options.permission.name} on ${entityRef}`,
      );
    }
    return entityRef;
  }
}

function parseRef(entityRef: string): CompoundEntityRef {
  try {
    return parseEntityRef(entityRef);
  } catch (error) {
    throw new InputError(
      `entityRef "${entityRef}" is not a full entity ref such as component:default/orders (${
        (error as Error).message
      })`,
    );
  }
}

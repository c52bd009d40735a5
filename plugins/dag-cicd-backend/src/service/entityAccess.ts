import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DAG_CICD_ENVIRONMENT_RESOURCE_TYPE,
  dagCicdEnvironmentReadPermission,
  getAirflowDagId,
  isAirflowDagEntity,
} from '@dag-cicd/plugin-dag-cicd-common';
import { EnvironmentScope } from '../database/EnvironmentStore';
import {
  DagCicdEnvironmentQuery,
  DagCicdEnvironmentResource,
} from '../permissions';
import { Stages } from './stages';

/** A DAG entity a caller has been allowed to act on. */
export interface DagEntity {
  entityRef: string;
  entityNamespace: string;
  dagId: string;
  entity: Entity;
}

// Entities asked of the catalog at once when a list spans entities.
const CATALOG_BATCH = 500;

// What a decision on an entity needs of it.
const DECISION_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.annotations',
  'spec.type',
  'relations',
];

type EnvironmentPermission = ResourcePermission<
  typeof DAG_CICD_ENVIRONMENT_RESOURCE_TYPE
>;

/**
 * Resolves the DAG entity a request names and checks that the caller may act
 * on it in a stage. Every endpoint goes through here, so that an entity ref is
 * parsed, looked up and authorised in exactly one way.
 */
export class EntityAccess {
  readonly #authorizeConditions: (
    decision: Parameters<ReturnType<typeof createConditionAuthorizer>>[0],
    resource: DagCicdEnvironmentResource,
  ) => boolean;

  constructor(
    private readonly catalog: CatalogService,
    private readonly permissions: PermissionsService,
    private readonly auth: AuthService,
    private readonly stages: Stages,
    ruleset: PermissionRuleset<
      DagCicdEnvironmentResource,
      DagCicdEnvironmentQuery,
      typeof DAG_CICD_ENVIRONMENT_RESOURCE_TYPE
    >,
  ) {
    this.#authorizeConditions = createConditionAuthorizer(ruleset);
  }

  /**
   * @param stage - the stage the action touches; absent for actions that
   * span every stage (listing without a stage filter)
   * @throws NotFoundError, InputError or NotAllowedError
   */
  async require(options: {
    entityRef: string;
    permission: EnvironmentPermission;
    credentials: BackstageCredentials;
    stage?: string;
    /**
     * Whether service principals may take this action in the stage,
     * overriding the stage's `allowServices` (which is about environments);
     * promotions have their own rule.
     */
    allowServices?: boolean;
  }): Promise<DagEntity> {
    const { permission, credentials } = options;
    const stage =
      options.stage === undefined ? undefined : this.stages.get(options.stage);
    const ref = parseRef(options.entityRef);
    // A user's lookup runs with their credentials: an entity they cannot see
    // in the catalog is "not found" here too.
    const entity = await this.catalog.getEntityByRef(ref, {
      credentials: await this.#catalogCredentials(credentials),
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
    const denied = () =>
      new NotAllowedError(
        `Not allowed: ${permission.name} on ${entityRef}${
          stage ? ` in stage ${stage.name}` : ''
        }`,
      );

    if (
      this.auth.isPrincipal(credentials, 'service') &&
      permission.attributes.action !== 'read' &&
      stage &&
      !(options.allowServices ?? stage.allowServices)
    ) {
      throw new NotAllowedError(
        `Service principals may not ${
          permission.attributes.action
        } environments in stage ${stage.name}; only in ${this.stages.ordered
          .filter(s => s.allowServices)
          .map(s => s.name)
          .join(', ')} (dagCicd.stages[].allowServices)`,
      );
    }

    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (
      decision.result === AuthorizeResult.DENY ||
      (decision.result === AuthorizeResult.CONDITIONAL &&
        !this.#authorizeConditions(
          decision,
          toResource(entityRef, entity, stage?.name, !!stage?.production),
        ))
    ) {
      throw denied();
    }
    return {
      entityRef,
      entityNamespace: ref.namespace,
      dagId: getAirflowDagId(entity)!,
      entity,
    };
  }

  /**
   * Whose credentials read the catalog for a caller. A user's own, so that
   * catalog visibility applies to them. A service's are the plugin's:
   * Backstage forwards an external token's access to the catalog only when
   * that token may call the catalog itself, and a CI token limited to this
   * plugin (`accessRestrictions: [{ plugin: dag-cicd }]`) should not need to;
   * what the service may do is still decided by the permission policy with
   * the service's own credentials.
   */
  async #catalogCredentials(
    credentials: BackstageCredentials,
  ): Promise<BackstageCredentials> {
    return this.auth.isPrincipal(credentials, 'service')
      ? this.auth.getOwnServiceCredentials()
      : credentials;
  }

  /**
   * The environments of these entities the caller may read, in every stage
   * or in one: one permission decision for the whole request and one catalog
   * read per {@link CATALOG_BATCH} entities, turned into a scope the store
   * applies in SQL. An entity the caller cannot see in the catalog, or that
   * is no longer an Airflow DAG, is out of scope, as `require` would say.
   * A conditional decision is evaluated per entity and stage with the same
   * rules as `require`, so a list never shows what a read by id refuses.
   */
  async readScope(options: {
    entityRefs: string[];
    credentials: BackstageCredentials;
    stage?: string;
  }): Promise<EnvironmentScope> {
    const { credentials } = options;
    const stages =
      options.stage === undefined
        ? this.stages.ordered
        : [this.stages.get(options.stage)];
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission: dagCicdEnvironmentReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) return [];

    const visible: Array<{ entityRef: string; entity: Entity }> = [];
    for (let i = 0; i < options.entityRefs.length; i += CATALOG_BATCH) {
      const entityRefs = options.entityRefs.slice(i, i + CATALOG_BATCH);
      const { items } = await this.catalog.getEntitiesByRefs(
        { entityRefs, fields: DECISION_FIELDS },
        { credentials: await this.#catalogCredentials(credentials) },
      );
      items.forEach((entity, at) => {
        if (entity && isAirflowDagEntity(entity)) {
          visible.push({ entityRef: entityRefs[at], entity });
        }
      });
    }
    if (decision.result === AuthorizeResult.ALLOW) {
      const entityRefs = visible.map(v => v.entityRef);
      return options.stage === undefined
        ? [{ entityRefs }]
        : [{ stage: options.stage, entityRefs }];
    }
    return stages
      .map(stage => ({
        stage: stage.name,
        entityRefs: visible
          .filter(({ entityRef, entity }) =>
            this.#authorizeConditions(
              decision,
              toResource(entityRef, entity, stage.name, !!stage.production),
            ),
          )
          .map(v => v.entityRef),
      }))
      .filter(clause => clause.entityRefs.length > 0);
  }

  /**
   * Loads resources for conditional decisions that another plugin asks this
   * one to apply (`/.well-known/backstage/permissions/apply-conditions`).
   */
  async getResources(
    resourceRefs: string[],
  ): Promise<Array<DagCicdEnvironmentResource | undefined>> {
    const credentials = await this.auth.getOwnServiceCredentials();
    return Promise.all(
      resourceRefs.map(async resourceRef => {
        const at = resourceRef.lastIndexOf('@');
        const entityRef = at < 0 ? resourceRef : resourceRef.slice(0, at);
        const stageName = at < 0 ? undefined : resourceRef.slice(at + 1);
        const stage = this.stages.ordered.find(s => s.name === stageName);
        if (stageName !== undefined && !stage) return undefined;
        const entity = await this.catalog
          .getEntityByRef(entityRef, { credentials })
          .catch(() => undefined);
        return entity
          ? toResource(entityRef, entity, stage?.name, !!stage?.production)
          : undefined;
      }),
    );
  }
}

function toResource(
  entityRef: string,
  entity: Entity,
  stage: string | undefined,
  production: boolean,
): DagCicdEnvironmentResource {
  const ownerRefs = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef);
  return { entityRef, ownerRefs, stage, production };
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

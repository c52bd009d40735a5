import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  AIRFLOW_INSTANCE_ANNOTATION,
  EnvironmentStatus,
  dagCicdEnvironmentCreatePermission,
  dagCicdEnvironmentDeletePermission,
  dagCicdEnvironmentReadPermission,
} from '@dag-cicd/plugin-dag-cicd-common';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import {
  EnvironmentEvent,
  EnvironmentExistsError,
  EnvironmentFilter,
  EnvironmentRecord,
  EnvironmentStore,
  Page,
  PageRequest,
  ProvisioningPlan,
} from '../database/EnvironmentStore';
import { environmentNamespace, isWithin } from '../namespaces/DataNamespace';
import { assertPathSegment } from '../namespaces/pathSegment';
import {
  formatInputProfile,
  parseInputProfile,
} from '../profiles/InputProfile';
import {
  InputProfileOptions,
  ResolvedProfileOptions,
  resolveProfileOptions,
} from '../profiles/InputProfileOptions';
import { DataStores } from '../stores/DataStores';
import { resolveCommit } from './commits';
import { mergeConnections } from './connections';
import { DagSettingsRegistry } from './dagSettings';
import { parseDuration } from './durations';
import { DagEntity, EntityAccess } from './entityAccess';
import { EnvironmentSettings, MIN_TTL_MS } from './environmentSettings';
import { Provisioner } from './Provisioner';
import { Stage, Stages } from './stages';
import { renderTemplate } from './templates';

/** The body of `POST /environments`. */
export interface CreateEnvironmentRequest {
  entityRef: string;
  commit: string;
  name?: string;
  stage?: string;
  profile?: string;
  /** ISO 8601 duration, e.g. `PT6H`. */
  ttl?: string;
  artifacts?: Record<string, string>;
  connections?: Record<string, string>;
  seed?: number;
  /** Tighter sample bounds, for `sample` and `chaos`. */
  sample?: InputProfileOptions['sample'];
  /** Fault rates, for `chaos`. */
  chaos?: InputProfileOptions['chaos'];
}

/** Who is asking: their credentials, and how history names them. */
export interface Caller {
  credentials: BackstageCredentials;
  actor: string;
}

const REQUEST_FIELDS = new Set([
  'entityRef',
  'commit',
  'name',
  'stage',
  'profile',
  'ttl',
  'artifacts',
  'connections',
  'seed',
  'sample',
  'chaos',
]);

// The conf contract's environment name: also a safe path segment.
const ENVIRONMENT_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Environments: create (idempotent per entity, stage and name), read, list,
 * tear down, and their history. Authorisation happens here, through
 * {@link EntityAccess}, so that every entry point (HTTP, scheduled work,
 * later the scaffolder) gets the same rules.
 */
export class EnvironmentService {
  constructor(
    private readonly options: {
      store: EnvironmentStore;
      access: EntityAccess;
      stages: Stages;
      dags: DagSettingsRegistry;
      dataStores: DataStores;
      provisioner: Provisioner;
      settings: EnvironmentSettings;
      /** Store root under which environment namespaces live. */
      root: string;
      now?: () => Date;
    },
  ) {}

  /**
   * Creates an environment and starts provisioning it in the background.
   *
   * @returns the environment, and whether this request created it (false
   * when the same request was made before)
   * @throws ConflictError if an environment of that name exists with a
   * different request
   */
  async create(
    request: CreateEnvironmentRequest,
    caller: Caller,
  ): Promise<{ environment: EnvironmentRecord; created: boolean }> {
    const { stages, store, settings, provisioner } = this.options;
    // A misspelt field (`ttL`, `profil`) must not be silently ignored.
    for (const field of Object.keys(request)) {
      if (!REQUEST_FIELDS.has(field)) {
        throw new InputError(
          `unknown field ${JSON.stringify(field)}; the fields are ${[
            ...REQUEST_FIELDS,
          ].join(', ')}`,
        );
      }
    }
    const stage = stages.get(request.stage ?? stages.first.name);
    const dag = await this.options.access.require({
      entityRef: request.entityRef,
      permission: dagCicdEnvironmentCreatePermission,
      credentials: caller.credentials,
      stage: stage.name,
    });
    const commit = await resolveCommit(store, dag.entityRef, request.commit);
    const name =
      request.name ??
      (stage.name === stages.first.name
        ? `${stage.name}_${commit.slice(0, 7)}`.replace(/-/g, '_')
        : stage.name);
    if (!ENVIRONMENT_NAME.test(name)) {
      throw new InputError(
        `name ${JSON.stringify(
          name,
        )} must be lower-case letters, digits, "_" and "-", starting with a letter, at most 63 characters`,
      );
    }
    const parsed = parseInputProfile(
      request.profile ??
        (stage.production ? 'production-readonly' : settings.defaultProfile),
    );
    const profile = formatInputProfile(parsed);
    const options = resolveProfileOptions(parsed, request, settings);
    const requestHash = hashRequest(
      { ...request, commit, name, profile },
      options.options,
    );

    // Idempotency, fast path: the same request again returns what it made.
    const existing = await store.getLive(dag.entityRef, stage.name, name);
    if (existing) {
      return {
        environment: sameOrConflict(existing, requestHash),
        created: false,
      };
    }

    const now = this.#now();
    const record = await this.#plan(request, dag, {
      commit,
      name,
      profile,
      options,
      stage,
      requestHash,
      createdBy: caller.actor,
      now,
    });
    try {
      const inserted = await store.insert(record, provisioner.newLease());
      provisioner.start(inserted, caller.actor);
      return { environment: inserted, created: true };
    } catch (error) {
      // Another request (maybe on another replica) inserted it first.
      if (error instanceof EnvironmentExistsError) {
        return {
          environment: sameOrConflict(error.existing, requestHash),
          created: false,
        };
      }
      throw error;
    }
  }

  async get(id: string, caller: Caller): Promise<EnvironmentRecord> {
    const { record } = await this.authorize(
      id,
      caller,
      dagCicdEnvironmentReadPermission,
    );
    return record;
  }

  /**
   * An environment and its DAG entity, if the caller holds the permission on
   * the entity in the environment's stage.
   *
   * @throws NotFoundError, NotAllowedError
   */
  async authorize(
    id: string,
    caller: Caller,
    permission: Parameters<EntityAccess['require']>[0]['permission'],
  ): Promise<{ record: EnvironmentRecord; dag: DagEntity }> {
    const record = await this.options.store.get(id);
    if (!record) throw new NotFoundError(`No environment ${id}`);
    const dag = await this.options.access.require({
      entityRef: record.entityRef,
      permission,
      credentials: caller.credentials,
      stage: record.stage,
    });
    return { record, dag };
  }

  /**
   * The configured stages in lane order: configuration shared by every DAG,
   * so reading it needs a caller but no permission on any entity.
   */
  stages(): readonly Stage[] {
    return this.options.stages.ordered;
  }

  /** An environment by id, for scheduled work that acts for nobody in particular. */
  async getUnchecked(id: string): Promise<EnvironmentRecord | undefined> {
    return this.options.store.get(id);
  }

  /**
   * Environments of one entity, or, without `entityRef`, of every DAG the
   * caller may read: authorised once per request and filtered in SQL, so a
   * page costs the same however many environments the caller cannot see.
   */
  async list(
    filter: Omit<EnvironmentFilter, 'scope'>,
    page: PageRequest,
    caller: Caller,
  ): Promise<Page<EnvironmentRecord>> {
    const { access, store } = this.options;
    if (filter.entityRef !== undefined) {
      const dag = await access.require({
        entityRef: filter.entityRef,
        permission: dagCicdEnvironmentReadPermission,
        credentials: caller.credentials,
        stage: filter.stage,
      });
      return store.list({ ...filter, entityRef: dag.entityRef }, page);
    }
    const scope = await access.readScope({
      entityRefs: await store.entityRefs(),
      credentials: caller.credentials,
      stage: filter.stage,
    });
    if (scope.length === 0) return { items: [], totalCount: 0 };
    return store.list({ ...filter, scope }, page);
  }

  /**
   * Gives a live environment a new time to live, counted from now, within
   * the same bounds as at creation; recorded in its history.
   *
   * @throws InputError for production or a TTL out of bounds,
   * ConflictError unless it is provisioning or ready
   */
  async updateTtl(
    id: string,
    ttl: string,
    caller: Caller,
  ): Promise<EnvironmentRecord> {
    const { record } = await this.authorize(
      id,
      caller,
      dagCicdEnvironmentCreatePermission,
    );
    const ttlMs = this.#ttl(ttl, this.options.stages.get(record.stage))!;
    const live: EnvironmentStatus[] = ['provisioning', 'ready'];
    const conflict = (status: EnvironmentStatus) =>
      new ConflictError(
        `${record.name} is ${status}; only a provisioning or ready environment gets a new TTL`,
      );
    if (!live.includes(record.status)) throw conflict(record.status);
    const at = this.#now();
    const updated = await this.options.store.setExpiry(id, {
      from: live,
      expiresAt: new Date(at.getTime() + ttlMs),
      actor: caller.actor,
      at,
      detail: { ttl, previous: record.expiresAt?.toISOString() ?? null },
    });
    // It moved on (say, to tearing-down) between the read and the write.
    if (!updated) throw conflict((await this.options.store.get(id))!.status);
    return updated;
  }

  async history(id: string, caller: Caller): Promise<EnvironmentEvent[]> {
    await this.get(id, caller);
    return this.options.store.history(id);
  }

  /**
   * Starts tearing an environment down. Tearing down one that is already
   * going or gone is not an error: the answer is its current state.
   */
  async teardown(id: string, caller: Caller): Promise<EnvironmentRecord> {
    const { record } = await this.authorize(
      id,
      caller,
      dagCicdEnvironmentDeletePermission,
    );
    if (this.options.stages.get(record.stage).production) {
      throw new InputError(
        `${record.name} is in the production stage ${record.stage}; production environments are never torn down`,
      );
    }
    if (record.status === 'provisioning') {
      throw new ConflictError(
        `${record.name} is still provisioning; tear it down once it is ready or failed`,
      );
    }
    const moved = await this.options.provisioner.beginTeardown(
      record,
      caller.actor,
      'requested',
    );
    return moved ?? (await this.options.store.get(id))!;
  }

  // Everything about a new environment that can be decided before it is
  // stored: every 400 comes from here, before anything is written.
  async #plan(
    request: CreateEnvironmentRequest,
    dag: DagEntity,
    fixed: {
      commit: string;
      name: string;
      profile: string;
      options: ResolvedProfileOptions;
      stage: {
        name: string;
        production: boolean;
        connections: Record<string, string>;
      };
      requestHash: string;
      createdBy: string;
      now: Date;
    },
  ): Promise<EnvironmentRecord> {
    const { root } = this.options;
    const { commit, name, stage, now } = fixed;
    const dagSettings = this.options.dags.forDag(dag);
    const { productionPrefix } = dagSettings;

    const dataNamespace = stage.production
      ? productionPrefix
      : environmentNamespace({
          root,
          entityNamespace: assertPathSegment(
            'entity namespace',
            dag.entityNamespace,
          ),
          dagId: dag.dagId,
          environment: name,
        });
    if (
      !stage.production &&
      (isWithin(productionPrefix, dataNamespace) ||
        isWithin(dataNamespace, productionPrefix))
    ) {
      throw new InputError(
        `The data namespace ${dataNamespace} would overlap the production prefix ${productionPrefix} of ${dag.entityRef}; choose another name, or fix dagCicd.dags[].productionPrefix`,
      );
    }

    const profile = parseInputProfile(fixed.profile);
    if (stage.production && profile.kind !== 'production-readonly') {
      throw new InputError(
        `profile ${fixed.profile}: a production environment reads production data in place; use production-readonly`,
      );
    }
    const instance =
      dag.entity.metadata.annotations?.[AIRFLOW_INSTANCE_ANNOTATION];
    const plan: ProvisioningPlan = {
      dagId: dag.dagId,
      ...(instance && { instance }),
      productionPrefix,
      inputSources: dagSettings.inputs,
      sample: fixed.options.sample,
      chaos: fixed.options.chaos,
    };
    if (profile.kind === 'fixtures') {
      if (!dagSettings.fixturesRoot) {
        throw new InputError(
          `profile ${fixed.profile}: ${dag.entityRef} has no fixture location; configure dagCicd.dags[].fixtures`,
        );
      }
      plan.fixturesRoot = dagSettings.fixturesRoot;
      await this.#requireObjects(
        `${dagSettings.fixturesRoot}${assertPathSegment(
          'fixture set',
          profile.set,
        )}/`,
        `profile ${fixed.profile}: fixture set ${profile.set} not found under ${dagSettings.fixturesRoot}`,
      );
    }
    if (profile.kind === 'from') {
      const source = await this.#findSource(dag.entityRef, profile.environment);
      plan.sourceNamespace = source.dataNamespace;
    }

    const ttlMs = this.#ttl(request.ttl, stage);
    const variables = {
      commit,
      sha7: commit.slice(0, 7),
      environment: name,
      stage: stage.name,
      dagId: dag.dagId,
      entityNamespace: dag.entityNamespace,
      entityName: dag.entity.metadata.name,
      namespace: dataNamespace,
    };
    const artifacts: Record<string, string> = {};
    for (const [key, template] of Object.entries({
      ...dagSettings.artifacts,
      ...request.artifacts,
    })) {
      artifacts[key] = renderTemplate(`artifacts.${key}`, template, variables);
      if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(artifacts[key])) {
        throw new InputError(
          `artifacts.${key} renders to ${JSON.stringify(
            artifacts[key],
          )}, which is not a URI such as s3://bucket/etl/{commit}/etl.jar`,
        );
      }
    }

    return {
      id: randomUUID(),
      entityRef: dag.entityRef,
      stage: stage.name,
      name,
      commit,
      dataNamespace,
      inputs: {},
      artifacts,
      connections: mergeConnections(
        stage.connections,
        dagSettings.connections[stage.name],
        request.connections,
      ),
      profile: fixed.profile,
      status: 'provisioning',
      createdBy: fixed.createdBy,
      createdAt: now,
      updatedAt: now,
      ...(ttlMs !== undefined && {
        expiresAt: new Date(now.getTime() + ttlMs),
      }),
      requestHash: fixed.requestHash,
      seed: request.seed ?? randomInt(0, 2 ** 32 - 1),
      stepsDone: [],
      plan,
      ...(Object.keys(fixed.options.options).length > 0 && {
        profileOptions: fixed.options.options,
      }),
    };
  }

  #ttl(
    ttl: string | undefined,
    stage: { name: string; production: boolean },
  ): number | undefined {
    const { settings, stages } = this.options;
    if (stage.production) {
      if (ttl !== undefined) {
        throw new InputError(
          `ttl: production environments do not expire; leave ttl out for stage ${stage.name}`,
        );
      }
      return undefined;
    }
    if (ttl === undefined) {
      // Per-commit environments expire by default; longer-lived lanes such
      // as staging only when asked to.
      return stage.name === stages.first.name
        ? settings.defaultTtlMs
        : undefined;
    }
    const ms = parseDuration('ttl', ttl);
    if (ms < MIN_TTL_MS || ms > settings.maxTtlMs) {
      throw new InputError(
        `ttl ${ttl} is out of range: it must be between PT5M and ${
          settings.maxTtlMs / 3_600_000
        } hours (dagCicd.environments.maxTtl)`,
      );
    }
    return ms;
  }

  async #findSource(
    entityRef: string,
    name: string,
  ): Promise<EnvironmentRecord> {
    for (const stage of this.options.stages.ordered) {
      const source = await this.options.store.getLive(
        entityRef,
        stage.name,
        name,
      );
      if (source?.status === 'ready') return source;
    }
    throw new InputError(
      `profile from:${name}: ${entityRef} has no ready environment named ${name}`,
    );
  }

  async #requireObjects(prefix: string, message: string): Promise<void> {
    const store = this.options.dataStores.forUri(prefix);
    for await (const _ of store.list(prefix)) return;
    throw new InputError(message);
  }

  #now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

// Only what the caller asked for counts: defaults resolved from the same
// configuration give the same answer, and a seed the caller left out is not
// a difference. Profile options count as checked and normalised (fixed key
// order); none adds nothing, so that environments made before options
// existed still match the same request.
function hashRequest(
  request: CreateEnvironmentRequest,
  options: InputProfileOptions,
): string {
  const canonical = JSON.stringify([
    request.commit,
    request.name,
    request.profile,
    request.ttl ?? null,
    sorted(request.artifacts),
    sorted(request.connections),
    request.seed ?? null,
    ...(Object.keys(options).length > 0
      ? [options.sample ?? null, options.chaos ? sorted(options.chaos) : null]
      : []),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function sorted(map: object | undefined) {
  return Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
}

function sameOrConflict(
  existing: EnvironmentRecord,
  requestHash: string,
): EnvironmentRecord {
  if (existing.requestHash !== requestHash) {
    throw new ConflictError(
      `Environment ${existing.name} of ${existing.entityRef} already exists in stage ${existing.stage} (commit ${existing.commit}, profile ${existing.profile}) and this request differs from the one that created it; tear it down first or choose another name`,
    );
  }
  return existing;
}

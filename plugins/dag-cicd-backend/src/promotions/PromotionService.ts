import {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
} from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import {
  AIRFLOW_INSTANCE_ANNOTATION,
  dagCicdEnvironmentReadPermission,
  dagCicdPromotionApprovePermission,
  dagCicdPromotionExecutePermission,
  dagCicdPromotionRequestPermission,
} from '@dag-cicd/plugin-dag-cicd-common';
import {
  DeployAction,
  DeployOutcome,
  GateDecision,
  PromotionGate,
  PromotionGateContext,
  PromotionSubject,
} from '@dag-cicd/plugin-dag-cicd-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  EnvironmentRecord,
  EnvironmentStore,
} from '../database/EnvironmentStore';
import { resolveCommit } from '../service/commits';
import { SYSTEM_ACTOR } from '../service/Provisioner';
import { DagEntity, EntityAccess } from '../service/entityAccess';
import { Caller } from '../service/EnvironmentService';
import { Stage, Stages } from '../service/stages';
import { DatabasePromotionStore } from './DatabasePromotionStore';
import { auditPromotionHistory } from './auditHistory';
import { PolicyFile, PolicyResolver } from './policy';
import { PromotionNotifier } from './PromotionNotifier';
import {
  DecisionExistsError,
  DecisionRecord,
  DeployResultRecord,
  GateResultRecord,
  PromotionEvent,
  PromotionExecutingError,
  PromotionExistsError,
  PromotionRecord,
  PromotionStatus,
  StagePointer,
} from './PromotionStore';
import { TypeRegistry } from './registry';

/** Builds what gates read for one evaluation; `knex` may be a transaction. */
export type GateContextFactory = (options: {
  knex: Knex;
  promotion: PromotionSubject;
  now: Date;
  decisions: () => Promise<GateDecision[]>;
}) => PromotionGateContext;

/** The body of `POST /promotions`. */
export interface PromotionRequest {
  entityRef: string;
  commit: string;
  fromStage?: string;
  toStage: string;
  comment?: string;
  commitAuthor?: string;
}

/** A decision as the API shows it: whether the approvals gate counts it. */
export interface DecisionView extends DecisionRecord {
  counts: boolean;
  reason?: string;
}

/** A promotion with its decisions, as the API shows it. */
export interface PromotionView extends PromotionRecord {
  decisions: DecisionView[];
}

/** One stage of a DAG's pipeline. */
export interface PipelineStageView {
  name: string;
  production: boolean;
  /**
   * The commit the stage runs: its pointer's once a promotion moved it,
   * else its environment's.
   */
  commit?: string;
  environment?: EnvironmentRecord;
  pointer?: StagePointer;
  openPromotions: PromotionView[];
}

export interface PromotionServiceOptions {
  store: DatabasePromotionStore;
  environments: EnvironmentStore;
  access: EntityAccess;
  auth: AuthService;
  stages: Stages;
  policies: PolicyResolver;
  gates: TypeRegistry<PromotionGate>;
  actions: TypeRegistry<DeployAction>;
  gateContext: GateContextFactory;
  /**
   * The DAG's policy file in its repository, when the platform lets DAGs
   * have one (`dagCicd.promotions.policyFile`); see `repositoryPolicyFile`.
   */
  policyFile?: (entity: Entity) => PolicyFile | undefined;
  logger: LoggerService;
  /** Hears every committed history entry; see `auditPromotionHistory`. */
  auditor?: AuditorService;
  /** Tells approvers and requesters; absent when none is installed. */
  notifications?: NotificationService;
  /**
   * Stages service principals (a CI pipeline) may request promotions into;
   * never production. Default: every stage but the first and production.
   */
  serviceStages?: string[];
  now?: () => Date;
}

// Promotions listed across entities are read up to this many, newest first,
// before the caller's permissions filter them.
const CROSS_ENTITY_SCAN = 1000;

const LIVE: PromotionStatus[] = ['open', 'executing'];

/**
 * Promotions: a commit moving from one stage to the next through the gates
 * of a policy, with approvals, an execution that points the target stage at
 * the commit and runs a deploy action, and a history of every step.
 *
 * Consistency is the database's job: a second open promotion of a commit
 * into a stage, a second decision of one actor and a second execution into
 * a stage are refused by unique indexes, so several replicas on PostgreSQL
 * cannot race past a check. Execution re-evaluates every gate in the
 * transaction that marks the promotion `executing`.
 */
export class PromotionService {
  readonly #serviceStages: Set<string>;
  readonly #notifier: PromotionNotifier;

  constructor(private readonly options: PromotionServiceOptions) {
    const { stages } = options;
    if (options.auditor) {
      options.store.onCommitted(
        auditPromotionHistory(options.auditor, options.logger),
      );
    }
    this.#notifier = new PromotionNotifier({
      notifications: options.notifications,
      logger: options.logger,
    });
    for (const name of options.serviceStages ?? []) {
      if (stages.get(name).production) {
        throw new Error(
          `dagCicd.promotions.serviceStages: service principals never promote into the production stage ${name}`,
        );
      }
    }
    this.#serviceStages = new Set(
      options.serviceStages ??
        stages.ordered
          .slice(1)
          .filter(s => !s.production)
          .map(s => s.name),
    );
  }

  /**
   * Opens a promotion and evaluates its gates at once.
   *
   * @throws InputError (unknown stage, stage skip), ConflictError (commit not
   * ready in the source stage, a live promotion of it exists),
   * NotAllowedError
   */
  async request(
    body: PromotionRequest,
    caller: Caller,
  ): Promise<PromotionView> {
    const { stages, environments, store } = this.options;
    const to = stages.get(body.toStage);
    const toIndex = stages.ordered.indexOf(to);
    if (toIndex === 0) {
      throw new InputError(
        `toStage ${to.name} is the first stage; commits are promoted out of it, not into it`,
      );
    }
    const from = body.fromStage
      ? stages.get(body.fromStage)
      : stages.ordered[toIndex - 1];
    const fromIndex = stages.ordered.indexOf(from);
    if (fromIndex >= toIndex) {
      throw new InputError(
        `A promotion moves forward: ${from.name} comes after or is ${
          to.name
        } in the stages ${this.#lane()}`,
      );
    }
    const isService = this.options.auth.isPrincipal(
      caller.credentials,
      'service',
    );
    if (isService && !this.#serviceStages.has(to.name)) {
      throw new NotAllowedError(
        `Service principals may request promotions only into ${
          [...this.#serviceStages].join(', ') || 'no stage'
        } (dagCicd.promotions.serviceStages), not into ${to.name}`,
      );
    }
    const dag = await this.options.access.require({
      entityRef: body.entityRef,
      permission: dagCicdPromotionRequestPermission,
      credentials: caller.credentials,
      stage: to.name,
      allowServices: true,
    });
    const policy = await this.#policy(dag, to.name);
    if (toIndex - fromIndex > 1 && !policy.allowSkip) {
      throw new InputError(
        `Promoting from ${from.name} to ${to.name} skips ${stages.ordered
          .slice(fromIndex + 1, toIndex)
          .map(s => s.name)
          .join(', ')}; the promotion policy of ${
          to.name
        } does not allow skipping stages (allowSkip)`,
      );
    }
    const commit = await resolveCommit(
      environments,
      dag.entityRef,
      body.commit,
    );
    const source = await this.#readySource(dag.entityRef, commit, from);
    const target = await environments.getLive(dag.entityRef, to.name, to.name);

    const now = this.#now();
    const record: PromotionRecord = {
      id: randomUUID(),
      entityRef: dag.entityRef,
      commit,
      ...(body.commitAuthor && { commitAuthor: body.commitAuthor }),
      fromStage: from.name,
      toStage: to.name,
      status: 'open',
      sourceEnvironmentId: source.id,
      ...(target && { targetEnvironmentId: target.id }),
      policy,
      requestedBy: caller.actor,
      requestedAt: now,
      ...(body.comment && { comment: body.comment }),
      gates: [],
      gatesPassed: false,
      updatedAt: now,
    };
    try {
      await store.insert(record, {
        type: 'requested',
        actor: caller.actor,
        at: now,
        detail: {
          entityRef: dag.entityRef,
          commit,
          fromStage: from.name,
          toStage: to.name,
          sourceEnvironment: source.name,
          policy: {
            source: policy.source,
            ...(policy.name && { name: policy.name }),
          },
          ...(body.comment && { comment: body.comment }),
        },
      });
    } catch (error) {
      if (error instanceof PromotionExistsError) {
        const { items } = await store.list(
          { entityRef: dag.entityRef, toStage: to.name },
          { limit: 20, offset: 0 },
        );
        const live = items.find(
          p => p.commit === commit && LIVE.includes(p.status),
        );
        throw new ConflictError(
          `${dag.entityRef} already has an ${
            live?.status ?? 'open'
          } promotion of commit ${commit.slice(0, 7)} to ${to.name}${
            live ? ` (${live.id})` : ''
          }; approve, execute or cancel it instead of requesting another`,
        );
      }
      throw error;
    }
    const evaluated = await this.#evaluate(store, record, dag, caller.actor);
    if (evaluated) this.#notifyIfAwaiting(record, evaluated, dag);
    return this.#view(evaluated ?? record);
  }

  /** Resolves when notifications in flight were sent (for tests). */
  async settled(): Promise<void> {
    await this.#notifier.settled();
  }

  async get(id: string, caller: Caller): Promise<PromotionView> {
    const { record } = await this.#authorize(
      id,
      caller,
      dagCicdEnvironmentReadPermission,
    );
    return this.#view(record);
  }

  async history(id: string, caller: Caller): Promise<PromotionEvent[]> {
    await this.#authorize(id, caller, dagCicdEnvironmentReadPermission);
    return this.options.store.history(id);
  }

  /**
   * Promotions of one entity, or across the entities the caller may read;
   * `awaiting: 'me'` keeps the open ones the caller may approve and has
   * not decided on (the approvals queue).
   */
  async list(
    query: {
      entityRef?: string;
      status?: PromotionStatus;
      toStage?: string;
      awaiting?: 'me';
    },
    page: { limit: number; offset: number },
    caller: Caller,
  ): Promise<{ items: PromotionView[]; totalCount: number }> {
    const { store, access } = this.options;
    if (query.toStage) this.options.stages.get(query.toStage);
    const status = query.awaiting ? 'open' : query.status;
    if (query.awaiting && query.status && query.status !== 'open') {
      throw new InputError(
        `awaiting=me lists open promotions; drop status=${query.status}`,
      );
    }
    let entityRef: string | undefined;
    if (query.entityRef) {
      const dag = await access.require({
        entityRef: query.entityRef,
        permission: dagCicdEnvironmentReadPermission,
        credentials: caller.credentials,
      });
      entityRef = dag.entityRef;
      if (!query.awaiting) {
        const result = await store.list(
          { entityRef, status, toStage: query.toStage },
          page,
        );
        return {
          items: await this.#views(result.items),
          totalCount: result.totalCount,
        };
      }
    }

    // Across entities, or the approvals queue: filter a bounded scan by
    // what the caller may see and do, then page.
    const { items: scanned } = await store.list(
      { entityRef, status, toStage: query.toStage },
      { limit: CROSS_ENTITY_SCAN, offset: 0 },
    );
    const readable = await this.#readable(scanned, caller);
    const kept = query.awaiting
      ? await this.#awaiting(readable, caller)
      : readable;
    return {
      items: await this.#views(
        kept.slice(page.offset, page.offset + page.limit),
      ),
      totalCount: kept.length,
    };
  }

  /**
   * Approves or rejects an open promotion. One rejection closes it.
   *
   * @throws InputError (self-approval), ConflictError (decided before, or
   * closed), NotAllowedError (no permission, outside the approver group)
   */
  async decide(
    id: string,
    body: { decision: 'approve' | 'reject'; comment?: string },
    caller: Caller,
  ): Promise<PromotionView> {
    const { store } = this.options;
    if (this.options.auth.isPrincipal(caller.credentials, 'service')) {
      throw new NotAllowedError(
        'Service principals cannot approve or reject promotions; a person in the approver group decides',
      );
    }
    const { record, dag } = await this.#authorize(
      id,
      caller,
      dagCicdPromotionApprovePermission,
    );
    assertOpen(record, 'decided on');
    if (body.decision === 'approve') {
      const reason = selfApproval(record, caller.actor);
      if (reason) {
        throw new InputError(
          `You cannot approve this promotion: ${reason}; someone else in the approver group must approve it`,
        );
      }
    }
    const group = approverGroup(record, dag);
    const members = await this.#members(record, dag, group);
    if (!members.has(caller.actor.toLocaleLowerCase('en-US'))) {
      throw new NotAllowedError(
        `Only members of ${group} may approve or reject promotions of ${record.entityRef} to ${record.toStage}`,
      );
    }
    const at = this.#now();
    const decision = {
      actor: caller.actor,
      decision: body.decision,
      ...(body.comment && { comment: body.comment }),
      at,
    };
    try {
      await store.addDecision(id, decision);
    } catch (error) {
      if (error instanceof DecisionExistsError) {
        const previous = (await store.decisions([id]))
          .get(id)!
          .find(d => d.actor === caller.actor);
        throw new ConflictError(
          `You already ${
            previous?.decision === 'reject' ? 'rejected' : 'approved'
          } this promotion; a decision is made once`,
        );
      }
      throw error;
    }
    if (body.decision === 'reject') {
      const rejected = await store.update(id, ['open'], {
        status: 'rejected',
        closedAt: at,
        updatedAt: at,
      });
      if (!rejected) {
        const current = (await store.get(id))!;
        throw new ConflictError(
          `The promotion became ${current.status} before the rejection closed it; the rejection is recorded`,
        );
      }
      this.#notifier.decided(rejected, decision);
      return this.#view(rejected);
    }
    const evaluated = await this.#evaluate(store, record, dag, caller.actor);
    const current = evaluated ?? (await store.get(id))!;
    this.#notifier.decided(current, decision);
    return this.#view(current);
  }

  /** Evaluates the gates of an open promotion again and records the result. */
  async evaluate(id: string, caller: Caller): Promise<PromotionView> {
    const { record, dag } = await this.#authorize(
      id,
      caller,
      dagCicdEnvironmentReadPermission,
    );
    assertOpen(record, 'evaluated');
    const evaluated = await this.#evaluate(
      this.options.store,
      record,
      dag,
      caller.actor,
    );
    if (!evaluated) {
      assertOpen((await this.options.store.get(id))!, 'evaluated');
    }
    if (evaluated) this.#notifyIfAwaiting(record, evaluated, dag);
    return this.#view(evaluated ?? (await this.options.store.get(id))!);
  }

  /**
   * Executes an open promotion: every gate is evaluated again in the
   * transaction that marks it `executing` (a second promotion of the DAG
   * into the stage executing at the same time is refused by the database),
   * then the deploy action runs. Success points the target stage at the
   * commit; a failed deploy leaves the promotion `failed` and the stage as
   * it was.
   *
   * @throws ConflictError when a gate does not pass, the promotion is not
   * open, or another promotion into the stage is executing
   */
  async execute(id: string, caller: Caller): Promise<PromotionView> {
    const { store } = this.options;
    const { record, dag } = await this.#authorize(
      id,
      caller,
      dagCicdPromotionExecutePermission,
    );
    this.#assertServiceMayExecute(caller, record.toStage);
    assertOpen(record, 'executed');

    const actor = caller.actor;
    // Read before the transaction: on SQLite it holds the only connection.
    const target = await this.options.environments.getLive(
      record.entityRef,
      record.toStage,
      record.toStage,
    );
    let outcome:
      | { kind: 'closed'; record: PromotionRecord }
      | { kind: 'blocked'; record: PromotionRecord }
      | { kind: 'executing'; record: PromotionRecord };
    try {
      outcome = await store.transaction(async tx => {
        const current = await tx.get(id, { lock: true });
        if (!current || current.status !== 'open') {
          return { kind: 'closed' as const, record: current ?? record };
        }
        const evaluated = (await this.#evaluate(tx, current, dag, actor))!;
        if (!evaluated.gatesPassed) {
          return { kind: 'blocked' as const, record: evaluated };
        }
        const at = this.#now();
        const executing = await tx.update(
          id,
          ['open'],
          {
            status: 'executing',
            executedBy: actor,
            updatedAt: at,
            ...(target && { targetEnvironmentId: target.id }),
          },
          { type: 'executing', actor, at },
        );
        return { kind: 'executing' as const, record: executing! };
      });
    } catch (error) {
      if (error instanceof PromotionExecutingError) {
        const { items } = await store.list(
          {
            entityRef: record.entityRef,
            toStage: record.toStage,
            status: 'executing',
          },
          { limit: 1, offset: 0 },
        );
        throw new ConflictError(
          `Another promotion of ${record.entityRef} to ${record.toStage}${
            items[0]
              ? ` (${items[0].id}, commit ${items[0].commit.slice(0, 7)})`
              : ''
          } is executing; one promotion into a stage executes at a time — try again when it has finished`,
        );
      }
      throw error;
    }
    if (outcome.kind === 'closed') {
      assertOpen(outcome.record, 'executed');
    }
    if (outcome.kind === 'blocked') {
      this.#notifyIfAwaiting(record, outcome.record, dag);
      throw new ConflictError(
        `Not every gate passes, so ${record.entityRef} cannot be promoted to ${
          record.toStage
        }: ${outcome.record.gates
          .filter(g => g.status !== 'passed')
          .map(g => `${g.gate} is ${g.status} (${g.detail})`)
          .join('; ')}`,
      );
    }

    const deploy = await this.#deploy(outcome.record, dag);
    const at = this.#now();
    const closed = await store.transaction(async tx => {
      if (deploy.status === 'succeeded') {
        await tx.setPointer({
          entityRef: record.entityRef,
          stage: record.toStage,
          commit: record.commit,
          promotionId: id,
          ...(outcome.record.targetEnvironmentId && {
            environmentId: outcome.record.targetEnvironmentId,
          }),
          promotedBy: actor,
          since: at,
        });
      }
      return tx.update(
        id,
        ['executing'],
        {
          status: deploy.status === 'succeeded' ? 'executed' : 'failed',
          deploy,
          closedAt: at,
          updatedAt: at,
        },
        {
          type: deploy.status === 'succeeded' ? 'executed' : 'failed',
          actor,
          at,
          detail: { deploy: deploy as unknown as JsonObject },
        },
      );
    });
    this.#notifier.closed(closed!, actor);
    return this.#view(closed!);
  }

  /** Cancels an open promotion: its requester, or who may execute it. */
  async cancel(
    id: string,
    body: { comment?: string },
    caller: Caller,
  ): Promise<PromotionView> {
    const { record } = await this.#authorize(
      id,
      caller,
      dagCicdEnvironmentReadPermission,
    );
    if (record.requestedBy !== caller.actor) {
      await this.#authorize(id, caller, dagCicdPromotionExecutePermission);
    }
    assertOpen(record, 'cancelled');
    const at = this.#now();
    const cancelled = await this.options.store.update(
      id,
      ['open'],
      { status: 'cancelled', closedAt: at, updatedAt: at },
      {
        type: 'cancelled',
        actor: caller.actor,
        at,
        ...(body.comment && { detail: { comment: body.comment } }),
      },
    );
    if (!cancelled)
      assertOpen((await this.options.store.get(id))!, 'cancelled');
    return this.#view(cancelled!);
  }

  /**
   * Closes promotions whose backend stopped between marking them
   * `executing` and recording the deploy result (a crash, a deploy): they
   * would block their stage forever. They become `failed` with an unknown
   * deploy result and the stage keeps its commit; someone checks the
   * deploy and requests the promotion again. Run by a scheduled task, once
   * across replicas.
   *
   * @returns how many were closed
   */
  async failStuckExecutions(olderThanMs = 30 * 60_000): Promise<number> {
    const { store } = this.options;
    const now = this.#now();
    const ids = await store.findStuckExecuting(
      new Date(now.getTime() - olderThanMs),
      100,
    );
    let closed = 0;
    for (const id of ids) {
      const deploy: DeployResultRecord = {
        action: 'unknown',
        status: 'failed',
        detail:
          'The backend stopped while this promotion was executing, so the deploy result is unknown; check the deploy and request the promotion again',
      };
      const failed = await store.update(
        id,
        ['executing'],
        { status: 'failed', deploy, closedAt: now, updatedAt: now },
        {
          type: 'failed',
          actor: SYSTEM_ACTOR,
          at: now,
          detail: { deploy: deploy as unknown as JsonObject },
        },
      );
      if (failed) {
        closed++;
        this.#notifier.closed(failed, SYSTEM_ACTOR);
      }
    }
    return closed;
  }

  /** For each stage in order: what it runs, since when, and what is coming. */
  async pipeline(
    entityRef: string,
    caller: Caller,
  ): Promise<{ entityRef: string; stages: PipelineStageView[] }> {
    const { access, store, stages } = this.options;
    const dag = await access.require({
      entityRef,
      permission: dagCicdEnvironmentReadPermission,
      credentials: caller.credentials,
    });
    const pointers = await store.pointers(dag.entityRef);
    const { items: live } = await store.list(
      { entityRef: dag.entityRef },
      { limit: 200, offset: 0 },
    );
    const views = await this.#views(live.filter(p => LIVE.includes(p.status)));
    const result: PipelineStageView[] = [];
    for (const stage of stages.ordered) {
      const pointer = pointers.find(p => p.stage === stage.name);
      const environment = await this.#stageEnvironment(
        dag.entityRef,
        stage.name,
        pointer,
      );
      const commit = pointer?.commit ?? environment?.commit;
      result.push({
        name: stage.name,
        production: stage.production,
        ...(commit && { commit }),
        ...(environment && { environment }),
        ...(pointer && { pointer }),
        openPromotions: views.filter(p => p.toStage === stage.name),
      });
    }
    return { entityRef: dag.entityRef, stages: result };
  }

  /**
   * The environment that shows a stage: the one its promotion went through
   * (the stage's standing environment, which keeps the commit it was
   * created with while the pointer moves on), else a ready one of the
   * pointer's commit; an unpromoted stage shows its newest ready one.
   */
  async #stageEnvironment(
    entityRef: string,
    stage: string,
    pointer: StagePointer | undefined,
  ): Promise<EnvironmentRecord | undefined> {
    const { environments } = this.options;
    if (pointer?.environmentId) {
      const through = await environments.get(pointer.environmentId);
      if (through && through.status !== 'deleted') return through;
    }
    const { items } = await environments.list(
      { entityRef, stage, status: 'ready' },
      { limit: pointer ? 100 : 1, offset: 0 },
    );
    return pointer ? items.find(e => e.commit === pointer.commit) : items[0];
  }

  // Runs every gate of the policy with one clock, records the evaluation
  // (each gate's inputs and result) and returns the updated promotion, or
  // undefined when it was no longer open.
  async #evaluate(
    store: DatabasePromotionStore,
    record: PromotionRecord,
    dag: DagEntity,
    actor: string,
  ): Promise<PromotionRecord | undefined> {
    const now = this.#now();
    const context = this.options.gateContext({
      knex: store.knex,
      promotion: this.#subject(record, dag),
      now,
      decisions: async () =>
        ((await store.decisions([record.id])).get(record.id) ?? []).map(d => ({
          actor: d.actor,
          decision: d.decision,
          ...(d.comment && { comment: d.comment }),
          at: d.at,
        })),
    });
    const gates: GateResultRecord[] = [];
    for (const policyGate of record.policy.gates) {
      const gate = this.options.gates.find(policyGate.type);
      const base = {
        gate: policyGate.name,
        type: policyGate.type,
        evaluatedAt: now,
      };
      if (!gate) {
        gates.push({
          ...base,
          status: 'error',
          detail: `The gate type ${policyGate.type} is not installed in this backend`,
          inputs: {},
        });
        continue;
      }
      try {
        const outcome = await gate.evaluate(policyGate.options, context);
        gates.push({
          ...base,
          status: ['passed', 'failed', 'pending', 'error'].includes(
            outcome.status,
          )
            ? outcome.status
            : 'error',
          detail: outcome.detail,
          inputs: outcome.inputs ?? {},
        });
      } catch (error) {
        // A gate that cannot decide never passes.
        gates.push({
          ...base,
          status: 'error',
          detail: `The gate could not be evaluated: ${
            (error as Error).message
          }`,
          inputs: {},
        });
      }
    }
    const gatesPassed = gates.every(g => g.status === 'passed');
    return store.update(
      record.id,
      ['open'],
      { gates, gatesPassed, updatedAt: now },
      {
        type: 'evaluated',
        actor,
        at: now,
        detail: {
          passed: gatesPassed,
          gates: gates.map(g => ({
            ...g,
            evaluatedAt: g.evaluatedAt.toISOString(),
          })),
        },
      },
    );
  }

  async #deploy(
    record: PromotionRecord,
    dag: DagEntity,
  ): Promise<DeployResultRecord> {
    const { deploy } = record.policy;
    const action = this.options.actions.find(deploy.action);
    let outcome: DeployOutcome;
    if (!action) {
      outcome = {
        status: 'failed',
        detail: `The deploy action ${deploy.action} is not installed in this backend`,
      };
    } else {
      try {
        const instance =
          dag.entity.metadata.annotations?.[AIRFLOW_INSTANCE_ANNOTATION];
        outcome = await action.run(deploy.options, {
          promotion: this.#subject(record, dag),
          ...(instance && { instance }),
          dagId: dag.dagId,
        });
      } catch (error) {
        outcome = {
          status: 'failed',
          detail: `The deploy action ${deploy.action} failed: ${
            (error as Error).message
          }`,
        };
      }
    }
    if (outcome.status !== 'succeeded') {
      this.options.logger.warn(
        `dag-cicd: promotion ${record.id} of ${record.entityRef} to ${record.toStage} failed to deploy: ${outcome.detail}`,
      );
    }
    return {
      action: deploy.action,
      status: outcome.status === 'succeeded' ? 'succeeded' : 'failed',
      detail: outcome.detail,
      ...(outcome.output && { output: outcome.output }),
    };
  }

  #subject(record: PromotionRecord, dag: DagEntity): PromotionSubject {
    const ownerRef = ownerOf(dag);
    return {
      id: record.id,
      entityRef: record.entityRef,
      ...(ownerRef && { ownerRef }),
      commit: record.commit,
      fromStage: record.fromStage,
      toStage: record.toStage,
      toProduction: this.options.stages.get(record.toStage).production,
      requestedBy: record.requestedBy,
      requestedAt: record.requestedAt,
      ...(record.commitAuthor && { commitAuthor: record.commitAuthor }),
    };
  }

  async #policy(dag: DagEntity, toStage: string) {
    const file = this.options.policyFile?.(dag.entity);
    return this.options.policies.resolve({
      entityRef: dag.entityRef,
      annotations: dag.entity.metadata.annotations,
      toStage,
      ...(file && { file }),
    });
  }

  // Tells the approver group when the promotion starts to wait on them: its
  // approvals gate is pending and no other gate failed. Once per wait, not
  // on every evaluation.
  #notifyIfAwaiting(
    before: PromotionRecord,
    after: PromotionRecord,
    dag: DagEntity,
  ) {
    if (!awaitsApprovals(after) || awaitsApprovals(before)) return;
    let group: string;
    try {
      group = approverGroup(after, dag);
    } catch {
      return; // nobody may approve: the gate's detail says so
    }
    this.#notifier.awaitingApproval(after, group);
  }

  // The environment of the commit in the source stage, if it is ready; else
  // a 409 that says what is missing.
  async #readySource(
    entityRef: string,
    commit: string,
    from: Stage,
  ): Promise<EnvironmentRecord> {
    const candidates = (
      await this.options.environments.findByCommitPrefix(entityRef, commit)
    ).filter(e => e.stage === from.name && e.commit === commit);
    const ready = candidates.find(e => e.status === 'ready');
    if (ready) return ready;
    const live = candidates.filter(e => e.status !== 'deleted');
    throw new ConflictError(
      live.length > 0
        ? `Commit ${commit.slice(0, 7)} is not ready in ${from.name}: ${live
            .map(
              e =>
                `environment ${e.name} is ${e.status}${
                  e.error ? ` (${e.error})` : ''
                }`,
            )
            .join(', ')}; promote it once an environment of it is ready`
        : `Commit ${commit.slice(0, 7)} of ${entityRef} has no environment in ${
            from.name
          }; create one and let it become ready before promoting it`,
    );
  }

  async #authorize(
    id: string,
    caller: Caller,
    permission: Parameters<EntityAccess['require']>[0]['permission'],
  ): Promise<{ record: PromotionRecord; dag: DagEntity }> {
    const record = await this.options.store.get(id);
    if (!record) throw new NotFoundError(`No promotion ${id}`);
    const dag = await this.options.access.require({
      entityRef: record.entityRef,
      permission,
      credentials: caller.credentials,
      stage: record.toStage,
      // Services are refused approvals and production executions by the
      // promotion rules themselves, with their own messages.
      allowServices: true,
    });
    return { record, dag };
  }

  #assertServiceMayExecute(caller: Caller, toStage: string) {
    if (
      this.options.auth.isPrincipal(caller.credentials, 'service') &&
      !this.#serviceStages.has(toStage)
    ) {
      throw new NotAllowedError(
        `Service principals may not execute promotions into ${toStage}; a person with dag-cicd.promotion.execute does`,
      );
    }
  }

  // The promotions of this list the caller may read.
  async #readable(
    promotions: PromotionRecord[],
    caller: Caller,
  ): Promise<PromotionRecord[]> {
    const allowed = new Map<string, boolean>();
    const kept: PromotionRecord[] = [];
    for (const promotion of promotions) {
      const key = `${promotion.entityRef}@${promotion.toStage}`;
      if (!allowed.has(key)) {
        allowed.set(
          key,
          await this.options.access
            .require({
              entityRef: promotion.entityRef,
              permission: dagCicdEnvironmentReadPermission,
              credentials: caller.credentials,
              stage: promotion.toStage,
            })
            .then(
              () => true,
              () => false,
            ),
        );
      }
      if (allowed.get(key)) kept.push(promotion);
    }
    return kept;
  }

  // Open promotions the caller could approve now and has not decided on.
  async #awaiting(
    promotions: PromotionRecord[],
    caller: Caller,
  ): Promise<PromotionRecord[]> {
    if (this.options.auth.isPrincipal(caller.credentials, 'service')) return [];
    const decisions = await this.options.store.decisions(
      promotions.map(p => p.id),
    );
    const me = caller.actor.toLocaleLowerCase('en-US');
    const kept: PromotionRecord[] = [];
    for (const promotion of promotions) {
      if (promotion.status !== 'open') continue;
      if (selfApproval(promotion, caller.actor)) continue;
      if (decisions.get(promotion.id)!.some(d => d.actor === caller.actor)) {
        continue;
      }
      const dag = await this.options.access
        .require({
          entityRef: promotion.entityRef,
          permission: dagCicdPromotionApprovePermission,
          credentials: caller.credentials,
          stage: promotion.toStage,
        })
        .catch(() => undefined);
      if (!dag) continue;
      const members = await this.#members(
        promotion,
        dag,
        approverGroup(promotion, dag),
      );
      if (members.has(me)) kept.push(promotion);
    }
    return kept;
  }

  // Lower-cased user refs of the approver group (a user owner is its own group).
  async #members(
    record: PromotionRecord,
    dag: DagEntity,
    group: string,
  ): Promise<Set<string>> {
    if (parseEntityRef(group).kind.toLocaleLowerCase('en-US') === 'user') {
      return new Set([group.toLocaleLowerCase('en-US')]);
    }
    const context = this.options.gateContext({
      knex: this.options.store.knex,
      promotion: this.#subject(record, dag),
      now: this.#now(),
      decisions: async () => [],
    });
    const members = await context.groupMembers(group);
    return new Set(members.map(m => m.toLocaleLowerCase('en-US')));
  }

  async #view(record: PromotionRecord): Promise<PromotionView> {
    return (await this.#views([record]))[0];
  }

  async #views(records: PromotionRecord[]): Promise<PromotionView[]> {
    const decisions = await this.options.store.decisions(
      records.map(r => r.id),
    );
    return records.map(record => ({
      ...record,
      decisions: decisions.get(record.id)!.map(d => {
        const reason =
          d.decision === 'approve' ? selfApproval(record, d.actor) : undefined;
        return { ...d, counts: !reason, ...(reason && { reason }) };
      }),
    }));
  }

  #lane(): string {
    return this.options.stages.ordered.map(s => s.name).join(' → ');
  }

  #now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

function assertOpen(record: PromotionRecord, action: string) {
  if (record.status !== 'open') {
    throw new ConflictError(
      `The promotion ${record.id} is ${record.status}; only an open promotion can be ${action}`,
    );
  }
}

// Why an actor's approval does not count, if it does not.
function selfApproval(
  record: PromotionRecord,
  actor: string,
): string | undefined {
  const same = (a?: string) =>
    a !== undefined &&
    a.toLocaleLowerCase('en-US') === actor.toLocaleLowerCase('en-US');
  if (same(record.requestedBy)) return 'you requested it';
  if (same(record.commitAuthor)) return 'you authored the commit';
  return undefined;
}

// The approvals gate is pending and nothing else stands in the way yet.
function awaitsApprovals(record: PromotionRecord): boolean {
  return (
    record.status === 'open' &&
    record.gates.some(g => g.type === 'approvals' && g.status === 'pending') &&
    record.gates.every(g => g.status === 'passed' || g.status === 'pending')
  );
}

function ownerOf(dag: DagEntity): string | undefined {
  return (
    dag.entity.relations?.find(r => r.type === RELATION_OWNED_BY)?.targetRef ??
    undefined
  );
}

/** The approvals gate's `group` option, else the DAG's owner. */
function approverGroup(record: PromotionRecord, dag: DagEntity): string {
  const approvals = record.policy.gates.find(g => g.type === 'approvals');
  const group = approvals?.options.group;
  if (typeof group === 'string' && group) return group;
  const owner = ownerOf(dag);
  if (!owner) {
    throw new NotAllowedError(
      `${record.entityRef} has no owner and its approvals gate names no group, so nobody may approve its promotions`,
    );
  }
  return owner;
}

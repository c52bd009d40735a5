import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { isUniqueViolation } from '../database/isUniqueViolation';
import {
  DecisionExistsError,
  DecisionRecord,
  PromotionEvent,
  PromotionEventType,
  PromotionExecutingError,
  PromotionExistsError,
  PromotionFilter,
  PromotionRecord,
  PromotionStatus,
  StagePointer,
} from './PromotionStore';

const PROMOTIONS = 'dag_cicd_promotions';
const DECISIONS = 'dag_cicd_promotion_decisions';
const EVENTS = 'dag_cicd_promotion_events';
const POINTERS = 'dag_cicd_stage_pointers';

type Timestamp = Date | string | number;

interface PromotionRow {
  id: string;
  entity_ref: string;
  commit_sha: string;
  commit_author: string | null;
  from_stage: string;
  to_stage: string;
  status: string;
  source_environment_id: string;
  target_environment_id: string | null;
  policy: string;
  requested_by: string;
  requested_at: Timestamp;
  comment: string | null;
  executed_by: string | null;
  closed_at: Timestamp | null;
  deploy: string | null;
  gates: string;
  gates_passed: boolean | number;
  updated_at: Timestamp;
}

// SQLite hands timestamps back as numbers or strings, PostgreSQL as Dates.
const toDate = (value: Timestamp) =>
  value instanceof Date ? value : new Date(value);

function fromRow(row: PromotionRow): PromotionRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    commit: row.commit_sha,
    ...(row.commit_author && { commitAuthor: row.commit_author }),
    fromStage: row.from_stage,
    toStage: row.to_stage,
    status: row.status as PromotionStatus,
    sourceEnvironmentId: row.source_environment_id,
    ...(row.target_environment_id && {
      targetEnvironmentId: row.target_environment_id,
    }),
    policy: JSON.parse(row.policy),
    requestedBy: row.requested_by,
    requestedAt: toDate(row.requested_at),
    ...(row.comment && { comment: row.comment }),
    ...(row.executed_by && { executedBy: row.executed_by }),
    ...(row.closed_at !== null && { closedAt: toDate(row.closed_at) }),
    ...(row.deploy && { deploy: JSON.parse(row.deploy) }),
    gates: JSON.parse(row.gates).map((g: { evaluatedAt: string }) => ({
      ...g,
      evaluatedAt: new Date(g.evaluatedAt),
    })),
    gatesPassed: Boolean(row.gates_passed),
    updatedAt: toDate(row.updated_at),
  };
}

/** The columns a status change or an evaluation may write. */
export type PromotionPatch = Partial<
  Pick<
    PromotionRecord,
    | 'status'
    | 'gates'
    | 'gatesPassed'
    | 'executedBy'
    | 'closedAt'
    | 'deploy'
    | 'targetEnvironmentId'
  >
> & { updatedAt: Date };

function patchColumns(patch: PromotionPatch): Record<string, unknown> {
  const columns: Record<string, unknown> = { updated_at: patch.updatedAt };
  if (patch.status) columns.status = patch.status;
  if (patch.gates) columns.gates = JSON.stringify(patch.gates);
  if (patch.gatesPassed !== undefined) columns.gates_passed = patch.gatesPassed;
  if (patch.executedBy) columns.executed_by = patch.executedBy;
  if (patch.closedAt) columns.closed_at = patch.closedAt;
  if (patch.deploy) columns.deploy = JSON.stringify(patch.deploy);
  if (patch.targetEnvironmentId)
    columns.target_environment_id = patch.targetEnvironmentId;
  return columns;
}

/** An event to record, without the id the database gives it. */
export type NewPromotionEvent = Omit<PromotionEvent, 'id' | 'promotionId'>;

/** A history entry that was committed, with its promotion. */
export type CommittedPromotionEvent = NewPromotionEvent & {
  promotionId: string;
};

/** Told about history entries once their transaction has committed. */
export type PromotionHistoryListener = (
  events: CommittedPromotionEvent[],
) => void;

/**
 * Promotions, their decisions, history and the stage pointers, on the
 * plugin's database through knex. Every method that changes a promotion
 * records its history entry in the same transaction.
 *
 * {@link DatabasePromotionStore.transaction} hands out a store bound to one
 * transaction, so that the promotion service can re-evaluate gates (through
 * {@link DatabasePromotionStore.knex}) and move a promotion to `executing`
 * atomically.
 *
 * Listeners ({@link DatabasePromotionStore.onCommitted}) hear of history
 * entries only after their transaction committed: an evaluation rolled back
 * with a refused execution is never audited as if it had happened.
 */
export class DatabasePromotionStore {
  readonly #listeners: PromotionHistoryListener[];
  // Set on a store bound to a transaction: entries waiting for its commit.
  readonly #uncommitted?: CommittedPromotionEvent[];

  constructor(
    readonly knex: Knex,
    internal?: {
      listeners: PromotionHistoryListener[];
      uncommitted: CommittedPromotionEvent[];
    },
  ) {
    this.#listeners = internal?.listeners ?? [];
    this.#uncommitted = internal?.uncommitted;
  }

  /** Adds a listener of committed history entries (the auditor). */
  onCommitted(listener: PromotionHistoryListener) {
    this.#listeners.push(listener);
  }

  async transaction<T>(
    work: (store: DatabasePromotionStore) => Promise<T>,
  ): Promise<T> {
    // Inside a transaction already: its commit is the one that counts.
    if (this.#uncommitted) return work(this);
    const uncommitted: CommittedPromotionEvent[] = [];
    const result = await this.knex.transaction(tx =>
      work(this.#bound(tx, uncommitted)),
    );
    this.#publish(uncommitted);
    return result;
  }

  #bound(tx: Knex, uncommitted: CommittedPromotionEvent[]) {
    return new DatabasePromotionStore(tx, {
      listeners: this.#listeners,
      uncommitted,
    });
  }

  #publish(events: CommittedPromotionEvent[]) {
    if (events.length === 0) return;
    for (const listener of this.#listeners) listener(events);
  }

  /**
   * @throws PromotionExistsError when the commit already has a live
   * promotion into the stage — decided by the database
   */
  async insert(record: PromotionRecord, event: NewPromotionEvent) {
    try {
      await this.transaction(async store => {
        await store.knex(PROMOTIONS).insert({
          id: record.id,
          entity_ref: record.entityRef,
          commit_sha: record.commit,
          commit_author: record.commitAuthor ?? null,
          from_stage: record.fromStage,
          to_stage: record.toStage,
          status: record.status,
          source_environment_id: record.sourceEnvironmentId,
          target_environment_id: record.targetEnvironmentId ?? null,
          policy: JSON.stringify(record.policy),
          requested_by: record.requestedBy,
          requested_at: record.requestedAt,
          comment: record.comment ?? null,
          gates: JSON.stringify(record.gates),
          gates_passed: record.gatesPassed,
          updated_at: record.updatedAt,
        });
        await store.addEvent(record.id, event);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new PromotionExistsError();
      throw error;
    }
  }

  /** A promotion; `lock` holds it until the transaction ends (PostgreSQL). */
  async get(
    id: string,
    options?: { lock?: boolean },
  ): Promise<PromotionRecord | undefined> {
    const query = this.knex<PromotionRow>(PROMOTIONS).where({ id });
    if (options?.lock && this.knex.client.config.client !== 'better-sqlite3') {
      query.forUpdate();
    }
    const row = await query.first();
    return row && fromRow(row as PromotionRow);
  }

  /** Promotions matching the filter, newest first, and how many match. */
  async list(
    filter: PromotionFilter & { entityRefs?: string[] },
    page: { limit: number; offset: number },
  ): Promise<{ items: PromotionRecord[]; totalCount: number }> {
    const where = (query: Knex.QueryBuilder) => {
      if (filter.entityRef) query.where('entity_ref', filter.entityRef);
      if (filter.entityRefs) query.whereIn('entity_ref', filter.entityRefs);
      if (filter.status) query.where('status', filter.status);
      if (filter.toStage) query.where('to_stage', filter.toStage);
      return query;
    };
    const rows: PromotionRow[] = await where(this.knex(PROMOTIONS).select('*'))
      .orderBy([
        { column: 'requested_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(page.limit)
      .offset(page.offset);
    const [{ count }] = await where(
      this.knex(PROMOTIONS).count({
        count: '*',
      }),
    );
    return { items: rows.map(fromRow), totalCount: Number(count) };
  }

  /**
   * Applies a patch if the promotion is in one of `from`, with its history
   * entry.
   *
   * @returns the updated promotion, or undefined if it was not in `from`
   * @throws PromotionExecutingError when the patch moves it to `executing`
   * while another promotion of the DAG into the stage is executing
   */
  async update(
    id: string,
    from: PromotionStatus[],
    patch: PromotionPatch,
    event?: NewPromotionEvent,
  ): Promise<PromotionRecord | undefined> {
    const work = async (store: DatabasePromotionStore) => {
      const changed = await store
        .knex(PROMOTIONS)
        .where({ id })
        .whereIn('status', from)
        .update(patchColumns(patch));
      if (!changed) return undefined;
      if (event) await store.addEvent(id, event);
      return store.get(id);
    };
    try {
      return this.#uncommitted
        ? await work(this)
        : await this.transaction(work);
    } catch (error) {
      if (patch.status === 'executing' && isUniqueViolation(error)) {
        throw new PromotionExecutingError();
      }
      throw error;
    }
  }

  /** Ids of promotions `executing` since before `before`, oldest first. */
  async findStuckExecuting(before: Date, limit: number): Promise<string[]> {
    const rows = await this.knex(PROMOTIONS)
      .where('status', 'executing')
      .andWhere('updated_at', '<', before)
      .orderBy('updated_at', 'asc')
      .limit(limit)
      .select('id');
    return rows.map(row => row.id);
  }

  async addEvent(promotionId: string, event: NewPromotionEvent) {
    await this.knex(EVENTS).insert({
      promotion_id: promotionId,
      type: event.type,
      actor: event.actor,
      at: event.at,
      detail: event.detail ? JSON.stringify(event.detail) : null,
    });
    const committed = { ...event, promotionId };
    if (this.#uncommitted) this.#uncommitted.push(committed);
    else this.#publish([committed]);
  }

  /** The promotion's history, oldest first. */
  async history(promotionId: string): Promise<PromotionEvent[]> {
    const rows = await this.knex(EVENTS)
      .where({ promotion_id: promotionId })
      .orderBy('id', 'asc');
    return rows.map(row => ({
      id: Number(row.id),
      promotionId: row.promotion_id,
      type: row.type as PromotionEventType,
      actor: row.actor,
      at: toDate(row.at),
      ...(row.detail && { detail: JSON.parse(row.detail) as JsonObject }),
    }));
  }

  /**
   * Records a decision and its history entry.
   *
   * @throws DecisionExistsError when the actor already decided
   */
  async addDecision(promotionId: string, decision: DecisionRecord) {
    try {
      await this.transaction(async store => {
        await store.knex(DECISIONS).insert({
          promotion_id: promotionId,
          actor: decision.actor,
          decision: decision.decision,
          comment: decision.comment ?? null,
          at: decision.at,
        });
        await store.addEvent(promotionId, {
          type: decision.decision === 'approve' ? 'approved' : 'rejected',
          actor: decision.actor,
          at: decision.at,
          ...(decision.comment && { detail: { comment: decision.comment } }),
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DecisionExistsError();
      throw error;
    }
  }

  /** Decisions of promotions, oldest first, by promotion id. */
  async decisions(
    promotionIds: string[],
  ): Promise<Map<string, DecisionRecord[]>> {
    const byPromotion = new Map<string, DecisionRecord[]>(
      promotionIds.map(id => [id, []]),
    );
    if (promotionIds.length === 0) return byPromotion;
    const rows = await this.knex(DECISIONS)
      .whereIn('promotion_id', promotionIds)
      .orderBy([
        { column: 'at', order: 'asc' },
        { column: 'actor', order: 'asc' },
      ]);
    for (const row of rows) {
      byPromotion.get(row.promotion_id)!.push({
        actor: row.actor,
        decision: row.decision,
        ...(row.comment && { comment: row.comment }),
        at: toDate(row.at),
      });
    }
    return byPromotion;
  }

  /** Where each stage of the entity points, for stages promoted into. */
  async pointers(entityRef: string): Promise<StagePointer[]> {
    const rows = await this.knex(POINTERS).where({ entity_ref: entityRef });
    return rows.map(row => ({
      entityRef: row.entity_ref,
      stage: row.stage,
      commit: row.commit_sha,
      promotionId: row.promotion_id,
      ...(row.environment_id && { environmentId: row.environment_id }),
      promotedBy: row.promoted_by,
      since: toDate(row.since),
    }));
  }

  /** Points a stage at a commit, replacing where it pointed before. */
  async setPointer(pointer: StagePointer) {
    await this.knex(POINTERS)
      .insert({
        entity_ref: pointer.entityRef,
        stage: pointer.stage,
        commit_sha: pointer.commit,
        promotion_id: pointer.promotionId,
        environment_id: pointer.environmentId ?? null,
        promoted_by: pointer.promotedBy,
        since: pointer.since,
      })
      .onConflict(['entity_ref', 'stage'])
      .merge();
  }
}

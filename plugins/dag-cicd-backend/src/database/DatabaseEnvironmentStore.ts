import { Knex } from 'knex';
import { EnvironmentStatus } from '@dag-cicd/plugin-dag-cicd-common';
import {
  CompletedStep,
  EnvironmentEvent,
  EnvironmentExistsError,
  EnvironmentFilter,
  EnvironmentOrder,
  EnvironmentRecord,
  EnvironmentScope,
  EnvironmentStore,
  ExpiryChange,
  Page,
  PageRequest,
  ProvisioningStep,
  Transition,
} from './EnvironmentStore';

const TABLE = 'dag_cicd_environments';
const EVENTS = 'dag_cicd_environment_events';

// Statuses in which work is under way and a lease says who does it.
const BUSY: EnvironmentStatus[] = ['provisioning', 'tearing-down'];

/** A row of `dag_cicd_environments`, as the drivers return it. */
export interface EnvironmentRow {
  id: string;
  entity_ref: string;
  stage: string;
  name: string;
  commit_sha: string;
  data_namespace: string;
  inputs: string;
  artifacts: string;
  connections: string;
  profile: string;
  status: string;
  error: string | null;
  created_by: string;
  created_at: Date | string | number;
  updated_at: Date | string | number;
  expires_at: Date | string | number | null;
  request_hash: string;
  steps_done: string;
  lease_owner: string | null;
  lease_until: Date | string | number | null;
  seed: number | string;
  plan: string;
  profile_options: string | null;
}

interface EventRow {
  id: number | string;
  environment_id: string;
  type: string;
  from_status: string | null;
  to_status: string | null;
  step: string | null;
  actor: string;
  at: Date | string | number;
  detail: string | null;
}

// SQLite hands timestamps back as numbers or strings, PostgreSQL as Dates.
function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

function fromRow(row: EnvironmentRow): EnvironmentRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    stage: row.stage,
    name: row.name,
    commit: row.commit_sha,
    dataNamespace: row.data_namespace,
    inputs: JSON.parse(row.inputs),
    artifacts: JSON.parse(row.artifacts),
    connections: JSON.parse(row.connections),
    profile: row.profile,
    status: row.status as EnvironmentStatus,
    error: row.error ?? undefined,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    expiresAt: row.expires_at === null ? undefined : toDate(row.expires_at),
    requestHash: row.request_hash,
    seed: Number(row.seed),
    stepsDone: JSON.parse(row.steps_done),
    plan: JSON.parse(row.plan),
    ...(row.profile_options && {
      profileOptions: JSON.parse(row.profile_options),
    }),
  };
}

/** The row of an environment, without its lease. */
export function toRow(
  record: EnvironmentRecord,
): Omit<EnvironmentRow, 'lease_owner' | 'lease_until'> {
  return {
    id: record.id,
    entity_ref: record.entityRef,
    stage: record.stage,
    name: record.name,
    commit_sha: record.commit,
    data_namespace: record.dataNamespace,
    inputs: JSON.stringify(record.inputs),
    artifacts: JSON.stringify(record.artifacts),
    connections: JSON.stringify(record.connections),
    profile: record.profile,
    status: record.status,
    error: record.error ?? null,
    created_by: record.createdBy,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    expires_at: record.expiresAt ?? null,
    request_hash: record.requestHash,
    steps_done: JSON.stringify(record.stepsDone),
    seed: record.seed,
    plan: JSON.stringify(record.plan),
    profile_options: record.profileOptions
      ? JSON.stringify(record.profileOptions)
      : null,
  };
}

function fromEventRow(row: EventRow): EnvironmentEvent {
  return {
    id: Number(row.id),
    environmentId: row.environment_id,
    type: row.type as EnvironmentEvent['type'],
    ...(row.from_status && { from: row.from_status as EnvironmentStatus }),
    ...(row.to_status && { to: row.to_status as EnvironmentStatus }),
    ...(row.step && { step: row.step as ProvisioningStep }),
    actor: row.actor,
    at: toDate(row.at),
    ...(row.detail && { detail: JSON.parse(row.detail) }),
  };
}

function withSteps(stepsDone: string, steps: CompletedStep[]): string {
  const done: ProvisioningStep[] = JSON.parse(stepsDone);
  for (const { step } of steps) if (!done.includes(step)) done.push(step);
  return JSON.stringify(done);
}

async function insertSteps(
  tx: Knex.Transaction,
  id: string,
  steps: CompletedStep[],
  by: { actor: string; at: Date },
): Promise<void> {
  if (steps.length === 0) return;
  await tx(EVENTS).insert(
    steps.map(({ step, detail }) => ({
      environment_id: id,
      type: 'step',
      from_status: null,
      to_status: null,
      step,
      actor: by.actor,
      at: by.at,
      detail: detail ? JSON.stringify(detail) : null,
    })),
  );
}

// The only columns a list is ordered by: a request names an order, never a column.
const ORDER_COLUMNS: Record<EnvironmentOrder, string> = {
  createdAt: 'created_at',
  name: 'name',
  stage: 'stage',
  status: 'status',
  expiresAt: 'expires_at',
};

// `LIKE` text matching itself only: `_` is common in environment names.
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, c => `\\${c}`)}%`;
}

// (stage = s AND entity_ref IN (...)) OR ...: the scope as one condition.
function whereInScope(query: Knex.QueryBuilder, scope: EnvironmentScope) {
  if (scope.length === 0) {
    query.whereRaw('1 = 0');
    return;
  }
  query.where(any => {
    for (const clause of scope) {
      any.orWhere(one => {
        one.whereIn('entity_ref', clause.entityRefs);
        if (clause.stage !== undefined) one.andWhere('stage', clause.stage);
      });
    }
  });
}

// The drivers' words for a unique-key violation.
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' || // PostgreSQL
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/** {@link EnvironmentStore} on the plugin's own database (SQLite or PostgreSQL), through knex. */
export class DatabaseEnvironmentStore implements EnvironmentStore {
  constructor(private readonly db: Knex) {}

  async insert(
    record: EnvironmentRecord,
    lease: { owner: string; until: Date },
  ): Promise<EnvironmentRecord> {
    try {
      await this.db.transaction(async tx => {
        await tx(TABLE).insert({
          ...toRow(record),
          lease_owner: lease.owner,
          lease_until: lease.until,
        });
        await tx(EVENTS).insert({
          environment_id: record.id,
          type: 'transition',
          from_status: null,
          to_status: record.status,
          step: null,
          actor: record.createdBy,
          at: record.createdAt,
          detail: JSON.stringify({
            commit: record.commit,
            profile: record.profile,
          }),
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        const existing = await this.getLive(
          record.entityRef,
          record.stage,
          record.name,
        );
        // The winner may already have been torn down; then the caller can
        // simply try again.
        if (existing) throw new EnvironmentExistsError(existing);
      }
      throw error;
    }
    return record;
  }

  async get(id: string): Promise<EnvironmentRecord | undefined> {
    const row = await this.db<EnvironmentRow>(TABLE).where({ id }).first();
    return row && fromRow(row);
  }

  async getLive(
    entityRef: string,
    stage: string,
    name: string,
  ): Promise<EnvironmentRecord | undefined> {
    const row = await this.db<EnvironmentRow>(TABLE)
      .where({ entity_ref: entityRef, stage, name })
      .whereNot('status', 'deleted')
      .first();
    return row && fromRow(row);
  }

  async findByCommitPrefix(
    entityRef: string,
    prefix: string,
  ): Promise<EnvironmentRecord[]> {
    const rows: EnvironmentRow[] = await this.db(TABLE)
      .where('entity_ref', entityRef)
      .andWhere('commit_sha', 'like', `${prefix.replace(/[%_\\]/g, '')}%`)
      .limit(50);
    return rows.map(fromRow);
  }

  async entityRefs(): Promise<string[]> {
    const rows: Array<{ entity_ref: string }> = await this.db(TABLE)
      .distinct('entity_ref')
      .orderBy('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  async list(
    filter: EnvironmentFilter,
    page: PageRequest,
  ): Promise<Page<EnvironmentRecord>> {
    const where = (query: Knex.QueryBuilder) => {
      if (filter.entityRef) query.where('entity_ref', filter.entityRef);
      if (filter.scope) whereInScope(query, filter.scope);
      if (filter.stage) query.andWhere('stage', filter.stage);
      if (filter.status) query.andWhere('status', filter.status);
      if (filter.name) {
        // Names are lower-case; so is what they are searched for.
        query.andWhereRaw(`name like ? escape '\\'`, [
          likeContains(filter.name.toLocaleLowerCase('en-US')),
        ]);
      }
      return query;
    };
    const column = ORDER_COLUMNS[page.orderBy ?? 'createdAt'];
    const order = page.order === 'asc' ? 'asc' : 'desc';
    // Both reads see one snapshot, so the total matches the page.
    return this.db.transaction(async tx => {
      const rows: EnvironmentRow[] = await where(tx(TABLE).select('*'))
        // Environments that never expire come last either way, on both
        // engines (knex's `nulls: 'last'` follows the direction on SQLite).
        // Column and direction come from the whitelists above, never input.
        .orderByRaw(`(?? is null), ?? ${order}`, [column, column])
        .orderBy([
          // Ties in a stable order, so that pages neither repeat nor skip.
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(page.limit)
        .offset(page.offset);
      const [{ count }] = await where(tx(TABLE).count({ count: '*' }));
      return { items: rows.map(fromRow), totalCount: Number(count) };
    });
  }

  async setExpiry(
    id: string,
    change: ExpiryChange,
  ): Promise<EnvironmentRecord | undefined> {
    return this.db.transaction(async tx => {
      const updated = await tx(TABLE)
        .where({ id })
        .whereIn('status', change.from)
        .update({ expires_at: change.expiresAt, updated_at: change.at });
      if (updated !== 1) return undefined;
      await tx(EVENTS).insert({
        environment_id: id,
        type: 'expiry',
        from_status: null,
        to_status: null,
        step: null,
        actor: change.actor,
        at: change.at,
        detail: JSON.stringify({
          ...change.detail,
          expiresAt: change.expiresAt.toISOString(),
        }),
      });
      const after = await tx<EnvironmentRow>(TABLE).where({ id }).first();
      return after && fromRow(after);
    });
  }

  async transition(
    id: string,
    transition: Transition,
    patch: Partial<Pick<EnvironmentRecord, 'inputs'>> = {},
  ): Promise<EnvironmentRecord | undefined> {
    const atRest = !BUSY.includes(transition.to);
    return this.db.transaction(async tx => {
      const row = await tx<EnvironmentRow>(TABLE).where({ id }).first();
      if (!row || !transition.from.includes(row.status as EnvironmentStatus)) {
        return undefined;
      }
      const steps = transition.steps ?? [];
      const updated = await tx(TABLE)
        .where({ id, status: row.status })
        .update({
          ...(steps.length && { steps_done: withSteps(row.steps_done, steps) }),
          status: transition.to,
          error: transition.error ?? null,
          updated_at: transition.at,
          ...(patch.inputs && { inputs: JSON.stringify(patch.inputs) }),
          ...(atRest && { lease_owner: null, lease_until: null }),
        });
      // A concurrent transition won between our read and our update.
      if (updated !== 1) return undefined;
      await insertSteps(tx, id, steps, transition);
      await tx(EVENTS).insert({
        environment_id: id,
        type: 'transition',
        from_status: row.status,
        to_status: transition.to,
        step: null,
        actor: transition.actor,
        at: transition.at,
        detail: JSON.stringify({
          ...transition.detail,
          ...(transition.error && { error: transition.error }),
        }),
      });
      const after = await tx<EnvironmentRow>(TABLE).where({ id }).first();
      return after && fromRow(after);
    });
  }

  async completeSteps(
    id: string,
    steps: CompletedStep[],
    options: {
      actor: string;
      at: Date;
      leaseUntil: Date;
      patch?: Partial<Pick<EnvironmentRecord, 'inputs'>>;
    },
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const row = await tx<EnvironmentRow>(TABLE).where({ id }).first();
      if (!row) return;
      await tx(TABLE)
        .where({ id })
        .update({
          steps_done: withSteps(row.steps_done, steps),
          lease_until: options.leaseUntil,
          updated_at: options.at,
          ...(options.patch?.inputs && {
            inputs: JSON.stringify(options.patch.inputs),
          }),
        });
      await insertSteps(tx, id, steps, options);
    });
  }

  async claim(
    id: string,
    lease: { owner: string; until: Date; now: Date },
  ): Promise<EnvironmentRecord | undefined> {
    // One conditional UPDATE: of several replicas racing for the same
    // environment, exactly one sees a changed row.
    const updated = await this.db(TABLE)
      .where({ id })
      .whereIn('status', BUSY)
      .andWhere(q =>
        q
          .whereNull('lease_until')
          .orWhere('lease_until', '<', lease.now)
          .orWhere('lease_owner', lease.owner),
      )
      .update({ lease_owner: lease.owner, lease_until: lease.until });
    return updated === 1 ? this.get(id) : undefined;
  }

  async findAbandoned(now: Date, limit: number): Promise<EnvironmentRecord[]> {
    const rows: EnvironmentRow[] = await this.db(TABLE)
      .whereIn('status', BUSY)
      .andWhere(q =>
        q.whereNull('lease_until').orWhere('lease_until', '<', now),
      )
      .orderBy('updated_at')
      .limit(limit);
    return rows.map(fromRow);
  }

  async findExpired(now: Date, limit: number): Promise<EnvironmentRecord[]> {
    const rows: EnvironmentRow[] = await this.db(TABLE)
      .whereIn('status', ['ready', 'failed'])
      .andWhere('expires_at', '<', now)
      .orderBy('expires_at')
      .limit(limit);
    return rows.map(fromRow);
  }

  async history(id: string): Promise<EnvironmentEvent[]> {
    const rows: EventRow[] = await this.db(EVENTS)
      .where('environment_id', id)
      .orderBy('id');
    return rows.map(fromEventRow);
  }
}

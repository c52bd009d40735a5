import { Knex } from 'knex';
import {
  EnvironmentFilter,
  EnvironmentRecord,
  EnvironmentStore,
  Page,
  PageRequest,
} from './EnvironmentStore';

const TABLE = 'dag_cicd_environments';

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
    status: row.status as EnvironmentRecord['status'],
    error: row.error ?? undefined,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    expiresAt: row.expires_at === null ? undefined : toDate(row.expires_at),
  };
}

/** {@link EnvironmentStore} on the plugin's own database (SQLite or PostgreSQL), through knex. */
export class DatabaseEnvironmentStore implements EnvironmentStore {
  constructor(private readonly db: Knex) {}

  async list(
    filter: EnvironmentFilter,
    page: PageRequest,
  ): Promise<Page<EnvironmentRecord>> {
    const where = (query: Knex.QueryBuilder) => {
      query.where('entity_ref', filter.entityRef);
      if (filter.stage) query.andWhere('stage', filter.stage);
      if (filter.status) query.andWhere('status', filter.status);
      return query;
    };
    // Both reads see one snapshot, so the total matches the page.
    return this.db.transaction(async tx => {
      const rows: EnvironmentRow[] = await where(tx(TABLE).select('*'))
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(page.limit)
        .offset(page.offset);
      const [{ count }] = await where(tx(TABLE).count({ count: '*' }));
      return { items: rows.map(fromRow), totalCount: Number(count) };
    });
  }
}

import { TableProps } from '@backstage/core-components';
import {
  Environment,
  ListEnvironments,
} from '@dag-cicd/plugin-dag-cicd-common';

/** What a remote table asks for when it loads a page: page, size, sort. */
export type TableQuery = Parameters<
  Extract<TableProps<Environment>['data'], (...args: any[]) => unknown>
>[0];

/** What the server lists environments by. */
export type EnvironmentsRequest = ListEnvironments['query'];

type OrderBy = NonNullable<EnvironmentsRequest['orderBy']>;

/**
 * What narrows a list of environments on the server: one DAG entity (none
 * for every DAG the user may read), a stage, a status, part of a name.
 *
 * @public
 */
export interface EnvironmentsFilter {
  entityRef?: string;
  stage?: string;
  status?: Environment['status'];
  name?: string;
}

/**
 * The columns the server sorts by, keyed by the column's field; a column
 * not named here is not sortable, since only the server sees every row.
 */
const ORDER_BY: Partial<Record<keyof Environment, OrderBy>> = {
  name: 'name',
  stage: 'stage',
  status: 'status',
  createdAt: 'createdAt',
  expiresAt: 'expiresAt',
};

/** Whether the server sorts by a column's field. */
export function isSortable(field: unknown): boolean {
  return typeof field === 'string' && field in ORDER_BY;
}

/**
 * The server request for the page a table asks for: the table's page and
 * sort turned into limit, offset and order, and only the filters that are
 * set. A column the server cannot sort by leaves the server's order.
 */
export function environmentsRequest(
  query: TableQuery,
  filter: EnvironmentsFilter = {},
): EnvironmentsRequest {
  const orderBy = ORDER_BY[query.orderBy?.field as keyof Environment];
  return {
    ...(filter.entityRef && { entityRef: filter.entityRef }),
    limit: query.pageSize,
    offset: query.page * query.pageSize,
    ...(filter.stage && { stage: filter.stage }),
    ...(filter.status && { status: filter.status }),
    ...(filter.name && { name: filter.name }),
    ...(orderBy && {
      orderBy,
      order: query.orderDirection === 'asc' ? 'asc' : 'desc',
    }),
  };
}

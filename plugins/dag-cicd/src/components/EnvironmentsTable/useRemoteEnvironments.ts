import { useApi } from '@backstage/core-plugin-api';
import { useCallback, useEffect, useRef, useState } from 'react';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import {
  environmentsRequest,
  EnvironmentsFilter,
  TableQuery,
} from './environmentsRequest';

/**
 * Environments for a remote table, a page at a time: the server filters,
 * sorts, pages and counts, so a list of thousands never loads them all.
 *
 * Returns the table's `data` loader, the `tableRef` to hand the table (a new
 * filter or `refreshKey` loads the first page again through it), and the
 * last load's error, shown by the caller.
 */
export function useRemoteEnvironments(
  filter: EnvironmentsFilter,
  refreshKey?: unknown,
) {
  const api = useApi(dagCicdApiRef);
  const [error, setError] = useState<Error>();
  const tableRef = useRef<any>();
  const { entityRef, stage, status, name } = filter;

  const load = useCallback(
    async (query: TableQuery) => {
      try {
        const page = await api.listEnvironments(
          environmentsRequest(query, { entityRef, stage, status, name }),
        );
        setError(undefined);
        return {
          data: page.items,
          page: query.page,
          totalCount: page.totalCount,
        };
      } catch (e) {
        setError(e as Error);
        return { data: [], page: 0, totalCount: 0 };
      }
    },
    [api, entityRef, stage, status, name],
  );

  // The table loads its first page itself; after that, a new filter or a
  // refresh asks the server again, from the first page, keeping the sort.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    tableRef.current?.onQueryChange?.({ page: 0 });
  }, [entityRef, stage, status, name, refreshKey]);

  return { load, tableRef, error };
}

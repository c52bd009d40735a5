import { ResponseErrorPanel, Table } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import { ReactNode, useMemo, useState } from 'react';
import { environmentColumns, serverSortOptions } from './environmentColumns';
import { EnvironmentsFilterBar } from './EnvironmentsFilterBar';
import { EnvironmentsFilter } from './environmentsRequest';
import { useRemoteEnvironments } from './useRemoteEnvironments';

const PAGE_SIZES = [10, 25, 50];
/** @public */
export interface EnvironmentsTableProps {
  entityRef: string;
  /** The entity, to link commits to its source repository. */
  entity?: Entity;
  /** The configured stages, for the stage filter; from the pipeline. */
  stages?: string[];
  /** Called with the environment a person clicks on. */
  onSelect?: (environment: Environment) => void;
  /** Shown in the toolbar, e.g. the button that creates an environment. */
  actions?: ReactNode;
  /** Change it to load the current page again (after a create or teardown). */
  refreshKey?: unknown;
}

/**
 * The environments of one DAG entity, a page at a time: the server filters,
 * sorts, pages and counts, so a DAG with thousands of environments never
 * loads them all.
 *
 * @public
 */
export function EnvironmentsTable(props: EnvironmentsTableProps) {
  const {
    entityRef,
    entity,
    stages = [],
    onSelect,
    actions,
    refreshKey,
  } = props;
  const [filter, setFilter] = useState<Omit<EnvironmentsFilter, 'entityRef'>>(
    {},
  );
  const { load, tableRef, error } = useRemoteEnvironments(
    { ...filter, entityRef },
    refreshKey,
  );
  const columns = useMemo(() => environmentColumns({ entity }), [entity]);

  return (
    <>
      {error && <ResponseErrorPanel error={error} />}
      <EnvironmentsFilterBar
        stages={stages}
        filter={filter}
        onChange={setFilter}
        actions={actions}
      />
      <Table<Environment>
        title="Environments"
        tableRef={tableRef}
        columns={columns}
        data={load}
        onRowClick={(_event, row) => row && onSelect?.(row)}
        options={{
          paging: true,
          pageSize: PAGE_SIZES[0],
          pageSizeOptions: PAGE_SIZES,
          search: false,
          padding: 'dense',
          ...serverSortOptions,
          debounceInterval: 0,
        }}
        localization={{
          body: {
            emptyDataSourceMessage:
              'No environments match. An environment is this DAG at one commit, with its own data namespace, inputs and Airflow connections: create one to run the DAG end to end without touching production.',
          },
        }}
      />
    </>
  );
}

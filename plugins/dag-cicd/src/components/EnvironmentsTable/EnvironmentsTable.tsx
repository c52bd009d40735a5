import {
  EmptyState,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { dagCicdApiRef } from '../../api/DagCicdApi';

const PAGE_SIZES = [10, 25, 50];

const columns: TableColumn<Environment>[] = [
  { title: 'Name', field: 'name', highlight: true },
  { title: 'Stage', field: 'stage' },
  {
    title: 'Commit',
    field: 'commit',
    render: env => <code title={env.commit}>{env.commit.slice(0, 7)}</code>,
  },
  { title: 'Profile', field: 'profile' },
  { title: 'Status', field: 'status' },
  { title: 'Data namespace', field: 'dataNamespace' },
  { title: 'Created by', field: 'createdBy' },
  {
    title: 'Expires',
    field: 'expiresAt',
    render: env =>
      env.expiresAt ? new Date(env.expiresAt).toLocaleString() : 'never',
  },
];

/**
 * The environments of one DAG entity, a page at a time: the server pages and
 * counts, so a DAG with thousands of environments never loads them all.
 *
 * @public
 */
export function EnvironmentsTable(props: { entityRef: string }) {
  const api = useApi(dagCicdApiRef);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]);

  const { value, loading, error } = useAsync(
    () =>
      api.listEnvironments({
        entityRef: props.entityRef,
        limit: pageSize,
        offset: page * pageSize,
      }),
    [api, props.entityRef, page, pageSize],
  );

  const onRowsPerPageChange = useCallback((size: number) => {
    setPageSize(size);
    setPage(0);
  }, []);

  if (error) {
    return <ResponseErrorPanel error={error} />;
  }

  if (!loading && value?.totalCount === 0) {
    return (
      <EmptyState
        missing="data"
        title="No environments yet"
        description="An environment is this DAG at one commit, with its own data namespace, inputs and Airflow connections. Create one from a commit to run the DAG end to end without touching production."
      />
    );
  }

  return (
    <Table<Environment>
      title="Environments"
      isLoading={loading}
      columns={columns}
      data={value?.items ?? []}
      page={page}
      totalCount={value?.totalCount ?? 0}
      onPageChange={setPage}
      onRowsPerPageChange={onRowsPerPageChange}
      options={{
        paging: true,
        pageSize,
        pageSizeOptions: PAGE_SIZES,
        search: false,
        padding: 'dense',
      }}
    />
  );
}

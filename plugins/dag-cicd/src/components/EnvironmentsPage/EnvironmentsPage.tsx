import { ResponseErrorPanel, Table } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { DagCicdPage } from '../DagCicdPage/DagCicdPage';
import {
  environmentColumns,
  serverSortOptions,
} from '../EnvironmentsTable/environmentColumns';
import { EnvironmentsFilterBar } from '../EnvironmentsTable/EnvironmentsFilterBar';
import { EnvironmentsFilter } from '../EnvironmentsTable/environmentsRequest';
import { useRemoteEnvironments } from '../EnvironmentsTable/useRemoteEnvironments';

const PAGE_SIZES = [20, 50, 100];

const columns = environmentColumns({ acrossDags: true });

/**
 * The environments of every DAG the user may read, a page at a time: the
 * server pages, sorts and counts, so the page stays fast with thousands.
 *
 * @public
 */
export function EnvironmentsOverview() {
  const api = useApi(dagCicdApiRef);
  const [filter, setFilter] = useState<EnvironmentsFilter>({});
  const { load, tableRef, error } = useRemoteEnvironments(filter);
  // The stage filter offers the configured stages. Until they arrive, or if
  // they cannot be read, the page filters by name and status only: the list
  // itself does not depend on them, so that is no error worth a panel.
  const { value: stages } = useAsync(
    async () => (await api.listStages()).map(stage => stage.name),
    [api],
  );
  return (
    <>
      {error && <ResponseErrorPanel error={error} />}
      <EnvironmentsFilterBar
        stages={stages}
        filter={filter}
        onChange={setFilter}
      />
      <Table<Environment>
        title="Environments of every DAG"
        tableRef={tableRef}
        columns={columns}
        data={load}
        options={{
          paging: true,
          pageSize: PAGE_SIZES[0],
          pageSizeOptions: PAGE_SIZES,
          search: false,
          padding: 'dense',
          ...serverSortOptions,
        }}
      />
    </>
  );
}

/**
 * A page listing the environments of every DAG.
 *
 * @public
 */
export function EnvironmentsPage() {
  return (
    <DagCicdPage
      title="Environments"
      subtitle="Every DAG at every commit under test, across stages"
      help="An environment is one DAG at one commit in one stage, with its own data namespace. Create one from a DAG's CI/CD tab."
    >
      <EnvironmentsOverview />
    </DagCicdPage>
  );
}

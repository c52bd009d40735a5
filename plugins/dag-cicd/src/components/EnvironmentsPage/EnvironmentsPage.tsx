import {
  Content,
  ContentHeader,
  Header,
  Page,
  ResponseErrorPanel,
  SupportButton,
  Table,
  TableColumn,
  TableProps,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Environment,
  ListEnvironments,
} from '@dag-cicd/plugin-dag-cicd-common';
import Typography from '@material-ui/core/Typography';
import { useCallback, useState } from 'react';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { RunState } from '../DagCard/RunState';
import { fromNow } from '../DagCard/when';

/** What the table asks for when it loads a page from the server. */
type RemoteQuery = Parameters<
  Extract<TableProps<Environment>['data'], (...args: any[]) => unknown>
>[0];

type OrderBy = NonNullable<ListEnvironments['query']['orderBy']>;

/** The columns the server sorts by, keyed by the column's field. */
const SORTABLE: Partial<Record<keyof Environment, OrderBy>> = {
  name: 'name',
  stage: 'stage',
  status: 'status',
  createdAt: 'createdAt',
  expiresAt: 'expiresAt',
};

const PAGE_SIZES = [20, 50, 100];

const columns: TableColumn<Environment>[] = [
  {
    title: 'DAG',
    field: 'entityRef',
    sorting: false,
    render: env => <EntityRefLink entityRef={env.entityRef} hideIcon />,
  },
  { title: 'Name', field: 'name', highlight: true },
  { title: 'Stage', field: 'stage' },
  {
    title: 'Commit',
    field: 'commit',
    sorting: false,
    render: env => <code title={env.commit}>{env.commit.slice(0, 7)}</code>,
  },
  { title: 'Profile', field: 'profile', sorting: false },
  {
    title: 'Status',
    field: 'status',
    render: env => (
      <>
        {env.status}
        {env.error && (
          <Typography variant="caption" color="error" display="block">
            {env.error}
          </Typography>
        )}
      </>
    ),
  },
  {
    title: 'Last run',
    field: 'lastRun',
    sorting: false,
    render: env =>
      env.lastRun ? (
        <RunState state={env.lastRun.state} uiUrl={env.lastRun.uiUrl} />
      ) : (
        '—'
      ),
  },
  {
    title: 'Created by',
    field: 'createdBy',
    sorting: false,
    render: env => (
      <EntityRefLink entityRef={env.createdBy} defaultKind="user" hideIcon />
    ),
  },
  {
    title: 'Created',
    field: 'createdAt',
    defaultSort: 'desc',
    render: env => (
      <span title={new Date(env.createdAt).toLocaleString()}>
        {fromNow(env.createdAt)}
      </span>
    ),
  },
  {
    title: 'Expires',
    field: 'expiresAt',
    render: env => (env.expiresAt ? fromNow(env.expiresAt) : 'never'),
  },
];

/**
 * The environments of every DAG the user may read, a page at a time: the
 * server pages, sorts and counts, so the page stays fast with thousands.
 *
 * @public
 */
export function EnvironmentsOverview() {
  const api = useApi(dagCicdApiRef);
  const [error, setError] = useState<Error>();

  const load = useCallback(
    async (query: RemoteQuery) => {
      const orderBy = SORTABLE[query.orderBy?.field as keyof Environment];
      try {
        const page = await api.listEnvironments({
          limit: query.pageSize,
          offset: query.page * query.pageSize,
          ...(orderBy && {
            orderBy,
            order: query.orderDirection === 'asc' ? 'asc' : 'desc',
          }),
        });
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
    [api],
  );

  return (
    <>
      {error && <ResponseErrorPanel error={error} />}
      <Table<Environment>
        title="Environments of every DAG"
        columns={columns}
        data={load}
        options={{
          paging: true,
          pageSize: PAGE_SIZES[0],
          pageSizeOptions: PAGE_SIZES,
          search: false,
          sorting: true,
          padding: 'dense',
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
    <Page themeId="tool">
      <Header
        title="Environments"
        subtitle="Every DAG at every commit under test, across stages"
      />
      <Content>
        <ContentHeader title="">
          <SupportButton>
            An environment is one DAG at one commit in one stage, with its own
            data namespace. Create one from a DAG's CI/CD tab.
          </SupportButton>
        </ContentHeader>
        <EnvironmentsOverview />
      </Content>
    </Page>
  );
}

import {
  CopyTextButton,
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  Environment,
  ListEnvironments,
} from '@dag-cicd/plugin-dag-cicd-common';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import {
  ReactNode,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { CommitLink } from './commitLink';
import { EnvironmentStatusLabel, RunStateLabel } from './StatusLabels';
import { expiresIn } from './timeLeft';

const PAGE_SIZES = [10, 25, 50];
const STATUSES: Environment['status'][] = [
  'provisioning',
  'ready',
  'failed',
  'tearing-down',
  'deleted',
];

type Query = NonNullable<ListEnvironments['query']>;
type OrderBy = NonNullable<Query['orderBy']>;

/** The columns the server sorts by; the others are not sortable. */
const SORTABLE = new Set<string>([
  'createdAt',
  'name',
  'stage',
  'status',
  'expiresAt',
]);

/** What the filter bar narrows the page to. @public */
export interface EnvironmentsFilter {
  stage?: string;
  status?: Environment['status'];
  name?: string;
}

function columnsFor(entity?: Entity): TableColumn<Environment>[] {
  const columns: TableColumn<Environment>[] = [
    { title: 'Name', field: 'name', highlight: true },
    { title: 'Stage', field: 'stage' },
    {
      title: 'Commit',
      field: 'commit',
      render: env => <CommitLink commit={env.commit} entity={entity} />,
    },
    { title: 'Profile', field: 'profile' },
    {
      title: 'Data namespace',
      field: 'dataNamespace',
      render: env => (
        <Box display="flex" alignItems="center">
          <code>{env.dataNamespace}</code>
          {/* Inside a clickable row: copying must not open the details. */}
          <span onClick={e => e.stopPropagation()} role="presentation">
            <CopyTextButton
              text={env.dataNamespace}
              tooltipText="Namespace copied"
              aria-label={`Copy the data namespace of ${env.name}`}
            />
          </span>
        </Box>
      ),
    },
    {
      title: 'Status',
      field: 'status',
      render: env => (
        <EnvironmentStatusLabel status={env.status} error={env.error} />
      ),
    },
    {
      title: 'Last run',
      field: 'lastRun',
      render: env => {
        if (!env.lastRun) return 'none';
        const state = <RunStateLabel state={env.lastRun.state} />;
        return env.lastRun.uiUrl ? (
          <span onClick={e => e.stopPropagation()} role="presentation">
            <Link to={env.lastRun.uiUrl}>{state}</Link>
          </span>
        ) : (
          state
        );
      },
    },
    { title: 'Created by', field: 'createdBy' },
    {
      title: 'Expires',
      field: 'expiresAt',
      render: env => (
        <span title={env.expiresAt ?? undefined}>
          {expiresIn(env.expiresAt)}
        </span>
      ),
    },
  ];
  return columns.map(column => ({
    ...column,
    sorting: SORTABLE.has(String(column.field)),
  }));
}

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
  const api = useApi(dagCicdApiRef);
  const [filter, setFilter] = useState<EnvironmentsFilter>({});
  const [nameInput, setNameInput] = useState('');
  const [error, setError] = useState<Error>();
  const tableRef = useRef<any>();
  const columns = useMemo(() => columnsFor(entity), [entity]);

  // Typing narrows by name after a pause, not on every key stroke.
  useEffect(() => {
    const name = nameInput.trim() || undefined;
    const timer = setTimeout(
      () => setFilter(f => (f.name === name ? f : { ...f, name })),
      300,
    );
    return () => clearTimeout(timer);
  }, [nameInput]);

  // A new filter or a refresh asks the server again, from the first page.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    tableRef.current?.onQueryChange?.({ page: 0 });
  }, [filter, refreshKey]);

  const load = useCallback(
    async (query: {
      page: number;
      pageSize: number;
      orderBy?: TableColumn<Environment>;
      orderDirection?: string;
    }) => {
      const field = query.orderBy?.field as string | undefined;
      const request: Query = {
        entityRef,
        limit: query.pageSize,
        offset: query.page * query.pageSize,
        ...(filter.stage && { stage: filter.stage }),
        ...(filter.status && { status: filter.status }),
        ...(filter.name && { name: filter.name }),
        ...(field &&
          SORTABLE.has(field) && {
            orderBy: field as OrderBy,
            order: query.orderDirection === 'asc' ? 'asc' : 'desc',
          }),
      };
      try {
        const page = await api.listEnvironments(request);
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
    [api, entityRef, filter],
  );

  return (
    <>
      {error && <ResponseErrorPanel error={error} />}
      <Box display="flex" alignItems="center" flexWrap="wrap" my={1}>
        <TextField
          label="Name"
          placeholder="contains…"
          value={nameInput}
          onChange={e => setNameInput(e.target.value)}
          inputProps={{ maxLength: 64, 'aria-label': 'Filter by name' }}
          variant="outlined"
          size="small"
          style={{ marginRight: 8 }}
        />
        <TextField
          select
          label="Stage"
          value={filter.stage ?? ''}
          onChange={e =>
            setFilter(f => ({ ...f, stage: e.target.value || undefined }))
          }
          variant="outlined"
          size="small"
          style={{ minWidth: 140, marginRight: 8 }}
          SelectProps={{
            SelectDisplayProps: { 'aria-label': 'Filter by stage' } as any,
          }}
        >
          <MenuItem value="">All stages</MenuItem>
          {stages.map(stage => (
            <MenuItem key={stage} value={stage}>
              {stage}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Status"
          value={filter.status ?? ''}
          onChange={e =>
            setFilter(f => ({
              ...f,
              status: (e.target.value || undefined) as Environment['status'],
            }))
          }
          variant="outlined"
          size="small"
          style={{ minWidth: 140, marginRight: 8 }}
          SelectProps={{
            SelectDisplayProps: { 'aria-label': 'Filter by status' } as any,
          }}
        >
          <MenuItem value="">All statuses</MenuItem>
          {STATUSES.map(status => (
            <MenuItem key={status} value={status}>
              {status}
            </MenuItem>
          ))}
        </TextField>
        <Box flexGrow={1} />
        {actions}
      </Box>
      <Table<Environment>
        title="Environments"
        tableRef={tableRef}
        columns={columns}
        data={load as any}
        onRowClick={(_event, row) => row && onSelect?.(row)}
        options={{
          paging: true,
          pageSize: PAGE_SIZES[0],
          pageSizeOptions: PAGE_SIZES,
          search: false,
          padding: 'dense',
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

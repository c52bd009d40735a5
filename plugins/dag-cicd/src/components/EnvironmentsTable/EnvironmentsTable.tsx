import { ResponseErrorPanel, Table } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { ReactNode, useEffect, useMemo, useState } from 'react';
import { environmentColumns, serverSortOptions } from './environmentColumns';
import { EnvironmentsFilter } from './environmentsRequest';
import { useRemoteEnvironments } from './useRemoteEnvironments';

const PAGE_SIZES = [10, 25, 50];
const STATUSES: Environment['status'][] = [
  'provisioning',
  'ready',
  'failed',
  'tearing-down',
  'deleted',
];

/** A select of the filter bar: one of `options`, or all of them. */
function FilterSelect<T extends string>(props: {
  label: string;
  /** Names every option: "All stages". */
  all: string;
  options: readonly T[];
  value?: T;
  onChange: (value: T | undefined) => void;
}) {
  const { label, all, options, value, onChange } = props;
  return (
    <TextField
      select
      label={label}
      value={value ?? ''}
      onChange={e => onChange((e.target.value || undefined) as T | undefined)}
      variant="outlined"
      size="small"
      style={{ minWidth: 140, marginRight: 8 }}
      SelectProps={{
        SelectDisplayProps: {
          'aria-label': `Filter by ${label.toLocaleLowerCase('en-US')}`,
        } as any,
      }}
    >
      <MenuItem value="">{all}</MenuItem>
      {options.map(option => (
        <MenuItem key={option} value={option}>
          {option}
        </MenuItem>
      ))}
    </TextField>
  );
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
  const [filter, setFilter] = useState<Omit<EnvironmentsFilter, 'entityRef'>>(
    {},
  );
  const [nameInput, setNameInput] = useState('');
  const { load, tableRef, error } = useRemoteEnvironments(
    { ...filter, entityRef },
    refreshKey,
  );
  const columns = useMemo(() => environmentColumns({ entity }), [entity]);

  // Typing narrows by name after a pause, not on every key stroke.
  useEffect(() => {
    const name = nameInput.trim() || undefined;
    const timer = setTimeout(
      () => setFilter(f => (f.name === name ? f : { ...f, name })),
      300,
    );
    return () => clearTimeout(timer);
  }, [nameInput]);

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
        <FilterSelect
          label="Stage"
          all="All stages"
          options={stages}
          value={filter.stage}
          onChange={stage => setFilter(f => ({ ...f, stage }))}
        />
        <FilterSelect
          label="Status"
          all="All statuses"
          options={STATUSES}
          value={filter.status}
          onChange={status => setFilter(f => ({ ...f, status }))}
        />
        <Box flexGrow={1} />
        {actions}
      </Box>
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

import {
  CopyTextButton,
  Link,
  TableColumn,
  TableOptions,
} from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import Box from '@material-ui/core/Box';
import { ReactNode } from 'react';
import { ActorLink } from '../ActorLink';
import { CommitLink } from '../CommitLink';
import { isSortable } from './environmentsRequest';
import { EnvironmentStatusLabel, RunStateLabel } from './StatusLabels';
import { expiresIn, relativeTime } from '../../timeFromNow';

/** Inside a clickable row: using a control must not open the details. */
function OwnClick(props: { children: ReactNode }) {
  return (
    <span onClick={e => e.stopPropagation()} role="presentation">
      {props.children}
    </span>
  );
}

/**
 * A namespace as a table cell shows it: its scheme and last two folders
 * (`file://…/orders_daily/ci_ab12cd3/`), which tell environments apart; the
 * whole URI is in the cell's title and behind its copy button.
 */
export function shortNamespace(uri: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(uri)?.[0] ?? '';
  const folders = uri.slice(scheme.length).split('/').filter(Boolean);
  return folders.length <= 3
    ? uri
    : `${scheme}…/${folders.slice(-2).join('/')}/`;
}

const dag: TableColumn<Environment> = {
  title: 'DAG',
  field: 'entityRef',
  render: env => <EntityRefLink entityRef={env.entityRef} hideIcon />,
};

/**
 * The columns of a list of environments, sortable where the server sorts.
 * `entity` links commits to the DAG's repository; a list across DAGs
 * (`acrossDags`) starts with the DAG of each environment.
 */
export function environmentColumns(
  options: { entity?: Entity; acrossDags?: boolean } = {},
): TableColumn<Environment>[] {
  const { entity, acrossDags } = options;
  const columns: TableColumn<Environment>[] = [
    ...(acrossDags ? [dag] : []),
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
          <code title={env.dataNamespace}>
            {shortNamespace(env.dataNamespace)}
          </code>
          <OwnClick>
            <CopyTextButton
              text={env.dataNamespace}
              tooltipText="Namespace copied"
              aria-label={`Copy the data namespace of ${env.name}`}
            />
          </OwnClick>
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
          <OwnClick>
            <Link to={env.lastRun.uiUrl}>{state}</Link>
          </OwnClick>
        ) : (
          state
        );
      },
    },
    {
      title: 'Created by',
      field: 'createdBy',
      render: env => (
        <OwnClick>
          <ActorLink actor={env.createdBy} />
        </OwnClick>
      ),
    },
    {
      title: 'Created',
      field: 'createdAt',
      // Newest first, which is also the server's own order.
      defaultSort: 'desc',
      render: env => (
        <span title={env.createdAt}>{relativeTime(env.createdAt)}</span>
      ),
    },
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
    sorting: isSortable(column.field),
    // Every cell but the status (which carries a failure's message) stays
    // on one line: wrapping `ci_ab12cd3` or a namespace mid-word makes them
    // unreadable, and a table wider than the page scrolls sideways instead.
    // A new object per column: Backstage's Table writes the bold of a
    // `highlight` column into it.
    cellStyle: column.field === 'status' ? undefined : { whiteSpace: 'nowrap' },
  }));
}

/**
 * How header clicks sort a list the server sorts: a column clicked starts
 * ascending and then toggles, and never falls back to "unsorted", which
 * would only show the server's default order under a header without an
 * arrow. (material-table's defaults keep the previous column's direction,
 * here the default `desc` of Created, so a second click dropped the sort.)
 */
export const serverSortOptions: TableOptions<Environment> = {
  keepSortDirectionOnColumnSwitch: false,
  thirdSortClick: false,
};

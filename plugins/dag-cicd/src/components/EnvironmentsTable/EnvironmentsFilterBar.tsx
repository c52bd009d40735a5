import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { ReactNode, useEffect, useState } from 'react';
import { EnvironmentsFilter } from './environmentsRequest';

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

type Filter = Omit<EnvironmentsFilter, 'entityRef'>;

/**
 * What narrows an environments table on the server: part of a name (after a
 * pause in typing, not on every key stroke), a stage when the stages are
 * known, a status; and the table's actions at the end of the bar.
 */
export function EnvironmentsFilterBar(props: {
  /** The configured stages; without them there is no stage filter. */
  stages?: string[];
  filter: Filter;
  onChange: (update: (filter: Filter) => Filter) => void;
  actions?: ReactNode;
}) {
  const { stages = [], filter, onChange, actions } = props;
  const [nameInput, setNameInput] = useState('');

  useEffect(() => {
    const name = nameInput.trim() || undefined;
    const timer = setTimeout(
      () => onChange(f => (f.name === name ? f : { ...f, name })),
      300,
    );
    return () => clearTimeout(timer);
  }, [nameInput, onChange]);

  return (
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
      {stages.length > 0 && (
        <FilterSelect
          label="Stage"
          all="All stages"
          options={stages}
          value={filter.stage}
          onChange={stage => onChange(f => ({ ...f, stage }))}
        />
      )}
      <FilterSelect
        label="Status"
        all="All statuses"
        options={STATUSES}
        value={filter.status}
        onChange={status => onChange(f => ({ ...f, status }))}
      />
      <Box flexGrow={1} />
      {actions}
    </Box>
  );
}

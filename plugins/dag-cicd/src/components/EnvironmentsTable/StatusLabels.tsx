import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { Environment, Run } from '@dag-cicd/plugin-dag-cicd-common';
import Typography from '@material-ui/core/Typography';
import { ComponentType, PropsWithChildren, ReactNode } from 'react';

/**
 * An environment's status with its icon, and why it failed when it did.
 *
 * @public
 */
export function EnvironmentStatusLabel(props: {
  status: Environment['status'];
  error?: string;
}) {
  const { status, error } = props;
  const label = statusIcon(status, status);
  return (
    <>
      {label}
      {status === 'failed' && error && (
        <Typography variant="caption" color="error" display="block">
          {error}
        </Typography>
      )}
    </>
  );
}

function statusIcon(status: Environment['status'], text: ReactNode) {
  switch (status) {
    case 'ready':
      return <StatusOK>{text}</StatusOK>;
    case 'failed':
      return <StatusError>{text}</StatusError>;
    case 'provisioning':
      return <StatusPending>{text}</StatusPending>;
    case 'tearing-down':
      return <StatusRunning>{text}</StatusRunning>;
    default:
      return <StatusAborted>{text}</StatusAborted>;
  }
}

/** Whether a run may still change state: polling goes on while one does. @public */
export function isRunActive(state: Run['state']): boolean {
  return state === 'requested' || state === 'queued' || state === 'running';
}

// Airflow's run and task states, and the product's own run states
// (`requested`, `error`), each with the status icon that says it best; any
// other state (none yet, skipped, removed) reads as aborted.
const RUN_STATUS: Record<string, ComponentType<PropsWithChildren<{}>>> = {
  success: StatusOK,
  failed: StatusError,
  error: StatusError,
  upstream_failed: StatusError,
  running: StatusRunning,
  requested: StatusPending,
  queued: StatusPending,
  scheduled: StatusPending,
  deferred: StatusPending,
  up_for_retry: StatusWarning,
  up_for_reschedule: StatusWarning,
};

/** A run's (or task's) Airflow state with its icon. @public */
export function RunStateLabel(props: { state?: string | null }) {
  const state = props.state ?? 'none';
  const Status = RUN_STATUS[state] ?? StatusAborted;
  return <Status>{state}</Status>;
}

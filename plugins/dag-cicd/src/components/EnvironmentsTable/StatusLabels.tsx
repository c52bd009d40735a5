import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
} from '@backstage/core-components';
import { Environment, Run } from '@dag-cicd/plugin-dag-cicd-common';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';

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

/** A run's (or task's) Airflow state with its icon. @public */
export function RunStateLabel(props: { state?: string | null }) {
  const state = props.state ?? 'none';
  switch (state) {
    case 'success':
      return <StatusOK>{state}</StatusOK>;
    case 'failed':
    case 'error':
    case 'upstream_failed':
      return <StatusError>{state}</StatusError>;
    case 'running':
      return <StatusRunning>{state}</StatusRunning>;
    case 'requested':
    case 'queued':
    case 'scheduled':
    case 'up_for_retry':
      return <StatusPending>{state}</StatusPending>;
    default:
      return <StatusAborted>{state}</StatusAborted>;
  }
}

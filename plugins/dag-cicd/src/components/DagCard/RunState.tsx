import {
  Link,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { ComponentType, PropsWithChildren } from 'react';

// Airflow's run and task states, and the product's own run states
// (`requested`, `error`), each with the status icon that says it best.
const STATUS: Record<string, ComponentType<PropsWithChildren<{}>>> = {
  success: StatusOK,
  failed: StatusError,
  error: StatusError,
  upstream_failed: StatusError,
  running: StatusRunning,
  queued: StatusPending,
  requested: StatusPending,
  scheduled: StatusPending,
  up_for_retry: StatusWarning,
  skipped: StatusAborted,
  removed: StatusAborted,
};

/**
 * The state of an Airflow run as an icon and its name, linked to the run in
 * the Airflow UI when there is a link.
 */
export function RunState(props: { state: string; uiUrl?: string }) {
  const Status = STATUS[props.state] ?? StatusPending;
  const label = <Status>{props.state}</Status>;
  return props.uiUrl ? (
    <Link to={props.uiUrl} title="Open the run in Airflow">
      {label}
    </Link>
  ) : (
    label
  );
}

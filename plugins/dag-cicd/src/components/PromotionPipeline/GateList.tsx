import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { GateResult } from '@dag-cicd/plugin-dag-cicd-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';

function GateStatus(props: { status: GateResult['status'] }) {
  switch (props.status) {
    case 'passed':
      return <StatusOK>passed</StatusOK>;
    case 'failed':
      return <StatusError>failed</StatusError>;
    case 'error':
      return <StatusWarning>error</StatusWarning>;
    default:
      return <StatusPending>pending</StatusPending>;
  }
}

/**
 * The gates of a promotion with their state and the detail a person can act
 * on ("2 of 3 successful runs; start another run").
 *
 * @public
 */
export function GateList(props: { gates: GateResult[] }) {
  if (props.gates.length === 0) {
    return <ListItemText secondary="No gates: the policy requires none" />;
  }
  return (
    <List dense disablePadding aria-label="Gates">
      {props.gates.map(gate => (
        <ListItem key={gate.gate} disableGutters>
          <ListItemText
            primary={
              <>
                <GateStatus status={gate.status} /> {gate.gate}
              </>
            }
            secondary={gate.detail}
            // Backstage's theme cuts dense list items to one line with an
            // ellipsis, but the detail is what to do about the gate: it
            // wraps, long entity refs included, even in a narrow column.
            style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
          />
        </ListItem>
      ))}
    </List>
  );
}

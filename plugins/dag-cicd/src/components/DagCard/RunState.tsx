import { Link } from '@backstage/core-components';
import { RunStateLabel } from '../EnvironmentsTable/StatusLabels';

/**
 * The state of an Airflow run as an icon and its name, linked to the run in
 * the Airflow UI when there is a link.
 */
export function RunState(props: { state: string; uiUrl?: string }) {
  const label = <RunStateLabel state={props.state} />;
  return props.uiUrl ? (
    <Link to={props.uiUrl} title="Open the run in Airflow">
      {label}
    </Link>
  ) : (
    label
  );
}

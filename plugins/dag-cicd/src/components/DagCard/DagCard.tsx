import {
  InfoCard,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  AIRFLOW_DAG_ID_ANNOTATION,
  DagStatus,
  getAirflowDagId,
} from '@dag-cicd/plugin-dag-cicd-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { hasAirflowDagId } from '../../filters';
import { RunState } from './RunState';
import { relativeTime } from '../../timeFromNow';

function DagStatusDetails({ status }: { status: DagStatus }) {
  const metadata = {
    state: status.isPaused ? 'Paused' : 'Active',
    schedule: status.schedule ?? 'None',
    'next run': status.nextRunAt
      ? `${relativeTime(status.nextRunAt) ?? status.nextRunAt} (${new Date(
          status.nextRunAt,
        ).toLocaleString()})`
      : 'not scheduled',
    instance: status.instance,
    owners: status.owners?.join(', ') || '—',
    tags: status.tags?.join(', ') || '—',
  };
  return (
    <>
      <StructuredMetadataTable metadata={metadata} dense />
      <Typography variant="subtitle2" component="h3">
        Latest runs
      </Typography>
      {status.latestRuns.length === 0 ? (
        <Typography variant="body2">This DAG has not run yet.</Typography>
      ) : (
        <List dense disablePadding aria-label="Latest runs">
          {status.latestRuns.map(run => (
            <ListItem key={run.dagRunId} disableGutters>
              <ListItemText
                primary={<RunState state={run.state} uiUrl={run.uiUrl} />}
                secondary={[
                  run.dagRunId,
                  run.runType,
                  run.startDate &&
                    `started ${relativeTime(run.startDate) ?? run.startDate}`,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              />
            </ListItem>
          ))}
        </List>
      )}
    </>
  );
}

/**
 * The DAG's state in Airflow (paused, schedule, next run, latest runs with
 * links), for any entity carrying the `airflow.apache.org/dag-id` annotation.
 *
 * @public
 */
export function DagCard() {
  const { entity } = useEntity();
  const api = useApi(dagCicdApiRef);
  const entityRef = stringifyEntityRef(entity);
  const annotated = hasAirflowDagId(entity);
  const { value, loading, error } = useAsync(
    async () => (annotated ? api.getDagStatus(entityRef) : undefined),
    [api, entityRef, annotated],
  );

  if (!annotated) {
    return (
      <MissingAnnotationEmptyState annotation={AIRFLOW_DAG_ID_ANNOTATION} />
    );
  }
  return (
    <InfoCard
      title={`Airflow DAG ${getAirflowDagId(entity)}`}
      deepLink={
        value ? { title: 'Open in Airflow', link: value.uiUrl } : undefined
      }
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && <DagStatusDetails status={value} />}
    </InfoCard>
  );
}

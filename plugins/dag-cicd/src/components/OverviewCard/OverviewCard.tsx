import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { PipelineStage } from '@dag-cicd/plugin-dag-cicd-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { ActorLink } from '../ActorLink';
import { RunState } from '../DagCard/RunState';
import { relativeTime } from '../../timeFromNow';

/**
 * The stages that have a single thing running in them: every stage but the
 * first, whose environments are one per commit (ci_<sha7>) and belong in the
 * CI/CD tab's table rather than on an overview.
 */
export function deployedStages(stages: PipelineStage[]): PipelineStage[] {
  return stages.filter((stage, index) => index > 0 || stage.production);
}

function StageRow({ stage }: { stage: PipelineStage }) {
  const env = stage.environment;
  const open = stage.openPromotions?.length ?? 0;
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        {stage.name}
      </TableCell>
      <TableCell>
        {stage.commit ? (
          <code title={stage.commit}>{stage.commit.slice(0, 7)}</code>
        ) : (
          'nothing yet'
        )}
        {open > 0 && (
          <Typography variant="caption" display="block">
            {open === 1 ? '1 open promotion' : `${open} open promotions`}
          </Typography>
        )}
      </TableCell>
      <TableCell>
        {stage.since ? (
          <span title={new Date(stage.since).toLocaleString()}>
            {relativeTime(stage.since)}
          </span>
        ) : (
          '—'
        )}
        {stage.promotedBy && (
          <Typography variant="caption" display="block">
            by <ActorLink actor={stage.promotedBy} />
          </Typography>
        )}
      </TableCell>
      <TableCell>
        {env?.lastRun ? (
          <RunState state={env.lastRun.state} uiUrl={env.lastRun.uiUrl} />
        ) : (
          'no runs'
        )}
      </TableCell>
    </TableRow>
  );
}

/**
 * For a DAG entity's Overview tab: which commit runs in each deployed stage
 * (staging, production), since when and by whose promotion, and how its
 * latest run went.
 *
 * @public
 */
export function OverviewCard() {
  const { entity } = useEntity();
  const api = useApi(dagCicdApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error } = useAsync(
    () => api.getPipeline(entityRef),
    [api, entityRef],
  );

  return (
    <InfoCard title="CI/CD" subheader="What runs where">
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <Table size="small" aria-label="Deployed stages">
          <TableHead>
            <TableRow>
              <TableCell>Stage</TableCell>
              <TableCell>Commit</TableCell>
              <TableCell>Since</TableCell>
              <TableCell>Latest run</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {deployedStages(value.stages).map(stage => (
              <StageRow key={stage.name} stage={stage} />
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}

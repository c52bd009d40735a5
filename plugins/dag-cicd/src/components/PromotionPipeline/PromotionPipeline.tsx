import { InfoCard } from '@backstage/core-components';
import { Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  dagCicdPromotionRequestPermission,
  Pipeline,
  PipelineStage,
  Promotion,
} from '@dag-cicd/plugin-dag-cicd-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Divider from '@material-ui/core/Divider';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import ArrowForward from '@material-ui/icons/ArrowForward';
import { useState } from 'react';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { useDagCicdPermission } from '../../hooks/useDagCicdPermission';
import { ActorLink } from '../ActorLink';
import { CommitLink } from '../CommitLink';
import { EnvironmentStatusLabel } from '../EnvironmentsTable/StatusLabels';
import { relativeTime } from '../../timeFromNow';
import { ActionButton } from '../PromotionActions/ActionButton';
import { CommentDialog } from '../PromotionActions/CommentDialog';
import {
  errorMessage,
  PromotionActions,
} from '../PromotionActions/PromotionActions';
import { requestBlocker } from '../PromotionActions/promotionBlockers';
import { GateList } from './GateList';

/** @public */
export interface PromotionPipelineProps {
  pipeline: Pipeline;
  /** The DAG entity, to link commits to its repository. */
  entity?: Entity;
  /** Called after any promotion action, to load the pipeline again. */
  onChange?: () => void;
}

/**
 * The promotion pipeline of a DAG across its stages (ci → staging →
 * production): which commit runs where, since when, who promoted it, and
 * the open promotions into each stage with their gates and actions.
 *
 * @public
 */
export function PromotionPipeline(props: PromotionPipelineProps) {
  const { pipeline, entity, onChange } = props;
  return (
    <Grid container spacing={2} alignItems="stretch" wrap="nowrap">
      {pipeline.stages.map((stage, index) => (
        // minWidth 0: stages share the width equally and their content
        // wraps, rather than an open promotion's gates widening one stage.
        <Grid item xs key={stage.name} style={{ display: 'flex', minWidth: 0 }}>
          <Box flexGrow={1} minWidth={0}>
            <StageCard stage={stage} entity={entity} onChange={onChange} />
            {index < pipeline.stages.length - 1 && (
              <RequestPromotion
                pipeline={pipeline}
                fromIndex={index}
                onChange={onChange}
              />
            )}
          </Box>
          {index < pipeline.stages.length - 1 && (
            <Box alignSelf="center" pl={1} aria-hidden>
              <ArrowForward color="disabled" />
            </Box>
          )}
        </Grid>
      ))}
    </Grid>
  );
}

function StageCard(props: {
  stage: PipelineStage;
  entity?: Entity;
  onChange?: () => void;
}) {
  const { stage, entity, onChange } = props;
  const env = stage.environment;
  const commit = stage.commit;
  return (
    <InfoCard
      title={stage.name}
      subheader={stage.production ? 'production' : undefined}
      noPadding={false}
    >
      {env || stage.promotionId ? (
        <Box aria-label={`${stage.name} runs`}>
          {commit && (
            <Typography variant="body2">
              Commit <CommitLink commit={commit} entity={entity} />
              {env && ` in ${env.name}`}
            </Typography>
          )}
          {env && (
            <EnvironmentStatusLabel status={env.status} error={env.error} />
          )}
          {stage.since && (
            <Typography
              variant="body2"
              color="textSecondary"
              title={stage.since}
            >
              {`since ${relativeTime(stage.since) ?? stage.since}`}
            </Typography>
          )}
          {stage.promotedBy && (
            <Typography variant="body2" color="textSecondary">
              promoted by <ActorLink actor={stage.promotedBy} />
            </Typography>
          )}
        </Box>
      ) : (
        <Typography variant="body2" color="textSecondary">
          Nothing runs in {stage.name} yet
        </Typography>
      )}
      {(stage.openPromotions ?? []).map(promotion => (
        <OpenPromotion
          key={promotion.id}
          promotion={promotion}
          entity={entity}
          onChange={onChange}
        />
      ))}
    </InfoCard>
  );
}

function OpenPromotion(props: {
  promotion: Promotion;
  entity?: Entity;
  onChange?: () => void;
}) {
  const { promotion, entity, onChange } = props;
  return (
    <Box
      mt={2}
      aria-label={`Promotion of ${promotion.commit.slice(0, 7)}`}
      // Entity refs in a narrow column: break them rather than overflow.
      style={{ overflowWrap: 'anywhere' }}
    >
      <Divider />
      <Box mt={1} display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="subtitle2">
          Promotion of <CommitLink commit={promotion.commit} entity={entity} />{' '}
          from {promotion.fromStage}
        </Typography>
        <Chip size="small" label={promotion.status} />
      </Box>
      <Typography variant="caption" color="textSecondary" display="block">
        requested by <ActorLink actor={promotion.requestedBy} />{' '}
        {relativeTime(promotion.requestedAt)}
        {promotion.comment && `: “${promotion.comment}”`}
      </Typography>
      <GateList gates={promotion.gates} />
      {promotion.decisions.map(d => (
        <Typography
          key={`${d.actor}-${d.at}`}
          variant="caption"
          display="block"
        >
          <ActorLink actor={d.actor} />{' '}
          {d.decision === 'approve' ? 'approved' : 'rejected'}
          {d.comment && `: “${d.comment}”`}
          {!d.counts && ` (does not count: ${d.reason ?? 'not counted'})`}
        </Typography>
      ))}
      <PromotionActions promotion={promotion} onChange={() => onChange?.()} />
    </Box>
  );
}

function RequestPromotion(props: {
  pipeline: Pipeline;
  fromIndex: number;
  onChange?: () => void;
}) {
  const { pipeline, fromIndex, onChange } = props;
  const api = useApi(dagCicdApiRef);
  const from = pipeline.stages[fromIndex];
  const to = pipeline.stages[fromIndex + 1];
  const permission = useDagCicdPermission(
    dagCicdPromotionRequestPermission,
    pipeline.entityRef,
    to.name,
  );
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string>();
  const reason = requestBlocker(pipeline, fromIndex, permission.reason);
  const commit = from.environment?.commit;

  const request = async (comment: string) => {
    setError(undefined);
    try {
      await api.requestPromotion({
        entityRef: pipeline.entityRef,
        commit: commit!,
        fromStage: from.name,
        toStage: to.name,
        ...(comment && { comment }),
      });
      setAsking(false);
      onChange?.();
    } catch (e) {
      setAsking(false);
      setError(errorMessage(e));
    }
  };

  return (
    <Box mt={1}>
      <ActionButton
        size="small"
        variant="outlined"
        color="primary"
        disabled={permission.loading}
        disabledReason={reason}
        onClick={() => setAsking(true)}
      >
        {`Promote to ${to.name}`}
      </ActionButton>
      {error && (
        <Typography variant="body2" color="error" role="alert">
          {error}
        </Typography>
      )}
      <CommentDialog
        open={asking}
        title={`Request the promotion of ${commit?.slice(0, 7)} from ${
          from.name
        } to ${to.name}`}
        description="The gates are evaluated at once; approvers see the request in their queue."
        confirmLabel="Request promotion"
        onClose={() => setAsking(false)}
        onConfirm={request}
      />
    </Box>
  );
}

import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  dagCicdPromotionApprovePermission,
  dagCicdPromotionExecutePermission,
  Promotion,
} from '@dag-cicd/plugin-dag-cicd-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { useDagCicdPermission } from '../../hooks/useDagCicdPermission';
import { ActionButton } from './ActionButton';
import { CommentDialog } from './CommentDialog';
import {
  cancelBlocker,
  decideBlocker,
  executeBlocker,
} from './promotionBlockers';

type Asking = 'approve' | 'reject' | 'cancel' | undefined;

/** The message of a failed call, the server's own when it sent one. @public */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** @public */
export interface PromotionActionsProps {
  promotion: Promotion;
  /** Called with the promotion as the server answered after an action. */
  onChange?: (promotion: Promotion) => void;
}

/**
 * Approve, reject (each with a comment), execute and cancel an open
 * promotion. Every button the user cannot use now is disabled and says why:
 * a missing permission, a failing gate, a freeze window, their own request.
 *
 * @public
 */
export function PromotionActions(props: PromotionActionsProps) {
  const { promotion, onChange } = props;
  const api = useApi(dagCicdApiRef);
  const identityApi = useApi(identityApiRef);
  const [asking, setAsking] = useState<Asking>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const approve = useDagCicdPermission(
    dagCicdPromotionApprovePermission,
    promotion.entityRef,
    promotion.toStage,
  );
  const execute = useDagCicdPermission(
    dagCicdPromotionExecutePermission,
    promotion.entityRef,
    promotion.toStage,
  );
  const { value: identity } = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );

  const act = async (call: () => Promise<Promotion>) => {
    setBusy(true);
    setError(undefined);
    try {
      onChange?.(await call());
      setAsking(undefined);
    } catch (e) {
      setError(errorMessage(e));
      setAsking(undefined);
    } finally {
      setBusy(false);
    }
  };

  const decideReason = decideBlocker(promotion, {
    permissionReason: approve.reason,
    userEntityRef: identity?.userEntityRef,
  });
  const executeReason = executeBlocker(promotion, execute.reason);
  const cancelReason = cancelBlocker(promotion, execute.reason);
  const short = promotion.commit.slice(0, 7);

  return (
    <Box>
      <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
        <ActionButton
          size="small"
          variant="outlined"
          color="primary"
          disabled={busy || approve.loading}
          disabledReason={decideReason}
          onClick={() => setAsking('approve')}
        >
          Approve
        </ActionButton>
        <ActionButton
          size="small"
          variant="outlined"
          disabled={busy || approve.loading}
          disabledReason={decideReason}
          onClick={() => setAsking('reject')}
        >
          Reject
        </ActionButton>
        <ActionButton
          size="small"
          variant="contained"
          color="primary"
          disabled={busy || execute.loading}
          disabledReason={executeReason}
          onClick={() => act(() => api.executePromotion(promotion.id))}
        >
          Execute
        </ActionButton>
        <ActionButton
          size="small"
          disabled={busy}
          disabledReason={
            promotion.status === 'open'
              ? undefined
              : `The promotion is ${promotion.status}`
          }
          onClick={() => act(() => api.evaluatePromotion(promotion.id))}
        >
          Evaluate gates again
        </ActionButton>
        <ActionButton
          size="small"
          disabled={busy || execute.loading}
          disabledReason={cancelReason}
          onClick={() => setAsking('cancel')}
        >
          Cancel promotion
        </ActionButton>
      </Box>
      {error && (
        <Typography variant="body2" color="error" role="alert">
          {error}
        </Typography>
      )}
      <CommentDialog
        open={asking === 'approve' || asking === 'reject'}
        title={`${
          asking === 'reject' ? 'Reject' : 'Approve'
        } the promotion of ${short} to ${promotion.toStage}`}
        confirmLabel={asking === 'reject' ? 'Reject' : 'Approve'}
        commentRequired={asking === 'reject'}
        onClose={() => setAsking(undefined)}
        onConfirm={comment =>
          act(() =>
            api.decidePromotion(promotion.id, {
              decision: asking === 'reject' ? 'reject' : 'approve',
              ...(comment && { comment }),
            }),
          )
        }
      />
      <CommentDialog
        open={asking === 'cancel'}
        title={`Cancel the promotion of ${short} to ${promotion.toStage}`}
        confirmLabel="Cancel promotion"
        onClose={() => setAsking(undefined)}
        onConfirm={comment =>
          act(() =>
            api.cancelPromotion(promotion.id, comment ? { comment } : {}),
          )
        }
      />
    </Box>
  );
}

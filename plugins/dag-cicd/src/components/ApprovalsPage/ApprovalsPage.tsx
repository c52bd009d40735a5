import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import { Promotion } from '@dag-cicd/plugin-dag-cicd-common';
import Typography from '@material-ui/core/Typography';
import { Fragment } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { dagCicdApiRef } from '../../api/DagCicdApi';
import { ActorLink } from '../ActorLink';
import { relativeTime } from '../../timeFromNow';
import { DagCicdPage } from '../DagCicdPage/DagCicdPage';
import { GateList } from '../PromotionPipeline/GateList';
import { isOwnedByAny } from './ownership';
import { PromotionActions } from '../PromotionActions/PromotionActions';

/** Open promotions are few; one page of them is the whole queue in practice. */
const QUEUE_LIMIT = 100;

function promotionColumns(onChange: () => void): TableColumn<Promotion>[] {
  return [
    {
      title: 'DAG',
      field: 'entityRef',
      render: p => <EntityRefLink entityRef={p.entityRef} hideIcon />,
    },
    {
      title: 'Promotion',
      field: 'toStage',
      render: p => (
        <>
          <code title={p.commit}>{p.commit.slice(0, 7)}</code> {p.fromStage} →{' '}
          {p.toStage}
          {p.comment && (
            <Typography variant="caption" display="block">
              {p.comment}
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Requested',
      field: 'requestedAt',
      render: p => (
        <>
          <ActorLink actor={p.requestedBy} />
          <Typography variant="caption" display="block">
            {relativeTime(p.requestedAt)}
          </Typography>
        </>
      ),
    },
    {
      title: 'Gates',
      field: 'gates',
      render: p => <GateList gates={p.gates} />,
    },
    {
      title: 'Approvals',
      field: 'decisions',
      render: p =>
        p.decisions.length === 0
          ? 'none yet'
          : p.decisions.map((d, i) => (
              <Fragment key={`${d.actor}-${d.at}`}>
                {i > 0 && ', '}
                {d.decision} by <ActorLink actor={d.actor} />
              </Fragment>
            )),
    },
    {
      title: 'Actions',
      field: 'id',
      render: p => <PromotionActions promotion={p} onChange={onChange} />,
    },
  ];
}

/** What the approvals queue shows, in two lists. */
export interface ApprovalsQueue {
  /** Open promotions the user may approve and has not decided on. */
  awaitingMe: Promotion[];
  /** Other open promotions of DAGs owned by the user or their groups. */
  myGroups: Promotion[];
}

/**
 * Loads the approvals queue: `awaiting=me` from the server, and the other
 * open promotions filtered to DAGs owned by the user's groups (the catalog
 * knows owners, the identity knows the groups).
 */
export function useApprovalsQueue() {
  const api = useApi(dagCicdApiRef);
  const identityApi = useApi(identityApiRef);
  const catalogApi = useApi(catalogApiRef);
  return useAsyncRetry(async (): Promise<ApprovalsQueue> => {
    const [mine, open, identity] = await Promise.all([
      api.listPromotions({
        awaiting: 'me',
        status: 'open',
        limit: QUEUE_LIMIT,
      }),
      api.listPromotions({ status: 'open', limit: QUEUE_LIMIT }),
      identityApi.getBackstageIdentity(),
    ]);
    const awaitingIds = new Set(mine.items.map(p => p.id));
    const others = open.items.filter(p => !awaitingIds.has(p.id));
    const refs = [...new Set(others.map(p => p.entityRef))];
    const owned = new Set<string>();
    if (refs.length > 0) {
      const { items } = await catalogApi.getEntitiesByRefs({
        entityRefs: refs,
        fields: ['kind', 'metadata.namespace', 'metadata.name', 'relations'],
      });
      items.forEach((entity, i) => {
        if (entity && isOwnedByAny(entity, identity.ownershipEntityRefs)) {
          owned.add(refs[i]);
        }
      });
    }
    return {
      awaitingMe: mine.items,
      myGroups: others.filter(p => owned.has(p.entityRef)),
    };
  }, [api, identityApi, catalogApi]);
}

/**
 * The approvals queue: promotions waiting on the user, and the open
 * promotions of their groups' DAGs, with gates and actions.
 *
 * @public
 */
export function ApprovalsQueueContent() {
  const { value, loading, error, retry } = useApprovalsQueue();
  if (error) return <ResponseErrorPanel error={error} />;
  const columns = promotionColumns(retry);
  return (
    <>
      <Table<Promotion>
        title="Waiting on me"
        isLoading={loading}
        columns={columns}
        data={value?.awaitingMe ?? []}
        options={{ paging: false, search: false, padding: 'dense' }}
        emptyContent={
          <Typography variant="body2" style={{ padding: 16 }}>
            Nothing waits on you: no open promotion needs your approval.
          </Typography>
        }
      />
      <br />
      <Table<Promotion>
        title="Open for my groups"
        isLoading={loading}
        columns={columns}
        data={value?.myGroups ?? []}
        options={{ paging: false, search: false, padding: 'dense' }}
        emptyContent={
          <Typography variant="body2" style={{ padding: 16 }}>
            No other open promotions of DAGs your groups own.
          </Typography>
        }
      />
    </>
  );
}

/**
 * The approvals queue as a page.
 *
 * @public
 */
export function ApprovalsPage() {
  return (
    <DagCicdPage
      title="Approvals"
      subtitle="Promotions of DAG commits waiting on you and your groups"
      help="A promotion moves a commit to the next stage once its gates pass. The approvals gate counts approvals from the DAG's owning group; the requester's own never counts."
    >
      <ApprovalsQueueContent />
    </DagCicdPage>
  );
}

import { Entity } from '@backstage/catalog-model';
import { mockApis } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { identityApiRef } from '@backstage/core-plugin-api';
import {
  dagCicdPromotionApprovePermission,
  dagCicdPromotionExecutePermission,
} from '@dag-cicd/plugin-dag-cicd-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DagCicdApi } from '../../api/DagCicdApi';
import { aGate, aPromotion, sha } from '../../__testUtils__/dagCicdFixtures';
import { renderWithDagCicd } from '../../__testUtils__/renderWithDagCicd';
import { ApprovalsPage } from './ApprovalsPage';

// Rendering MUI tables with user events is slow on a loaded CI machine; a
// limit, not a timing assertion.
jest.setTimeout(30_000);

function dag(name: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'airflow-dag', owner },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

/** Requested by bob, waiting on an approval from alice's group. */
const waiting = aPromotion({
  id: 'p-waiting',
  commit: sha('abc1234'),
  requestedBy: 'user:default/bob',
  gates: [
    aGate({
      gate: 'approvals',
      type: 'approvals',
      status: 'pending',
      detail: '0 of 1 approvals from group:default/data-engineering',
    }),
  ],
  gatesPassed: false,
});
const ours = aPromotion({
  id: 'p-ours',
  entityRef: 'component:default/customer-events',
  commit: sha('cccc111'),
  requestedBy: 'user:default/bob',
  gates: [
    aGate({
      gate: 'approvals',
      type: 'approvals',
      status: 'passed',
      detail: '1 of 1 approvals',
    }),
  ],
  gatesPassed: true,
});
const theirs = aPromotion({
  id: 'p-theirs',
  entityRef: 'component:default/revenue-report',
  commit: sha('dddd222'),
  requestedBy: 'user:default/bob',
});

function api(): Partial<DagCicdApi> & {
  listPromotions: jest.Mock;
  decidePromotion: jest.Mock;
  executePromotion: jest.Mock;
} {
  return {
    listPromotions: jest.fn(async query => ({
      items: query.awaiting === 'me' ? [waiting] : [waiting, ours, theirs],
      totalCount: query.awaiting === 'me' ? 1 : 3,
    })),
    decidePromotion: jest.fn(async id => ({ ...waiting, id })),
    executePromotion: jest.fn(async id => ({
      ...ours,
      id,
      status: 'executed' as const,
    })),
  };
}

/** The page as alice sees it, a member of data-engineering. */
async function renderPage(dagCicd: Partial<DagCicdApi>, denied?: string[]) {
  return renderWithDagCicd(<ApprovalsPage />, dagCicd, {
    denied,
    apis: [
      [
        identityApiRef,
        mockApis.identity({
          userEntityRef: 'user:default/alice',
          ownershipEntityRefs: [
            'user:default/alice',
            'group:default/data-engineering',
          ],
        }),
      ],
      [
        catalogApiRef,
        catalogApiMock({
          entities: [
            dag('customer-events', 'group:default/data-engineering'),
            dag('revenue-report', 'group:default/analytics'),
          ],
        }),
      ],
    ],
  });
}

/** The table row of the promotion of a short commit. */
async function rowOf(short: string) {
  return (await screen.findByText(short)).closest('tr')!;
}

describe('ApprovalsPage', () => {
  it('lists what waits on me, and the open promotions of my groups only', async () => {
    const dagCicd = api();
    await renderPage(dagCicd);

    expect(await screen.findByText('abc1234')).toBeInTheDocument();
    expect(dagCicd.listPromotions).toHaveBeenCalledWith({
      awaiting: 'me',
      status: 'open',
      limit: 100,
    });
    expect(await screen.findByText('cccc111')).toBeInTheDocument();
    // revenue-report belongs to analytics, not to alice's groups.
    expect(screen.queryByText('dddd222')).toBeNull();
    // The waiting promotion is listed once, under "Waiting on me".
    expect(screen.getAllByText('abc1234')).toHaveLength(1);
    expect(
      screen.getAllByText(
        /0 of 1 approvals from group:default\/data-engineering/,
      ).length,
    ).toBeGreaterThan(0);
  });

  it('says who requested and who decided, linking users to the catalog', async () => {
    const decided = {
      ...ours,
      decisions: [
        {
          actor: 'user:default/carol',
          decision: 'approve' as const,
          at: '2026-11-21T10:00:00.000Z',
          counts: true,
        },
        {
          actor: 'external:ci-pipeline',
          decision: 'reject' as const,
          at: '2026-11-21T10:01:00.000Z',
          counts: true,
        },
      ],
    };
    await renderPage({
      listPromotions: jest.fn(async query =>
        query.awaiting === 'me'
          ? { items: [], totalCount: 0 }
          : { items: [decided], totalCount: 1 },
      ),
    });
    const row = await rowOf('cccc111');
    expect(within(row).getByRole('link', { name: 'bob' })).toHaveAttribute(
      'href',
      '/catalog/default/user/bob',
    );
    expect(within(row).getByRole('link', { name: 'carol' })).toHaveAttribute(
      'href',
      '/catalog/default/user/carol',
    );
    // A service is named as recorded, and is no link.
    expect(row).toHaveTextContent(
      'approve by carol, reject by external:ci-pipeline',
    );
    expect(within(row).queryByRole('link', { name: /ci-pipeline/ })).toBeNull();
  });

  it('approves with a comment, then reloads the queue', async () => {
    const dagCicd = api();
    await renderPage(dagCicd);
    await userEvent.click(
      within(await rowOf('abc1234')).getByRole('button', { name: 'Approve' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText('Comment'), 'lgtm');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Approve' }),
    );

    await waitFor(() =>
      expect(dagCicd.decidePromotion).toHaveBeenCalledWith('p-waiting', {
        decision: 'approve',
        comment: 'lgtm',
      }),
    );
    await waitFor(() =>
      expect(dagCicd.listPromotions).toHaveBeenCalledTimes(4),
    );
  });

  it('executes only when the gates have passed, and says why not', async () => {
    const dagCicd = api();
    await renderPage(dagCicd);
    const blocked = within(await rowOf('abc1234')).getByRole('button', {
      name: /^Execute\s*\(.*approvals/,
    });
    expect(blocked).toBeDisabled();

    await userEvent.click(
      within(await rowOf('cccc111')).getByRole('button', { name: 'Execute' }),
    );
    await waitFor(() =>
      expect(dagCicd.executePromotion).toHaveBeenCalledWith('p-ours'),
    );
  });

  it('disables decisions the user may not take', async () => {
    // Another stage, so that no answer cached by an earlier test applies.
    const toQa = { ...waiting, id: 'p-qa', toStage: 'qa' };
    await renderPage(
      {
        listPromotions: jest.fn(async () => ({ items: [toQa], totalCount: 1 })),
      },
      [
        dagCicdPromotionApprovePermission.name,
        dagCicdPromotionExecutePermission.name,
      ],
    );
    await rowOf('abc1234');
    const approve = () =>
      within(screen.getByText('abc1234').closest('tr')!).getByRole('button', {
        name: /^Approve\s*\(.*You may not/,
      });
    await waitFor(() => expect(approve()).toBeDisabled());
  });
});

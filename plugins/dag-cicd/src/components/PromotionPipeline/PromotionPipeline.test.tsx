import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Pipeline } from '@dag-cicd/plugin-dag-cicd-common';
import {
  dagCicdMockServer,
  DagCicdMock,
} from '../../__testUtils__/dagCicdMockServer';
import { renderWithDagCicd } from '../../__testUtils__/renderWithDagCicd';
import {
  aGate,
  aPipeline,
  aPromotion,
  sha,
  uuid,
} from '../../__testUtils__/dagCicdFixtures';
import { PromotionPipeline } from './PromotionPipeline';

async function renderPipeline(
  mock: DagCicdMock,
  pipeline: Pipeline,
  denied: string[] = [],
) {
  const onChange = jest.fn();
  await renderWithDagCicd(
    <PromotionPipeline pipeline={pipeline} onChange={onChange} />,
    mock.client(),
    { denied },
  );
  return { onChange };
}

/**
 * A button once the permission answers arrived and enabled it
 * (`usePermission` revalidates a cached answer, possibly another test's).
 */
async function enabledButton(
  name: string,
  scope: Pick<typeof screen, 'getByRole'> = screen,
) {
  await waitFor(() =>
    expect(scope.getByRole('button', { name })).toBeEnabled(),
  );
  return scope.getByRole('button', { name });
}

function promotionBox() {
  return within(screen.getByLabelText('Promotion of 0000002'));
}

// Rendering material-ui on a busy CI machine is slow; nothing here is timed.
jest.setTimeout(30_000);

describe('PromotionPipeline', () => {
  const backend = dagCicdMockServer();

  it('shows which commit runs where, since when and who promoted it', async () => {
    await renderPipeline(backend.mock(), aPipeline());
    const production = within(screen.getByLabelText('production runs'));
    expect(production.getByText('0000003')).toHaveAttribute('title', sha(3));
    expect(production.getByText(/^promoted by/)).toHaveTextContent(
      'promoted by bob',
    );
    expect(production.getByRole('link', { name: 'bob' })).toHaveAttribute(
      'href',
      '/catalog/default/user/bob',
    );
    expect(production.getByText(/^since /)).toHaveAttribute(
      'title',
      '2026-11-01T08:00:00.000Z',
    );
  });

  it('shows the commit a promotion moved a stage to when no environment of it is ready there', async () => {
    const mock = backend.mock();
    const pipeline = aPipeline();
    const { environment: _, ...production } = pipeline.stages[2];
    pipeline.stages[2] = {
      ...production,
      commit: sha(4),
      promotionId: uuid(2002),
      promotedBy: 'user:default/alice',
    };
    await renderPipeline(mock, pipeline);

    const stage = within(screen.getByLabelText('production runs'));
    expect(await stage.findByText('0000004')).toHaveAttribute('title', sha(4));
    expect(stage.getByText(/^promoted by/)).toHaveTextContent(
      'promoted by alice',
    );
    expect(screen.queryByText(/Nothing runs in production/)).toBeNull();
  });

  it('says nothing runs in a stage no environment and no promotion reached', async () => {
    const mock = backend.mock();
    const pipeline = aPipeline();
    const { environment: _, ...production } = pipeline.stages[2];
    pipeline.stages[2] = {
      ...production,
      commit: null,
      since: null,
      promotedBy: null,
    };
    await renderPipeline(mock, pipeline);
    expect(
      screen.getByText('Nothing runs in production yet'),
    ).toBeInTheDocument();
  });

  it('says who requested and who decided, linking users to the catalog', async () => {
    const promotion = aPromotion({
      requestedBy: 'user:default/carol',
      comment: 'weekly release',
      decisions: [
        {
          actor: 'user:default/dave',
          decision: 'approve',
          at: '2026-11-21T10:00:00.000Z',
          counts: true,
        },
        {
          actor: 'external:release-bot',
          decision: 'approve',
          at: '2026-11-21T10:01:00.000Z',
          counts: false,
          reason: 'not a member of the owning group',
        },
      ],
    });
    await renderPipeline(
      backend.mock(),
      aPipeline({ openPromotions: [promotion] }),
    );
    const box = promotionBox();
    expect(box.getByRole('link', { name: 'carol' })).toHaveAttribute(
      'href',
      '/catalog/default/user/carol',
    );
    expect(box.getByRole('link', { name: 'dave' })).toHaveAttribute(
      'href',
      '/catalog/default/user/dave',
    );
    const text = screen.getByLabelText('Promotion of 0000002');
    expect(text).toHaveTextContent(/requested by carol .*: “weekly release”/);
    expect(text).toHaveTextContent('dave approved');
    // A service is named as recorded, and is no link.
    expect(text).toHaveTextContent(
      'external:release-bot approved (does not count: not a member of the owning group)',
    );
    expect(box.queryByRole('link', { name: /release-bot/ })).toBeNull();
  });

  it('shows the gates of an open promotion with what to do about them', async () => {
    const promotion = aPromotion({
      gatesPassed: false,
      gates: [
        aGate({
          status: 'failed',
          detail: '2 of 3 successful runs; start another run',
        }),
      ],
    });
    await renderPipeline(
      backend.mock(),
      aPipeline({ openPromotions: [promotion] }),
    );
    const box = promotionBox();
    expect(
      box.getByText('2 of 3 successful runs; start another run'),
    ).toBeInTheDocument();
    expect(box.getByText('failed')).toBeInTheDocument();
  });

  it('disables execute with the failing gate as the reason', async () => {
    const promotion = aPromotion({
      gatesPassed: false,
      gates: [
        aGate({
          status: 'failed',
          detail: '2 of 3 successful runs; start another run',
        }),
      ],
    });
    await renderPipeline(
      backend.mock(),
      aPipeline({ openPromotions: [promotion] }),
    );
    await waitFor(() =>
      expect(
        promotionBox().getByRole('button', { name: /^Execute/ }),
      ).toHaveAccessibleName(/\(/),
    );
    const execute = promotionBox().getByRole('button', { name: /^Execute/ });
    expect(execute).toBeDisabled();
    expect(execute).toHaveAccessibleName(
      /Gates not passing: runs-succeeded failed \(2 of 3 successful runs; start another run\)/,
    );
    // The same reason on hover, for sighted users.
    await userEvent.hover(execute.parentElement!);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      /Gates not passing: runs-succeeded failed/,
    );
  });

  it('disables execute during a freeze window, saying so', async () => {
    const promotion = aPromotion({
      gatesPassed: false,
      gates: [
        aGate(),
        aGate({
          gate: 'freeze-window',
          type: 'freeze-window',
          status: 'failed',
          detail: 'year-end freeze until 2027-01-04',
        }),
      ],
    });
    await renderPipeline(
      backend.mock(),
      aPipeline({ openPromotions: [promotion] }),
    );
    await waitFor(() =>
      expect(
        promotionBox().getByRole('button', { name: /^Execute/ }),
      ).toHaveAccessibleName(/\(/),
    );
    const execute = promotionBox().getByRole('button', { name: /^Execute/ });
    expect(execute).toBeDisabled();
    expect(execute).toHaveAccessibleName(
      /A freeze window is on: year-end freeze until 2027-01-04/,
    );
  });

  it('disables what the user may not do, naming the permission', async () => {
    // Another entity: `usePermission` caches answers per resource across
    // tests, and the other tests were allowed on component:default/orders.
    const entityRef = 'component:default/payments';
    await renderPipeline(
      backend.mock(),
      {
        ...aPipeline({
          openPromotions: [
            aPromotion({ entityRef, requestedBy: 'user:default/carol' }),
          ],
        }),
        entityRef,
      },
      ['dag-cicd.promotion.approve', 'dag-cicd.promotion.request'],
    );
    // Buttons are re-rendered once the permission answers arrive.
    await waitFor(() =>
      expect(
        promotionBox().getByRole('button', { name: /^Approve/ }),
      ).toHaveAccessibleName(
        /You may not approve or reject promotions in production \(permission dag-cicd.promotion.approve\)/,
      ),
    );
    expect(
      promotionBox().getByRole('button', { name: /^Approve/ }),
    ).toBeDisabled();
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: /^Promote to production/ }),
      ).toHaveAccessibleName(/permission dag-cicd.promotion.request/),
    );
    // Execute is allowed and every gate passes.
    await waitFor(() =>
      expect(
        promotionBox().getByRole('button', { name: 'Execute' }),
      ).toBeEnabled(),
    );
  });

  it('rejects with a comment', async () => {
    const mock = backend.mock();
    const promotion = aPromotion({ requestedBy: 'user:default/carol' });
    mock.on('POST', '/promotions/{id}/decisions', ({ body }) => ({
      body: {
        ...promotion,
        status: 'rejected',
        decisions: [
          {
            actor: 'user:default/guest',
            decision: body.decision,
            comment: body.comment,
            at: '2026-11-21T10:00:00.000Z',
            counts: true,
          },
        ],
      },
    }));
    const { onChange } = await renderPipeline(
      mock,
      aPipeline({ openPromotions: [promotion] }),
    );
    await userEvent.click(await enabledButton('Reject', promotionBox()));
    const dialog = within(screen.getByRole('dialog'));
    // A rejection must say why.
    expect(dialog.getByRole('button', { name: 'Reject' })).toBeDisabled();
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Comment/ }),
      'row counts drift',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Reject' }));

    await waitFor(() => expect(onChange).toHaveBeenCalled());
    expect(mock.calls('POST', '/promotions/{id}/decisions')[0].body).toEqual({
      decision: 'reject',
      comment: 'row counts drift',
    });
  });

  it('requests the promotion of what staging runs to production', async () => {
    const mock = backend.mock();
    mock.on('POST', '/promotions', { status: 201, body: aPromotion() });
    const { onChange } = await renderPipeline(mock, aPipeline());
    await userEvent.click(await enabledButton('Promote to production'));
    await userEvent.click(
      within(screen.getByRole('dialog')).getByRole('button', {
        name: 'Request promotion',
      }),
    );

    await waitFor(() => expect(onChange).toHaveBeenCalled());
    expect(mock.calls('POST', '/promotions')[0].body).toEqual({
      entityRef: 'component:default/orders',
      commit: sha(2),
      fromStage: 'staging',
      toStage: 'production',
    });
  });

  it('evaluates the gates again on request', async () => {
    const mock = backend.mock();
    const promotion = aPromotion({
      gatesPassed: false,
      gates: [aGate({ status: 'pending', detail: 'soaking until 12:00' })],
    });
    mock.on('POST', '/promotions/{id}/evaluate', {
      body: { ...promotion, gatesPassed: true, gates: [aGate()] },
    });
    const { onChange } = await renderPipeline(
      mock,
      aPipeline({ openPromotions: [promotion] }),
    );
    await userEvent.click(
      await enabledButton('Evaluate gates again', promotionBox()),
    );
    await waitFor(() => expect(onChange).toHaveBeenCalled());
    expect(mock.calls('POST', '/promotions/{id}/evaluate')[0].params.id).toBe(
      promotion.id,
    );
  });
});

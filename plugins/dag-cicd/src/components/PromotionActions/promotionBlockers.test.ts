import {
  aGate,
  aPipeline,
  aPromotion,
  anEnvironment,
  sha,
} from '../../__testUtils__/dagCicdFixtures';
import {
  cancelBlocker,
  decideBlocker,
  executeBlocker,
  requestBlocker,
} from './promotionBlockers';

describe('executeBlocker', () => {
  it('allows an open promotion whose gates pass', () => {
    expect(executeBlocker(aPromotion())).toBeUndefined();
  });

  it('names the missing permission first', () => {
    expect(executeBlocker(aPromotion(), 'no permission')).toBe('no permission');
  });

  it('names a freeze window before other failing gates', () => {
    const promotion = aPromotion({
      gatesPassed: false,
      gates: [
        aGate({ status: 'failed', detail: '1 of 3 successful runs' }),
        aGate({
          gate: 'freeze',
          type: 'freeze-window',
          status: 'failed',
          detail: 'release freeze until 2026-12-01',
        }),
      ],
    });
    expect(executeBlocker(promotion)).toBe(
      'A freeze window is on: release freeze until 2026-12-01',
    );
  });

  it('names each failing gate with its detail', () => {
    const promotion = aPromotion({
      gatesPassed: false,
      gates: [
        aGate(),
        aGate({
          gate: 'approvals',
          type: 'approvals',
          status: 'pending',
          detail: '0 of 1 approvals',
        }),
      ],
    });
    expect(executeBlocker(promotion)).toBe(
      'Gates not passing: approvals pending (0 of 1 approvals)',
    );
  });

  it('refuses a closed promotion', () => {
    expect(executeBlocker(aPromotion({ status: 'executed' }))).toBe(
      'The promotion is executed',
    );
  });
});

describe('decideBlocker', () => {
  it("refuses one's own request and a second decision", () => {
    const promotion = aPromotion({
      decisions: [
        {
          actor: 'user:default/bob',
          decision: 'approve',
          at: '2026-11-21T10:00:00.000Z',
          counts: true,
        },
      ],
    });
    expect(
      decideBlocker(promotion, { userEntityRef: 'user:default/alice' }),
    ).toMatch(/You requested this promotion/);
    expect(
      decideBlocker(promotion, { userEntityRef: 'user:default/bob' }),
    ).toBe('You have already decided on this promotion');
    expect(
      decideBlocker(promotion, { userEntityRef: 'user:default/carol' }),
    ).toBeUndefined();
  });
});

describe('cancelBlocker', () => {
  it('refuses a closed promotion', () => {
    expect(cancelBlocker(aPromotion({ status: 'cancelled' }))).toBe(
      'The promotion is cancelled',
    );
  });
});

describe('requestBlocker', () => {
  it('allows promoting what staging runs to production', () => {
    expect(requestBlocker(aPipeline(), 1)).toBeUndefined();
  });

  it('refuses a stage without a ready environment', () => {
    const pipeline = aPipeline();
    pipeline.stages[0].environment = anEnvironment(1, { status: 'failed' });
    expect(requestBlocker(pipeline, 0)).toBe(
      'No ready environment in ci to promote',
    );
  });

  it('refuses a commit already on its way', () => {
    const pipeline = aPipeline({ openPromotions: [aPromotion()] });
    expect(requestBlocker(pipeline, 1)).toBe(
      'A promotion of 0000002 to production is already open',
    );
  });

  it('refuses a commit the next stage already runs', () => {
    const pipeline = aPipeline();
    expect(requestBlocker(pipeline, 1)).toBeUndefined();
    // A promotion moved production to staging's commit, whatever
    // environment production shows.
    pipeline.stages[2].commit = sha(2);
    expect(requestBlocker(pipeline, 1)).toBe('production already runs 0000002');
    const { environment: _, ...moved } = pipeline.stages[2];
    pipeline.stages[2] = moved;
    expect(requestBlocker(pipeline, 1)).toBe('production already runs 0000002');
  });

  it('refuses the last stage', () => {
    expect(requestBlocker(aPipeline(), 2)).toBe('There is no next stage');
  });
});

import fc from 'fast-check';
import { GateDecision } from '@dag-cicd/plugin-dag-cicd-node';
import { approvalsGate as gate, countApprovals } from './approvals';
import { gateContext } from './__testUtils__/gateContext';

const DATA = 'group:default/data';
const members = [
  'user:default/alice',
  'user:default/bob',
  'user:default/requester',
  'user:default/author',
];
const at = new Date('2026-11-24T09:30:00Z');
const approve = (actor: string): GateDecision => ({
  actor,
  decision: 'approve',
  at,
});
const reject = (actor: string, comment?: string): GateDecision => ({
  actor,
  decision: 'reject',
  at,
  ...(comment && { comment }),
});
const world = (decisions: GateDecision[], group = members) =>
  gateContext({
    promotion: { commitAuthor: 'user:default/author' },
    decisions,
    groups: { [DATA]: group },
  });

describe('countApprovals', () => {
  const subject = {
    requestedBy: 'user:default/requester',
    commitAuthor: 'user:default/author',
  };

  it('says for every decision whether it counts and why', () => {
    expect(
      countApprovals(
        [
          approve('user:default/requester'),
          approve('user:default/Author'),
          approve('user:default/mallory'),
          approve('alice'),
          approve('user:default/alice'),
          reject('user:default/mallory', 'not tested'),
        ],
        members,
        subject,
        DATA,
      ).map(d => [d.actor, d.counts, d.reason]),
    ).toEqual([
      [
        'user:default/requester',
        false,
        "the requester's own approval never counts",
      ],
      [
        'user:default/Author',
        false,
        "the commit author's approval never counts",
      ],
      ['user:default/mallory', false, 'not a member of group:default/data'],
      ['alice', true, 'member of group:default/data'],
      ['user:default/alice', false, 'this person has already approved'],
      ['user:default/mallory', true, 'a rejection blocks the promotion'],
    ]);
  });

  it("never counts the requester's or the author's approval, whatever else was decided", () => {
    const actor = fc.constantFrom(
      ...members,
      'user:default/mallory',
      'user:default/REQUESTER',
    );
    const decision = fc.record({
      actor,
      decision: fc.constantFrom('approve' as const, 'reject' as const),
      at: fc.constant(at),
    });
    expect(() =>
      fc.assert(
        fc.property(fc.array(decision, { maxLength: 8 }), decisions => {
          const counted = countApprovals(decisions, members, subject);
          return counted.every(
            d =>
              !(
                d.decision === 'approve' && /requester|author/i.test(d.actor)
              ) || !d.counts,
          );
        }),
      ),
    ).not.toThrow();
  });
});

describe('approvals', () => {
  it('validates min and group, naming the option', () => {
    expect(gate.validateOptions({})).toEqual({ min: 1 });
    expect(gate.validateOptions({ min: 2, group: 'Data-Platform' })).toEqual({
      min: 2,
      group: 'group:default/data-platform',
    });
    expect(() => gate.validateOptions({ min: 0 })).toThrow(/min must be/);
    expect(() => gate.validateOptions({ group: 'group:' })).toThrow(
      /group must be a group entity ref/,
    );
  });

  it('passes with enough member approvals, recording the approvers', async () => {
    const outcome = await gate.evaluate(
      { min: 2 },
      world([approve('user:default/alice'), approve('user:default/bob')]),
    );
    expect(outcome.status).toBe('passed');
    expect(outcome.detail).toBe(
      '2 of 2 approvals from group:default/data (user:default/alice, user:default/bob).',
    );
    expect(outcome.inputs).toMatchObject({
      group: DATA,
      min: 2,
      approvers: ['user:default/alice', 'user:default/bob'],
    });
  });

  it('is pending while approvals are missing, saying which did not count', async () => {
    const outcome = await gate.evaluate(
      { min: 2 },
      world([approve('user:default/alice'), approve('user:default/requester')]),
    );
    expect(outcome.status).toBe('pending');
    expect(outcome.detail).toBe(
      "1 of 2 approvals from group:default/data; waiting for 1 more member other than the requester and the commit author (user:default/requester: the requester's own approval never counts).",
    );
  });

  it('fails on any rejection, however many approvals there are', async () => {
    const outcome = await gate.evaluate(
      { min: 1 },
      world([
        approve('user:default/alice'),
        approve('user:default/bob'),
        reject('user:default/bob', 'row counts look off'),
      ]),
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toMatch(
      /^Rejected by user:default\/bob: row counts look off\./,
    );
  });

  it('uses a configured group instead of the owner', async () => {
    const context = gateContext({
      decisions: [approve('user:default/carol')],
      groups: { 'group:default/release': ['user:default/carol'] },
    });
    const outcome = await gate.evaluate(
      { group: 'group:default/release' },
      context,
    );
    expect(outcome.status).toBe('passed');
    expect(context.reads).toContain('groupMembers group:default/release');
  });

  it('cannot decide without an owner or a group, nor with an empty group', async () => {
    const noOwner = await gate.evaluate(
      {},
      gateContext({ promotion: { ownerRef: undefined } }),
    );
    expect(noOwner.status).toBe('error');
    expect(noOwner.detail).toMatch(/set the option "group"/);
    const empty = await gate.evaluate(
      {},
      world([approve('user:default/alice')], []),
    );
    expect(empty.status).toBe('error');
    expect(empty.detail).toMatch(/has no members in the catalog/);
  });

  it("has the same outcome with or without the requester's and the author's approvals", async () => {
    const others = fc.constantFrom(
      'user:default/alice',
      'user:default/bob',
      'user:default/mallory',
    );
    const selves = fc.constantFrom(
      'user:default/requester',
      'user:default/author',
    );
    const decision = (actor: fc.Arbitrary<string>) =>
      fc.record({
        actor,
        decision: fc.constantFrom('approve' as const, 'reject' as const),
        at: fc.constant(at),
      });
    await fc.assert(
      fc.asyncProperty(
        fc.array(decision(others), { maxLength: 5 }),
        fc.array(selves.map(approve), { maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        async (decisions, selfApprovals, min) => {
          const without = await gate.evaluate({ min }, world(decisions));
          const withSelf = await gate.evaluate(
            { min },
            world([...selfApprovals, ...decisions]),
          );
          expect(withSelf.status).toBe(without.status);
          expect(withSelf.inputs.approvers).toEqual(without.inputs.approvers);
        },
      ),
    );
  });

  it('cannot decide when the group cannot be read', async () => {
    const context = gateContext({ decisions: [approve('user:default/alice')] });
    context.groupMembers = async () => {
      throw new Error('The catalog has no group group:default/data');
    };
    const outcome = await gate.evaluate({}, context);
    expect(outcome.status).toBe('error');
    expect(outcome.detail).toBe(
      'The members of group:default/data could not be read: The catalog has no group group:default/data',
    );
  });

  it('lets an owner that is a user approve alone', async () => {
    const outcome = await gate.evaluate(
      {},
      gateContext({
        promotion: { ownerRef: 'user:default/dana' },
        decisions: [approve('user:default/dana')],
      }),
    );
    expect(outcome.status).toBe('passed');
  });
});

import { describe, expect, it } from 'vitest';
import { APPROVE_REQUEST, DENY_REQUEST } from '../../src/views/action-ids.ts';
import {
  type ApprovalRequestViewInput,
  approvalRequestView,
} from '../../src/views/approval-request.ts';
import { EVIL, makeJob, NOW } from './fixtures.ts';
import { buttonsOf, expectNoInjection, expectWithinLimits, visibleText } from './walk.ts';

function input(over: Partial<ApprovalRequestViewInput> = {}): ApprovalRequestViewInput {
  return {
    requestId: 'apr_01J3XYZ',
    action: 'pause',
    job: makeJob(),
    requester: 'U0REQ',
    reason: 'GPU budget is spent',
    approverGroups: ['S0MLOPS'],
    approverUsers: ['U0BOSS'],
    approvalsRequired: 2,
    approvals: [],
    expiresAt: NOW + 45 * 60_000,
    state: 'pending',
    now: NOW,
    ...over,
  };
}

const MENTIONS = ['U0REQ', 'S0MLOPS', 'U0BOSS', 'U0APP1', 'U0DEC'];

describe('approvalRequestView', () => {
  it('asks the approver groups, says who asks and why, and offers Approve/Deny with the request ID only', () => {
    const view = approvalRequestView(input());
    const seen = visibleText(view);
    expect(seen).toContain('<@U0REQ> asks to *pause* `ftjob-abc123`.');
    expect(seen).toContain('*Reason:*\n>GPU budget is spent');
    expect(seen).toContain('*Approvers:* <!subteam^S0MLOPS> <@U0BOSS>');
    expect(seen).toContain('*Progress:* 0 of 2 approvals');
    expect(seen).toContain('Expires <!date^');
    expect(seen).toContain('(in 45m)');
    expect(view.text).toContain('<!subteam^S0MLOPS>');
    expect(buttonsOf(view)).toEqual([
      { actionId: APPROVE_REQUEST, label: '✅ Approve', value: 'apr_01J3XYZ', style: 'primary' },
      { actionId: DENY_REQUEST, label: '⛔ Deny', value: 'apr_01J3XYZ', style: 'danger' },
    ]);
    expectWithinLimits(view);
    expectNoInjection(view, MENTIONS);
  });

  it('shows progress as approvals come in', () => {
    const seen = visibleText(approvalRequestView(input({ approvals: ['U0APP1'] })));
    expect(seen).toContain('*Progress:* 1 of 2 approvals: <@U0APP1>');
  });

  it('says which votes lapsed because their voters no longer hold the role', () => {
    const seen = visibleText(
      approvalRequestView(input({ approvals: ['U0APP1'], lapsed: ['U0GONE'] })),
    );
    expect(seen).toContain('_Not counted:_ <@U0GONE> voted but no longer holds the approver role.');
  });

  it('an action word that names an Object property (toString) is shown as a word', () => {
    const view = approvalRequestView(input({ action: 'toString' }));
    expect(view.text).toContain('🔐');
    expect(view.text).toContain('asks to toString');
  });

  it('shows decided states with who and when, and no buttons', () => {
    const decided = { decidedBy: 'U0DEC', decidedAt: NOW - 60_000 };
    const cases = [
      ['approved', '✅ *Approved* by <@U0DEC>'],
      ['denied', '⛔ *Denied* by <@U0DEC>'],
      ['executed', '✅ *Done*: approved by <@U0DEC>'],
      ['failed', '❌ *Approved by <@U0DEC>, but it failed*'],
      ['expired', '⌛ *Expired*'],
    ] as const;
    for (const [state, line] of cases) {
      const view = approvalRequestView(input({ state, ...decided, outcome: 'job is paused' }));
      expect(buttonsOf(view)).toEqual([]);
      expect(visibleText(view)).toContain(line);
      expect(view.text).not.toContain('subteam');
      expectNoInjection(view, MENTIONS);
    }
    const failed = approvalRequestView(
      input({ state: 'failed', ...decided, outcome: '409: job is not running <!channel>' }),
    );
    expect(visibleText(failed)).toContain('409: job is not running &lt;!channel&gt;');
  });

  it('treats a pending request past its expiry as expired and hides the buttons', () => {
    const view = approvalRequestView(input({ expiresAt: NOW - 1 }));
    expect(buttonsOf(view)).toEqual([]);
    expect(visibleText(view)).toContain('⌛ *Expired*');
  });

  it('escapes the reason and refuses approver IDs that are not Slack IDs', () => {
    const view = approvalRequestView(
      input({
        reason: `${EVIL}\nsecond line`,
        approverGroups: ['S0MLOPS', '<!channel>'],
        approverUsers: ['U0BOSS', 'U123|x'],
        job: makeJob({ user_provided_suffix: EVIL, model: EVIL }),
      }),
    );
    expectNoInjection(view, MENTIONS);
    expect(visibleText(view)).toContain('>second line');
  });
});

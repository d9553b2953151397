import { describe, expect, it } from 'vitest';
import { buildDirectory } from '../../src/sandbox/directory.ts';
import { describeRules, ruleSettings } from '../../src/sandbox/rules.ts';

const directory = buildDirectory({ users: [], groups: ['S0APPROVERS'] });
const base = {
  approvers: { users: [], groups: ['S0APPROVERS'] },
  gatedActions: ['pause', 'cancel'] as const,
  approvalsRequired: 1,
  selfService: false,
  ttlMinutes: 60,
};

describe('the sandbox approval rules', () => {
  it('takes only the approval settings from the environment, and only those set', () => {
    expect(
      ruleSettings({
        FT_APPROVALS_REQUIRED: '2',
        FT_GATED_ACTIONS: '',
        SLACK_BOT_TOKEN: 'xoxb-secret',
        FT_APPROVER_SELF_SERVICE: 'true',
      }),
    ).toEqual({ FT_APPROVALS_REQUIRED: '2', FT_APPROVER_SELF_SERVICE: 'true' });
  });

  it('says self-service, one gated action, and a direct approver by name', () => {
    const rules = describeRules(
      {
        ...base,
        approvers: { users: ['U0OUTSIDE'], groups: ['S0APPROVERS'] },
        gatedActions: ['pause'],
        selfService: true,
      },
      directory,
    );
    expect(rules[0]).toBe(
      'Pause needs 1 approval (FT_APPROVALS_REQUIRED=1, FT_GATED_ACTIONS=pause).',
    );
    expect(rules[1]).toBe(
      'Approvers: avery, jordan and sam; a requester never approves their own request.',
    );
    expect(rules[2]).toContain('runs at once, audited as self-authorised');
  });

  it('says when nothing is gated, and when the count asked for can never be met', () => {
    expect(describeRules({ ...base, gatedActions: [] }, directory)[0]).toContain(
      'Nothing needs approval',
    );
    expect(describeRules({ ...base, approvalsRequired: 3 }, directory).at(-1)).toBe(
      '3 approvals are needed but there are only 2 approvers: no request can be approved; lower FT_APPROVALS_REQUIRED.',
    );
    expect(describeRules({ ...base, approvalsRequired: 2 }, directory)).toHaveLength(4);
  });
});

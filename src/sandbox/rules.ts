import type { ApprovalPolicyConfig } from '../handlers/approval/index.ts';
import type { Directory } from './directory.ts';

/** The approval settings the sandbox takes from the environment, as `npm start` would. */
export const SANDBOX_RULE_VARIABLES = [
  'FT_APPROVALS_REQUIRED',
  'FT_APPROVER_SELF_SERVICE',
  'FT_GATED_ACTIONS',
  'FT_APPROVAL_TTL_MINUTES',
] as const;

export type SandboxRuleVariable = (typeof SANDBOX_RULE_VARIABLES)[number];

/** Only the variables above, and only those set, from `env`. */
export function ruleSettings(
  env: Record<string, string | undefined>,
): Partial<Record<SandboxRuleVariable, string>> {
  const out: Partial<Record<SandboxRuleVariable, string>> = {};
  for (const name of SANDBOX_RULE_VARIABLES) {
    const v = env[name];
    if (v !== undefined && v !== '') out[name] = v;
  }
  return out;
}

const list = (words: readonly string[]) =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;

/**
 * The approval rules in force, in plain sentences with people's names, for the page's panel:
 * what needs approval, how many and from whom, self-service, expiry.
 */
export function describeRules(approval: ApprovalPolicyConfig, directory: Directory): string[] {
  const name = (id: string) => directory.users.find((u) => u.id === id)?.name ?? id;
  const approverNames = new Set(approval.approvers.users.map(name));
  for (const g of directory.groups)
    if (approval.approvers.groups.includes(g.id))
      for (const m of g.members) approverNames.add(name(m));
  const approvers = [...approverNames].sort();
  const gated = approval.gatedActions;
  const n = approval.approvalsRequired;
  const rules = [
    gated.length === 0
      ? 'Nothing needs approval (FT_GATED_ACTIONS is empty): pause, resume and cancel run at once.'
      : `${capitalise(list(gated))} need${gated.length === 1 ? 's' : ''} ${n} approval${n === 1 ? '' : 's'} (FT_APPROVALS_REQUIRED=${n}, FT_GATED_ACTIONS=${gated.join(',')}).`,
    `Approvers: ${approvers.length > 0 ? list(approvers) : 'nobody'}; a requester never approves their own request.`,
    approval.selfService
      ? "An approver's own request runs at once, audited as self-authorised (FT_APPROVER_SELF_SERVICE=true)."
      : "An approver's own request still needs another approver (FT_APPROVER_SELF_SERVICE=false).",
    `Requests expire after ${approval.ttlMinutes} minutes (FT_APPROVAL_TTL_MINUTES).`,
  ];
  if (n > approvers.length && gated.length > 0)
    rules.push(
      `${n} approvals are needed but there ${approvers.length === 1 ? 'is' : 'are'} only ${approvers.length} approver${approvers.length === 1 ? '' : 's'}: no request can be approved; lower FT_APPROVALS_REQUIRED.`,
    );
  return rules;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

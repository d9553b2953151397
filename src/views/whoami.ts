import { VERBS } from '../vocabulary/index.ts';
import { contextBlock, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { code, groupMention, userMention } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** The caller's role as the approval policy sees it. */
export interface WhoamiViewInput {
  userId: string;
  isApprover: boolean;
  /** How the role was granted: listed by ID, and/or through these user groups. */
  via?: { direct: boolean; groups: readonly string[] };
  gatedActions: readonly string[];
  approvalsRequired: number;
  selfService: boolean;
}

/** `/ft whoami`: who you are to ftops and what you may run. */
export function whoamiView(input: WhoamiViewInput): MessageView {
  const gated = input.gatedActions.filter((a) => (VERBS as readonly string[]).includes(a));
  const free = VERBS.filter((v) => !gated.includes(v));
  const via: string[] = [];
  if (input.via?.direct) via.push('listed by ID');
  for (const g of input.via?.groups ?? []) via.push(`member of ${groupMention(g)}`);
  const role = input.isApprover
    ? `✅ *Approver*${via.length > 0 ? ` (${via.join(', ')})` : ''}`
    : '*Member* (not an approver)';
  const n = input.approvalsRequired;
  const gatedLine =
    gated.length === 0
      ? 'No action needs approval.'
      : input.isApprover && input.selfService
        ? `${gated.map((g) => code(g)).join(', ')} are gated, but your own requests run at once.`
        : `${gated.map((g) => code(g)).join(', ')} need ${n} approval${n === 1 ? '' : 's'} from someone other than you.`;
  const lines = [
    `You are ${userMention(input.userId)}.`,
    `*Role:* ${role}`,
    `*You can run:* ${free.map((v) => code(v)).join(' ')}`,
    `*Gated:* ${gatedLine}`,
  ];
  if (input.isApprover) lines.push('You can approve or deny other people’s requests.');
  return fitMessage({
    text: `You are ${userMention(input.userId)}: ${input.isApprover ? 'approver' : 'member'}`,
    blocks: [sectionBlock(lines.join('\n')), contextBlock('Roles come from FT_APPROVER_IDS.')],
  });
}

import { isApproverOnly, VERBS } from '../vocabulary/index.ts';
import { contextBlock, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { code, EMPTY, groupMention, joinMd, type Mrkdwn, md, userMention } from './mrkdwn.ts';
import type { MessageView } from './types.ts';
import { undoRuleText } from './undo-rule.ts';

/** The caller's role as the approval policy sees it. */
export interface WhoamiViewInput {
  userId: string;
  isApprover: boolean;
  /** How the role was granted: listed by ID, and/or through these user groups. */
  via?: { direct: boolean; groups: readonly string[] };
  gatedActions: readonly string[];
  approvalsRequired: number;
  selfService: boolean;
  /** With several resources: where the caller approves, among those the channel sees. */
  resources?: { approverOn: readonly string[]; notOn: readonly string[] };
}

/** `/ft whoami`: who you are to ftops and what you may run. */
export function whoamiView(input: WhoamiViewInput): MessageView {
  const gated = input.gatedActions.filter((a) => (VERBS as readonly string[]).includes(a));
  const free = VERBS.filter((v) => !gated.includes(v) && (input.isApprover || !isApproverOnly(v)));
  const closed = input.isApprover ? [] : VERBS.filter((v) => isApproverOnly(v));
  const via: Mrkdwn[] = [];
  if (input.via?.direct) via.push(md`listed by ID`);
  for (const g of input.via?.groups ?? []) via.push(md`member of ${groupMention(g)}`);
  const role = input.isApprover
    ? md`✅ *Approver*${via.length > 0 ? md` (${joinMd(via, ', ')})` : EMPTY}`
    : md`*Member* (not an approver)`;
  const n = input.approvalsRequired;
  const gatedLine =
    gated.length === 0
      ? md`No action needs approval.`
      : input.isApprover && input.selfService
        ? md`${joinMd(
            gated.map((g) => code(g)),
            ', ',
          )} are gated, but your own requests run at once.`
        : md`${joinMd(
            gated.map((g) => code(g)),
            ', ',
          )} need ${n} approval${n === 1 ? EMPTY : md`s`} from someone other than you.`;
  const lines = [
    md`You are ${userMention(input.userId)}.`,
    md`*Role:* ${role}`,
    md`*You can run:* ${joinMd(
      free.map((v) => code(v)),
      ' ',
    )}`,
    md`*Gated:* ${gatedLine}`,
  ];
  if (closed.length > 0)
    lines.push(
      md`*Approvers only:* ${joinMd(
        closed.map((v) => code(v)),
        ' ',
      )}`,
    );
  if (input.resources) {
    const { approverOn, notOn } = input.resources;
    const names = (list: readonly string[]) =>
      joinMd(
        list.map((r) => code(r)),
        ', ',
      );
    lines.push(
      approverOn.length === 0
        ? md`*Approver on:* none of this channel’s resources`
        : md`*Approver on:* ${names(approverOn)}${notOn.length > 0 ? md`; not on ${names(notOn)}` : EMPTY}`,
    );
  }
  const undoRule = undoRuleText(input.gatedActions, input.isApprover);
  if (undoRule) lines.push(md`*Undoing:* ${undoRule}`);
  if (input.isApprover) lines.push(md`You can approve or deny other people’s requests.`);
  return fitMessage({
    text: md`You are ${userMention(input.userId)}: ${input.isApprover ? md`approver` : md`member`}`,
    blocks: [
      sectionBlock(joinMd(lines, '\n')),
      contextBlock(
        input.resources
          ? md`Roles come from each resource’s approvers in FT_CONFIG; \`/ft policy\` shows them.`
          : md`Roles come from FT_APPROVER_IDS.`,
      ),
    ],
  });
}

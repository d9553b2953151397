import { COMMAND_USAGE, isApproverOnly, VERBS } from '../vocabulary/index.ts';
import { contextBlock, headerBlock, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { EMPTY, escapeInline, joinMd, md } from './mrkdwn.ts';
import type { MessageView } from './types.ts';
import { undoRuleText } from './undo-rule.ts';

/** What the help needs to know about the caller and the deployment. */
export interface HelpViewInput {
  /** The caller holds the approver role. */
  canApprove: boolean;
  /** Actions that need an approver's consent, e.g. `['pause', 'cancel']`. */
  gatedActions: readonly string[];
  /** Distinct approvers a gated action needs; default 1. */
  approvalsRequired?: number;
  /** An approver's own request runs at once. */
  selfService?: boolean;
}

/** `/ft help`: every command, with what the caller may run directly and what needs approval. */
export function helpView(input: HelpViewInput): MessageView {
  const gated = new Set(input.gatedActions.map((a) => a.toLowerCase()));
  const direct = input.canApprove && input.selfService;
  const n = input.approvalsRequired ?? 1;
  const lines = VERBS.map((verb) => {
    const { usage, summary } = COMMAND_USAGE[verb];
    let note = EMPTY;
    if (isApproverOnly(verb))
      note = input.canApprove ? md` _(approvers only)_` : md` _(approvers only; not you)_`;
    if (gated.has(verb)) {
      note = direct
        ? md` _(gated; runs at once for you as an approver)_`
        : md` _(needs ${n === 1 ? md`an approver's` : md`${n} approvers'`} OK)_`;
    }
    return md`\`/ft ${escapeInline(usage)}\` — ${escapeInline(summary)}${note}`;
  });
  const role = input.canApprove
    ? md`✅ You are an approver: you can approve or deny requests with the buttons on them.`
    : gated.size > 0
      ? md`You are not an approver: gated actions ask an approver first.`
      : md`You are not an approver.`;
  const undoRule = undoRuleText(input.gatedActions, input.canApprove);
  const blocks = [
    headerBlock('ftops: fine-tuning jobs from Slack'),
    sectionBlock(joinMd(lines, '\n')),
    contextBlock(role),
    ...(undoRule ? [contextBlock(undoRule)] : []),
    contextBlock(
      md`A job can be given as \`ftjob-…\`, in backticks or quotes, or as a link to it. Add \`--dry-run\` to pause, resume or cancel to see what would happen.`,
    ),
  ];
  return fitMessage({ text: md`ftops help: /ft ${escapeInline(VERBS.join(', '))}`, blocks });
}

import { headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { code, escapeInline, slackDate, truncate, userMention } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** One audit log entry as the view shows it. `at` is milliseconds since the epoch. */
export interface AuditEntryView {
  at: number;
  /** Slack user ID, or null for ftops itself (the poller, an expiry). */
  actor: string | null;
  action: string;
  jobId?: string | null;
  /** What came of it, e.g. `executed`, `denied`, `failed: 409 conflict`; raw text. */
  outcome?: string | null;
  reason?: string | null;
}

/** `/ft audit [job]`: the latest actions, newest first as given. */
export function auditView(
  entries: readonly AuditEntryView[],
  opts: { jobId?: string | null } = {},
): MessageView {
  const scope = opts.jobId ? ` for ${code(opts.jobId)}` : '';
  if (entries.length === 0) {
    const none = `Nothing in the audit log${scope} yet.`;
    return fitMessage({ text: none, blocks: [sectionBlock(none)] });
  }
  const lines = entries.map((e) => {
    const who = e.actor ? userMention(e.actor) : '_ftops_';
    const job = e.jobId ? ` ${code(e.jobId)}` : '';
    const outcome = e.outcome ? ` → ${escapeInline(truncate(e.outcome, 200))}` : '';
    const reason = e.reason ? ` — “${escapeInline(truncate(e.reason, 200))}”` : '';
    return `• ${slackDate(Math.floor(e.at / 1000))} ${who} *${escapeInline(truncate(e.action, 40))}*${job}${outcome}${reason}`;
  });
  const blocks = [
    headerBlock(`Audit log${opts.jobId ? ` for ${opts.jobId}` : ''}`),
    ...lineBlocks(lines, { maxBlocks: 48, noun: 'entries' }),
  ];
  return fitMessage({ text: `${entries.length} audit entries${scope}`, blocks });
}

import { AUDIT_OLDER } from './action-ids.ts';
import {
  actionsBlock,
  button,
  contextBlock,
  headerBlock,
  lineBlocks,
  sectionBlock,
} from './blocks.ts';
import { fitMessage } from './limits.ts';
import {
  channelRef,
  code,
  EMPTY,
  escapeInline,
  type Mrkdwn,
  md,
  slackDate,
  truncate,
  userMention,
} from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** One audit log entry as the view shows it. `at` is milliseconds since the epoch. */
export interface AuditEntryView {
  at: number;
  /** Slack user ID, or null for ftops itself (the poller, an expiry). */
  actor: string | null;
  /** The audit event code, e.g. `requested`, `approved`, `refused`. */
  event: string;
  /** The gated action, e.g. `pause`. */
  action?: string | null;
  jobId?: string | null;
  /** The channel it happened in: linked as `<#C…>`. */
  channel?: string | null;
  /** What came of it as the gate recorded it, e.g. `1 of 2`, `approve: not_approver`. */
  outcome?: string | null;
  /** For a refusal: how many more times the same person was refused on the same request. */
  repeats?: number;
}

/** Why a click was refused, in words; the codes come from the approval policy. */
const REFUSAL_WORDS: Record<string, string> = {
  not_approver: 'they are not an approver',
  is_requester: 'they asked for it themselves',
  expired: 'the request had expired',
  already_decided: 'it was already decided',
  not_found: 'the request no longer exists',
};

/** `approve: not_approver; …` or `approve: already_decided:approved` → the words for the code. */
function refusalReason(outcome: string | null | undefined): Mrkdwn {
  const first = (outcome ?? '').split(';')[0] ?? '';
  const code = first.replace(/^\w+:\s*/, '').split(':')[0] ?? '';
  const words = Object.hasOwn(REFUSAL_WORDS, code) ? REFUSAL_WORDS[code] : undefined;
  return words ? md` because ${escapeInline(words)}` : EMPTY;
}

/** One entry as a sentence with names: who did what to which job, and what came of it. */
export function auditSentence(e: AuditEntryView): Mrkdwn {
  const who = e.actor ? userMention(e.actor) : md`ftops`;
  const action = escapeInline(truncate(e.action ?? 'act on', 40));
  const job = e.jobId ? code(truncate(e.jobId, 128)) : md`a job`;
  const outcome = e.outcome ? escapeInline(truncate(e.outcome, 200)) : EMPTY;
  const where = e.channel ? md` in ${channelRef(e.channel)}` : EMPTY;
  switch (e.event) {
    case 'requested':
      return md`${who} asked to ${action} ${job}${where}`;
    case 'vote_recorded':
      return md`${who} voted to ${action} ${job}${where}${outcome ? md` (${outcome} approvals)` : EMPTY}`;
    case 'approved':
      return md`${who} approved the request to ${action} ${job}${where}`;
    case 'denied': {
      const reason = (e.outcome ?? '').replace(/^denied:?\s*/, '');
      return md`${who} denied the request to ${action} ${job}${where}${reason ? md`: “${escapeInline(truncate(reason, 200))}”` : EMPTY}`;
    }
    case 'expired':
      return md`The request to ${action} ${job} expired undecided`;
    case 'closed':
      return md`The request to ${action} ${job} was closed by ftops${outcome ? md`: ${outcome}` : EMPTY}`;
    case 'executed':
      return md`${job}: ${action} was carried out (approved by ${who})${outcome ? md` — ${outcome}` : EMPTY}`;
    case 'failed':
      return md`${job}: ${action} failed${outcome ? md` — ${outcome}` : EMPTY}`;
    case 'self_authorised':
      return md`${who} ran ${action} on ${job}${where} on their own approver authority`;
    case 'ran_ungated':
      return md`${who} ran ${action} on ${job}${where} (no approval needed)`;
    case 'refused': {
      const times = e.repeats ? md`, ${e.repeats + 1} times` : EMPTY;
      return md`${who} was refused on the request to ${action} ${job}${where}${refusalReason(e.outcome)}${times}`;
    }
    default:
      return md`${who}: ${escapeInline(truncate(e.event, 40))} ${action} ${job}${outcome ? md` — ${outcome}` : EMPTY}`;
  }
}

const line = (e: AuditEntryView) => md`• ${slackDate(Math.floor(e.at / 1000))} ${auditSentence(e)}`;

/**
 * `/ft audit [job]`: decisions newest first, the newest refusals apart (so a flood of them
 * never hides who decided), and an "Older entries" button when there are more decisions.
 */
export function auditView(
  entries: readonly AuditEntryView[],
  opts: {
    jobId?: string | null;
    refusals?: readonly AuditEntryView[];
    /** The stream ID to continue from; a button is shown when set. */
    older?: string | null;
    /** True on the pages after the first. */
    continued?: boolean;
  } = {},
): MessageView {
  const scope = opts.jobId ? md` for ${code(opts.jobId)}` : EMPTY;
  const refusals = opts.refusals ?? [];
  if (entries.length === 0 && refusals.length === 0) {
    const none = opts.continued
      ? md`No older entries in the audit log${scope}.`
      : md`Nothing in the audit log${scope} yet.`;
    return fitMessage({ text: none, blocks: [sectionBlock(none)] });
  }
  const blocks = [
    headerBlock(
      `${opts.continued ? 'Older entries of the audit log' : 'Audit log'}${opts.jobId ? ` for ${opts.jobId}` : ''}`,
    ),
    ...(entries.length > 0
      ? lineBlocks(entries.map(line), { maxBlocks: 40, noun: 'entries' })
      : [sectionBlock(md`No decisions yet.`)]),
  ];
  if (refusals.length > 0) {
    blocks.push(
      contextBlock(md`*Refused attempts* (kept apart; repeats by one person are counted)`),
      ...lineBlocks(refusals.map(line), { maxBlocks: 4, noun: 'refusals' }),
    );
  }
  if (opts.older) {
    const value = `${opts.jobId ?? ''}|${opts.older}`;
    blocks.push(...actionsBlock([button({ actionId: AUDIT_OLDER, text: 'Older entries', value })]));
  }
  return fitMessage({ text: md`${entries.length} audit entries${scope}`, blocks });
}

import type { FineTuningJob } from '../api/schemas.ts';
import { contextBlock, fieldsBlock, headerBlock, sectionBlock } from './blocks.ts';
import { jobFields } from './job-card.ts';
import { fitMessage } from './limits.ts';
import { code, escapeInline, escapeMrkdwn, groupMention, truncate, userMention } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** Who would have to approve, from config (validated IDs). */
export interface ApproversInfo {
  groups: readonly string[];
  users: readonly string[];
  required: number;
}

/** Everything a `--dry-run` answer shows. */
export interface DryRunViewInput {
  action: string;
  job: FineTuningJob;
  /** The action would run right now without asking anyone. */
  allowedNow: boolean;
  /** Why not, in plain words (escaped here), when `allowedNow` is false. */
  reasonIfNot?: string | null;
  /** Approvers who would be asked; null or absent when the action is not gated. */
  approvers?: ApproversInfo | null;
  /** The API call that would be made, e.g. `POST /fine_tuning/jobs/ftjob-x/pause`. */
  apiCall: string;
  now: number;
}

/** What `pause|resume|cancel --dry-run` would do, without doing it. */
export function dryRunView(input: DryRunViewInput): MessageView {
  const action = escapeInline(truncate(input.action, 40));
  const verdict = input.allowedNow
    ? `✅ It would run now: ftops would call ${code(input.apiCall)}.`
    : `⛔ It would not run now${input.reasonIfNot ? `: ${escapeMrkdwn(truncate(input.reasonIfNot, 1000))}` : '.'}\nWhen it runs, ftops calls ${code(input.apiCall)}.`;
  const blocks = [
    headerBlock(`🧪 Dry run: ${input.action} ${input.job.id}`),
    sectionBlock(`${verdict}`),
  ];
  if (input.approvers) {
    const a = input.approvers;
    const who = [...a.groups.map(groupMention), ...a.users.map(userMention)].slice(0, 30);
    blocks.push(
      sectionBlock(
        `🔐 *${action}* is gated: it needs ${a.required} approval${a.required === 1 ? '' : 's'} from ${who.length > 0 ? who.join(' ') : '_nobody is configured_'}.`,
      ),
    );
  }
  blocks.push(fieldsBlock(jobFields(input.job, input.now)));
  blocks.push(contextBlock('Dry run: nothing was changed and nobody was asked.'));
  const text = `🧪 Dry run of ${action} ${code(input.job.id)}: ${input.allowedNow ? 'would run now' : 'would not run now'}`;
  return fitMessage({ text, blocks });
}

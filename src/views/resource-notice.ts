import { sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { code, escapeInline, md } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/**
 * The one message a channel gets when a resource it watches stops answering, and the one when
 * it answers again: silence would read as "nothing changed", which is not known.
 */
export function resourceNotice(input: {
  resource: string;
  state: 'down' | 'back';
  /** How many of the channel's watched jobs are on it. */
  jobs: number;
  detail?: string;
}): MessageView {
  const jobs = input.jobs === 1 ? md`1 watched job` : md`${input.jobs} watched jobs`;
  const text =
    input.state === 'down'
      ? md`⚠️ The fine-tuning resource ${code(input.resource)} is not answering${input.detail ? md` (${escapeInline(input.detail)})` : md``}, so changes to ${jobs} on it cannot be seen. ftops keeps trying and says here when it answers again.`
      : md`✅ The fine-tuning resource ${code(input.resource)} answers again; changes to ${jobs} on it are announced as before.`;
  return fitMessage({ text, blocks: [sectionBlock(text)] });
}

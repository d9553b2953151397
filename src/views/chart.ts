import { sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { code, md } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** The private answer to `/ft chart` or the Chart button. */
export function chartAnswer(
  jobKey: string,
  posted: { posted: true; points: number } | { posted: false; reason: 'no_metrics' },
  opts: { inThread: boolean },
): MessageView {
  const text = posted.posted
    ? md`📈 Posted the chart of ${code(jobKey)} (${posted.points} points) ${opts.inThread ? md`in the card’s thread` : md`in this channel`}.`
    : md`📈 ${code(jobKey)} has published no training metrics yet (they start with its first steps), so there is nothing to chart. Try again once it is running.`;
  return fitMessage({ text, blocks: [sectionBlock(text)] });
}

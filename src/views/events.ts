import type { FineTuningJobEvent } from '../api/schemas.ts';
import { headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { eventLine } from './job-format.ts';
import { fitMessage } from './limits.ts';
import { code, md } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** The `/ft events` answer: one line per event, with step and loss for metrics events. */
export function eventsView(jobId: string, events: readonly FineTuningJobEvent[]): MessageView {
  const title = `Events of ${jobId}`;
  if (events.length === 0) {
    return fitMessage({
      text: md`No events yet for ${code(jobId)}.`,
      blocks: [sectionBlock(md`No events yet for ${code(jobId)}.`)],
    });
  }
  const blocks = [
    headerBlock(title),
    ...lineBlocks(
      events.map((e) => md`• ${eventLine(e)}`),
      { maxBlocks: 48, noun: 'events' },
    ),
  ];
  return fitMessage({ text: md`${events.length} events of ${code(jobId)}`, blocks });
}

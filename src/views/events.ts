import type { FineTuningJobEvent } from '../api/schemas.ts';
import { headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { eventLine } from './job-format.ts';
import { fitMessage } from './limits.ts';
import { code } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** The `/ft events` answer: one line per event, with step and loss for metrics events. */
export function eventsView(jobId: string, events: readonly FineTuningJobEvent[]): MessageView {
  const title = `Events of ${jobId}`;
  if (events.length === 0) {
    return fitMessage({
      text: `No events yet for ${code(jobId)}.`,
      blocks: [sectionBlock(`No events yet for ${code(jobId)}.`)],
    });
  }
  const blocks = [
    headerBlock(title),
    ...lineBlocks(
      events.map((e) => `• ${eventLine(e)}`),
      { maxBlocks: 48, noun: 'events' },
    ),
  ];
  return fitMessage({ text: `${events.length} events of ${code(jobId)}`, blocks });
}

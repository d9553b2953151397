import { contextBlock, headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { code, escapeInline, truncate } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** One subscription of a channel: a job, or every job (`jobId: null`), maybe filtered. */
export interface WatchView {
  jobId: string | null;
  only?: readonly string[] | null;
}

/** `/ft watching`: what this channel is told about. */
export function watchingView(subs: readonly WatchView[]): MessageView {
  if (subs.length === 0) {
    const none = 'This channel watches no jobs. `/ft watch all` or `/ft watch &lt;job&gt;` starts.';
    return fitMessage({ text: 'This channel watches no jobs.', blocks: [sectionBlock(none)] });
  }
  const lines = subs.map((s) => {
    const what = s.jobId === null ? '*all jobs*' : code(s.jobId);
    const only =
      s.only && s.only.length > 0
        ? ` — only ${s.only.map((o) => escapeInline(truncate(o, 40))).join(', ')}`
        : '';
    return `• ${what}${only}`;
  });
  const blocks = [
    headerBlock('This channel watches'),
    ...lineBlocks(lines, { maxBlocks: 47, noun: 'subscriptions' }),
    contextBlock('`/ft unwatch &lt;job&gt;|all` stops.'),
  ];
  return fitMessage({ text: `This channel watches ${subs.length} subscription(s).`, blocks });
}

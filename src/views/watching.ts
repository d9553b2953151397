import { contextBlock, headerBlock, lineBlocks, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { code, EMPTY, escapeInline, joinMd, type Mrkdwn, md, truncate } from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** One subscription of a channel: a job, or every job (`jobId: null`), maybe filtered. */
export interface WatchView {
  jobId: string | null;
  only?: readonly string[] | null;
}

/** `/ft watching`: what this channel is told about. */
export function watchingView(subs: readonly WatchView[]): MessageView {
  if (subs.length === 0) {
    const none = md`This channel watches no jobs. \`/ft watch all\` or \`/ft watch &lt;job&gt;\` starts.`;
    return fitMessage({ text: md`This channel watches no jobs.`, blocks: [sectionBlock(none)] });
  }
  const lines = subs.map((s) => {
    const what = s.jobId === null ? md`*all jobs*` : code(s.jobId);
    const only =
      s.only && s.only.length > 0
        ? md` — only ${joinMd(
            s.only.map((o) => escapeInline(truncate(o, 40))),
            ', ',
          )}`
        : EMPTY;
    return md`• ${what}${only}`;
  });
  const blocks = [
    headerBlock('This channel watches'),
    ...lineBlocks(lines, { maxBlocks: 47, noun: 'subscriptions' }),
    contextBlock(md`\`/ft unwatch &lt;job&gt;|all\` stops.`),
  ];
  return fitMessage({ text: md`This channel watches ${subs.length} subscription(s).`, blocks });
}

/** What `/ft watch` did, as the subscription store reports it. */
export type WatchOutcome = 'added' | 'changed' | 'unchanged';

const filterText = (only: readonly string[] | null): Mrkdwn =>
  only
    ? md` (only ${joinMd(
        only.map((o) => code(truncate(o, 40))),
        ', ',
      )})`
    : EMPTY;

/** The answer to `/ft watch all`. */
export function watchAllView(outcome: WatchOutcome, only: readonly string[] | null): MessageView {
  const filter = filterText(only);
  const text =
    outcome === 'unchanged'
      ? md`This channel is already watching *every* fine-tuning job${filter}; nothing changed.`
      : outcome === 'changed'
        ? md`👀 This channel still watches *every* fine-tuning job, now${filter || md` with no filter`}.`
        : md`👀 This channel now hears about status changes of *every* fine-tuning job, new ones included${filter}.`;
  return { text, blocks: [sectionBlock(text)] };
}

/** The note under the job card `/ft watch <job>` answers with. */
export function watchJobNote(outcome: WatchOutcome, only: readonly string[] | null): string {
  const filtered = only ? ' (filtered)' : '';
  if (outcome === 'unchanged')
    return `This channel is already watching this job${filtered}; nothing changed.`;
  if (outcome === 'changed')
    return `This channel still watches this job, now${only ? ' filtered' : ' unfiltered'}.`;
  return `This channel will hear about every status change of this job${filtered}.`;
}

/** The note under the card of a finished job someone asked to watch: nothing was subscribed. */
export function finishedJobNote(phrase: string): string {
  return `This job ${phrase}; nothing more will change, so this channel does not watch it. /ft watch all announces every job's changes, new ones included.`;
}

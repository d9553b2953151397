import { chartAnswer } from '../../views/chart.ts';
import type { MessageView } from '../../views/types.ts';
import type { Caller, HandlerDeps } from '../deps.ts';
import { readJob } from '../job-lookup.ts';

/**
 * `/ft chart <job>` and the card's Chart button: the job's loss and accuracy curves as an
 * image in the channel (or the card's thread), and a private word to whoever asked.
 */
export async function chartJob(
  deps: HandlerDeps,
  caller: Pick<Caller, 'channelId'>,
  jobKey: string,
  threadTs?: string,
): Promise<MessageView> {
  // The job first: an unknown ID is "not found" with suggestions, as everywhere.
  const job = await readJob(deps, jobKey);
  const posted = await deps.charts.post({
    job,
    jobKey,
    channel: caller.channelId,
    ...(threadTs ? { threadTs } : {}),
  });
  return chartAnswer(jobKey, posted, { inThread: threadTs !== undefined });
}

/** Slack refused the chart's upload; `message` says what to do, for the person who asked. */
export class ChartUploadError extends Error {
  override readonly name = 'ChartUploadError';

  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(chartUploadAdvice(code), options);
  }
}

function chartUploadAdvice(code: string): string {
  switch (code) {
    case 'not_in_channel':
    case 'channel_not_found':
      return 'ftops cannot post files in this channel: invite it (`/invite @ftops`) and ask again.';
    case 'missing_scope':
    case 'not_allowed_token_type':
      return 'The Slack app may not upload files: it needs the `files:write` scope (reinstall it from manifest.yml).';
    case 'is_archived':
      return 'This channel is archived, so the chart cannot be posted here.';
    default:
      return `Slack refused the chart's upload (${code}); nothing was posted. Try again in a minute.`;
  }
}

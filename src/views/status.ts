/**
 * How a job status looks in Slack. Unknown statuses (the services add new ones) are shown
 * as they come with a neutral emoji rather than hidden or rejected.
 */

const EMOJI: Record<string, string> = {
  validating_files: '🔍',
  queued: '🕒',
  pending: '🕒',
  running: '🏃',
  pausing: '⏳',
  paused: '⏸️',
  resuming: '🔄',
  succeeded: '✅',
  failed: '❌',
  cancelled: '🚫',
  gone: '🗑️',
};

/** The neutral emoji shown beside a status ftops does not know. */
export const UNKNOWN_STATUS_EMOJI = '⚪';

/** The emoji for a status. */
export function statusEmoji(status: string): string {
  return Object.hasOwn(EMOJI, status) ? (EMOJI[status] as string) : UNKNOWN_STATUS_EMOJI;
}

/** A readable label for a status (`validating_files` → `validating files`), raw for unknown ones. */
export function statusLabel(status: string): string {
  return status.replace(/_/g, ' ');
}

const PHRASE: Record<string, string> = {
  validating_files: 'is validating its files',
  queued: 'is queued',
  pending: 'is pending',
  running: 'is running',
  pausing: 'is pausing',
  paused: 'is paused',
  resuming: 'is resuming',
  succeeded: 'has succeeded',
  failed: 'has failed',
  cancelled: 'was cancelled',
  gone: 'is gone',
};

/**
 * A job's status as a careful writer puts it after the job's name: "has succeeded", "is
 * paused"; an unknown status is quoted as plain text ("is in state “x”"), never trusted as markup.
 */
export function statusPhrase(status: string): string {
  return Object.hasOwn(PHRASE, status)
    ? (PHRASE[status] as string)
    : `is in state “${statusLabel(status)}”`;
}

import {
  blockActionsBody,
  blockActionsPayload,
  slashCommandBody,
} from '../../../src/emulators/slack-signing.ts';
import { REFRESH_JOB, WATCH_JOB } from '../../../src/views/action-ids.ts';
import { REQUESTER, TRAINING } from '../../lib/world.ts';

/** What a request asks for; each kind has an effect of its own that can be counted. */
export type Kind = 'status' | 'watch' | 'pause' | 'resume' | 'refresh' | 'watch-button';

/** Forgeries, as the issue lists them (plus a few more ways to get the headers wrong). */
export const CATEGORIES = [
  'wrong-signature',
  'other-secret',
  'stale',
  'future',
  'body-changed',
  'no-signature',
  'no-timestamp',
  'timestamp-changed',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_TEXT: Record<Category, string> = {
  'wrong-signature':
    'with a wrong signature (random hex, upper-cased, v1 scheme, truncated, empty)',
  'other-secret': 'signed with another secret',
  stale: 'with a timestamp over 5 minutes old (just over, an hour to a year, 0)',
  future: 'with a timestamp over 5 minutes in the future (5.5 min to 10 years)',
  'body-changed': 'with the body changed after signing (user, channel, verb, an added field)',
  'no-signature': 'with no signature (header absent or empty, or no Slack headers at all)',
  'no-timestamp': 'with no timestamp header (absent or empty)',
  'timestamp-changed': 'with the timestamp header changed after signing (within the window)',
};

/** The reason the bot logs for each category (src/bot/verify-signature.ts). */
export const EXPECTED_REASON: Record<Category, string> = {
  'wrong-signature': 'bad_signature',
  'other-secret': 'bad_signature',
  stale: 'stale',
  future: 'future',
  'body-changed': 'bad_signature',
  'no-signature': 'missing_headers',
  'no-timestamp': 'missing_headers',
  'timestamp-changed': 'bad_signature',
};

/** API requests the bot makes for one request of each kind (no faults, so no retries). */
export const API_PER_KIND: Record<Kind, number> = {
  // The jobs train: the card also reads what is new of their metrics (its progress).
  status: 3, // GET job + GET events (the card's latest) + GET events (metrics since last read)
  watch: 1, // GET job
  // Gated, so the pause itself waits for an approver; the request shows the job's training.
  pause: 2, // GET job + GET events (metrics, for the approvers)
  resume: 2, // GET job + POST resume (ungated by default)
  refresh: 3,
  'watch-button': 1,
};

/** Slack messages naming the job: the answer, plus the approval request for a pause. */
export const MESSAGES_PER_KIND: Record<Kind, number> = {
  status: 1,
  watch: 1,
  pause: 2,
  resume: 1,
  refresh: 1,
  'watch-button': 1,
};

/** Valid requests' kinds, weighted. */
export const VALID_KINDS: Kind[] = [
  ...Array<Kind>(5).fill('status'),
  ...Array<Kind>(4).fill('watch'),
  ...Array<Kind>(4).fill('pause'),
  ...Array<Kind>(2).fill('resume'),
  ...Array<Kind>(3).fill('refresh'),
  ...Array<Kind>(2).fill('watch-button'),
];
export const ALL_KINDS: Kind[] = ['status', 'watch', 'pause', 'resume', 'refresh', 'watch-button'];

/** The body of a request of `kind` about `job`, answered at `url`. */
export function bodyFor(kind: Kind, job: string, url: string): string {
  const command = (text: string) =>
    slashCommandBody({ text, user_id: REQUESTER, channel_id: TRAINING, response_url: url });
  const click = (actionId: string) =>
    blockActionsBody(
      blockActionsPayload({
        user: REQUESTER,
        channel: TRAINING,
        actionId,
        value: job,
        blockId: 'ftops.card',
        responseUrl: url,
      }),
    );
  switch (kind) {
    case 'status':
      return command(`status ${job}`);
    case 'watch':
      return command(`watch ${job}`);
    case 'pause':
      return command(`pause ${job} chaos authenticity`);
    case 'resume':
      return command(`resume ${job}`);
    case 'refresh':
      return click(REFRESH_JOB);
    case 'watch-button':
      return click(WATCH_JOB);
  }
}

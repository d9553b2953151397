// What is tampered with: the users who click, the five fields rewritten, and what a click may
// touch; the tallies kept per field, and the seeded draws every choice is made with.
import { pick } from '../../lib/campaign.ts';
import { APPROVER, OUTSIDER, REQUESTER } from '../../lib/world.ts';

export const GROUPIE = 'U0GROUPIE';
export const USERS = [REQUESTER, APPROVER, OUTSIDER, GROUPIE] as const;
export const APPROVER_IDS = new Set([APPROVER, GROUPIE]);
export const KINDS = ['value', 'block_id', 'message', 'metadata', 'response_url'] as const;
export type Kind = (typeof KINDS)[number];
export const KIND_LABEL: Record<Kind, string> = {
  value: 'button value',
  block_id: 'block_id',
  message: 'message (ts, blocks)',
  metadata: 'modal private_metadata',
  response_url: 'response_url',
};

/** Log lines that end a click's handling without anything posted to Slack. */
export const DONE_LOGS = [
  'reason modal submitted with an unknown, used or foreign reference',
  'response_url is not on Slack',
  'could not answer a click',
  'could not tell the requester',
  'modal reference lookup failed',
];
/** Read-only Slack methods a click may call about anything. */
export const SLACK_READS = new Set([
  'usergroups.users.list',
  'users.info',
  'auth.test',
  'conversations.info',
  'team.info',
]);
export const ANSWER_TIMEOUT_MS = 8_000;

export interface Button {
  actionId: string;
  value: string;
  blockId: string;
}
export interface Card {
  jobId: string;
  user: string;
  ts: string;
  text: string;
  blocks: unknown[];
  buttons: Button[];
}
export interface Request {
  id: string;
  jobId: string;
  requester: string;
  ts: string;
  text: string;
  blocks: unknown[];
  buttons: Button[];
}
export interface ModalRef {
  id: string;
  user: string;
}

/** Own state of a click, as the bot itself stored or signed it. */
export type Own =
  | { type: 'request'; id: string }
  | { type: 'job'; jobId: string; actionId: string }
  | { type: 'modal'; ref: string };

export interface Tally {
  clicks: number;
  acted: number;
  quiet: number;
  violations: number;
  non200: number;
  unanswered: number;
  decisions: number;
  apiCalls: number;
  requestsMade: number;
  modalsOpened: number;
  watches: number;
  slackHostedElsewhere: number;
  variants: Set<string>;
  examples: string[];
}
export const tally = (): Tally => ({
  clicks: 0,
  acted: 0,
  quiet: 0,
  violations: 0,
  non200: 0,
  unanswered: 0,
  decisions: 0,
  apiCalls: 0,
  requestsMade: 0,
  modalsOpened: 0,
  watches: 0,
  slackHostedElsewhere: 0,
  variants: new Set(),
  examples: [],
});

/** Figures counted across all kinds of rewrite. */
export interface Counters {
  foreignClicks: number;
  outsiderOrSelfClicks: number;
  badDecisions: number;
  maxAckMs: number;
  setupCalls: { requests: number; modals: number };
}

/** The seeded draws: every choice of a run comes from one generator, in a fixed order. */
export interface Draws {
  random: () => number;
  choose<T>(items: readonly T[]): T;
  hex(len: number): string;
  fakeId(): string;
}

export function draws(random: () => number): Draws {
  const choose = <T>(items: readonly T[]): T => items[pick(random, items.length)] as T;
  const hex = (len: number) =>
    Array.from({ length: len }, () => pick(random, 16).toString(16)).join('');
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const fakeId = () => Array.from({ length: 22 }, () => choose([...ALPHABET])).join('');
  return { random, choose, hex, fakeId };
}

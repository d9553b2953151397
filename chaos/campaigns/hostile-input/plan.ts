// What is tried: the four kinds of case (/ft commands, block_actions, view_submissions,
// malformed bodies), the cases pinned because they once crashed the bot, and the seeded mix.
import fc from 'fast-check';
import { REASON_MODAL } from '../../../src/views/action-ids.ts';
import { REQUESTER, TRAINING } from '../../lib/world.ts';
import {
  ACTION_PATHS,
  actor,
  channel,
  commandText,
  hostileText,
  type Mutation,
  mutations,
  type Source,
  source,
  VIEW_PATHS,
  wrongValue,
} from './arbitraries.ts';
import { KNOWN_ACTIONS, MENTIONS } from './inputs.ts';

export type Case =
  | { kind: 'command'; text: string; user: string; channel: string; command: string }
  | {
      kind: 'action';
      user: string;
      channel: string;
      actionId: string;
      value: Source;
      blockId: string;
      messageText: string;
      mutations: Mutation[];
    }
  | {
      kind: 'view';
      user: string;
      callbackId: string;
      meta: Source;
      reason: Source;
      mutations: Mutation[];
    }
  | { kind: 'raw'; body: string; contentType: string };

const commandCase: fc.Arbitrary<Case> = fc.record({
  kind: fc.constant('command' as const),
  text: commandText,
  user: actor,
  channel,
  command: fc.oneof(
    { arbitrary: fc.constant('/ft'), weight: 20 },
    { arbitrary: fc.constantFrom('/FT', '/ftx', '', '/ft\u0000', '<!channel>'), weight: 1 },
  ),
});

const actionCase: fc.Arbitrary<Case> = fc.record({
  kind: fc.constant('action' as const),
  user: actor,
  channel,
  actionId: fc.oneof(
    { arbitrary: fc.constantFrom(...KNOWN_ACTIONS), weight: 8 },
    {
      arbitrary: fc.constantFrom('ftops.job.explode', 'ftops.approval', '<!channel>', '', 'x'),
      weight: 1,
    },
    { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
  ),
  value: source({ job: 5, request: 3, ref: 0 }),
  blockId: fc.oneof(fc.constant('b'), fc.constantFrom(...MENTIONS), fc.string({ maxLength: 10 })),
  messageText: fc.oneof(fc.constant(''), hostileText),
  mutations: fc.oneof(
    { arbitrary: fc.constant<Mutation[]>([]), weight: 2 },
    mutations(ACTION_PATHS),
  ),
});

const viewCase: fc.Arbitrary<Case> = fc.record({
  kind: fc.constant('view' as const),
  user: fc.oneof({ arbitrary: fc.constant(REQUESTER), weight: 3 }, actor),
  callbackId: fc.oneof(
    { arbitrary: fc.constant(REASON_MODAL), weight: 8 },
    { arbitrary: fc.constantFrom('ftops.other_modal', '<!channel>', ''), weight: 1 },
  ),
  meta: source({ job: 1, request: 1, ref: 5 }),
  reason: fc.oneof(
    { arbitrary: hostileText.map((text) => ({ src: 'text' as const, text })), weight: 6 },
    { arbitrary: wrongValue.map((value) => ({ src: 'wrong' as const, value })), weight: 1 },
  ),
  mutations: fc.oneof({ arbitrary: fc.constant<Mutation[]>([]), weight: 2 }, mutations(VIEW_PATHS)),
});

export const FORM = 'application/x-www-form-urlencoded';
const rawCase: fc.Arbitrary<Case> = fc.oneof(
  // payload= that is not JSON, or JSON of the wrong shape.
  fc
    .oneof(
      fc.constantFrom('{', '{"type":', 'null', '42', '"str"', '[]', '{}', 'undefined', '{"a":1}x'),
      fc.constantFrom('{"type":"block_actions"}', '{"type":"view_submission","view":null}'),
      fc.constantFrom('{"type":"shortcut"}', '{"type":"url_verification","challenge":"<!here>"}'),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      hostileText,
    )
    .map((p) => ({
      kind: 'raw' as const,
      body: new URLSearchParams({ payload: p }).toString(),
      contentType: FORM,
    })),
  // Form bodies that are not what Slack sends.
  fc
    .constantFrom(
      '',
      'payload=',
      'payload=%ZZ',
      'payload=a&payload=b',
      'text=status&command=/ft',
      'command=%2Fft&text=%3C!channel%3E',
      'ssl_check=1&payload=%7B%7D',
      'type=url_verification&challenge=%3C!channel%3E',
      'command=/ft&user_id[]=x&text=help',
      '&&&==&',
    )
    .map((body) => ({ kind: 'raw' as const, body, contentType: FORM })),
  // Non-form bodies: JSON, text, binary, claimed as form or as what they are.
  fc
    .tuple(
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.constantFrom(
          '{"type":"event_callback","event":{"type":"message","text":"<!channel>"}}',
          '{"type":"block_actions","actions":[{"action_id":"ftops.job.refresh","value":"ftjob-hostile0"}]}',
          '{"command":"/ft","text":"status ftjob-hostile0"}',
          '<xml><!channel></xml>',
        ),
        hostileText,
        fc.string({ unit: 'binary', maxLength: 64 }),
      ),
      fc.constantFrom(FORM, 'application/json', 'text/plain', 'multipart/form-data; boundary=x'),
    )
    .map(([body, contentType]) => ({ kind: 'raw' as const, body, contentType })),
);

/** Cases that once crashed the bot or waited out Bolt's 3 s timer; always sent first. */
const PINNED: Case[] = [
  { kind: 'raw', body: 'payload=null', contentType: FORM },
  { kind: 'raw', body: 'null', contentType: 'application/json' },
  { kind: 'raw', body: 'payload=%7B%22type%22%3A%22shortcut%22%7D', contentType: FORM },
  { kind: 'raw', body: '{"type":"block_actions"}', contentType: 'application/json' },
  {
    kind: 'action',
    user: REQUESTER,
    channel: TRAINING,
    actionId: 'ftops.job.explode',
    value: { src: 'job', i: 0 },
    blockId: 'b',
    messageText: '',
    mutations: [],
  },
  {
    kind: 'view',
    user: REQUESTER,
    callbackId: REASON_MODAL,
    meta: { src: 'ref', i: 0 },
    reason: { src: 'wrong', value: 42 },
    mutations: [],
  },
];

const anyCase: fc.Arbitrary<Case> = fc.oneof(
  { arbitrary: commandCase, weight: 5 },
  { arbitrary: actionCase, weight: 3 },
  { arbitrary: viewCase, weight: 2 },
  { arbitrary: rawCase, weight: 1 },
);

/** The faults this campaign found lead every run, so the short version covers them too. */
export function seededCases(seed: number, total: number): Case[] {
  return [...PINNED, ...fc.sample(anyCase, { seed, numRuns: total - PINNED.length })];
}

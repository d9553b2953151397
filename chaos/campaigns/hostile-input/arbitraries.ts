// fast-check generators of hostile values: text, wrong-typed values, where a value comes from,
// payload mutations, and who a request claims to come from.
import fc from 'fast-check';
import { REASON_BLOCK, REASON_INPUT } from '../../../src/views/action-ids.ts';
import { VERBS } from '../../../src/vocabulary/index.ts';
import { APPROVALS, APPROVER, OUTSIDER, REQUESTER, TRAINING } from '../../lib/world.ts';
import {
  CONTROL,
  FLAGS,
  FORGED_ACTORS,
  HUGE,
  JOB_TRICKS,
  MARK,
  MENTIONS,
  NUMBERS,
} from './inputs.ts';

const fragment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...VERBS), weight: 3 },
  { arbitrary: fc.constantFrom(...VERBS).map((v) => v.toUpperCase()), weight: 1 },
  { arbitrary: fc.constantFrom(...JOB_TRICKS), weight: 4 },
  { arbitrary: fc.constantFrom(...MENTIONS), weight: 5 },
  { arbitrary: fc.constantFrom(...CONTROL), weight: 2 },
  { arbitrary: fc.constantFrom(...FLAGS), weight: 2 },
  { arbitrary: fc.constantFrom(...NUMBERS), weight: 1 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 12 }), weight: 1 },
);
const separator = fc.constantFrom(' ', ' ', ' ', '', '  ', '\n', '\t', '\u00a0');

/** Hostile text: fragments glued together, fully random strings, or a 40 KB monster. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .array(fc.tuple(fragment, separator), { minLength: 1, maxLength: 7 })
      .map((parts) => parts.map(([f, s]) => f + s).join('')),
    weight: 12,
  },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 120 }), weight: 2 },
  { arbitrary: fc.constantFrom(...HUGE), weight: 1 },
);

/** `/ft` text: mostly a verb first, then hostile arguments. */
export const commandText: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom(...VERBS),
        separator,
        fc.array(fc.tuple(fragment, separator), { maxLength: 6 }),
      )
      .map(([v, s, rest]) => v + s + rest.map(([f, t]) => f + t).join('')),
    weight: 6,
  },
  { arbitrary: hostileText, weight: 3 },
);

/** A value of the wrong type (or a hostile string) for any field. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
  hostileText,
);

/** Where a value comes from; resolved at send time (request IDs and modal refs are harvested). */
export type Source =
  | { src: 'job'; i: number }
  | { src: 'request'; i: number }
  | { src: 'ref'; i: number }
  | { src: 'text'; text: string }
  | { src: 'wrong'; value: unknown };

export const source = (weights: {
  job: number;
  request: number;
  ref: number;
}): fc.Arbitrary<Source> =>
  fc.oneof(
    { arbitrary: fc.nat().map((i) => ({ src: 'job' as const, i })), weight: weights.job },
    {
      arbitrary: fc.nat().map((i) => ({ src: 'request' as const, i })),
      weight: weights.request,
    },
    { arbitrary: fc.nat().map((i) => ({ src: 'ref' as const, i })), weight: weights.ref },
    { arbitrary: hostileText.map((text) => ({ src: 'text' as const, text })), weight: 4 },
    { arbitrary: wrongValue.map((value) => ({ src: 'wrong' as const, value })), weight: 1 },
  );

/** Deletes or overwrites a field of a payload, named by its path. */
export interface Mutation {
  path: string[];
  op: 'delete' | 'set';
  value?: unknown;
}
export const mutations = (paths: string[][]): fc.Arbitrary<Mutation[]> =>
  fc.array(
    fc.record({
      path: fc.constantFrom(...paths),
      op: fc.constantFrom('delete' as const, 'set' as const),
      value: wrongValue,
    }),
    { maxLength: 3 },
  );

export const ACTION_PATHS = [
  ['type'],
  ['user'],
  ['user', 'id'],
  ['channel'],
  ['channel', 'id'],
  ['container'],
  ['container', 'channel_id'],
  ['actions'],
  ['actions', '0'],
  ['actions', '0', 'action_id'],
  ['actions', '0', 'value'],
  ['actions', '0', 'type'],
  ['actions', '0', 'block_id'],
  ['response_url'],
  ['trigger_id'],
  ['message'],
  ['message', 'blocks'],
  ['team'],
  ['state'],
];
export const VIEW_PATHS = [
  ['type'],
  ['user'],
  ['user', 'id'],
  ['view'],
  ['view', 'callback_id'],
  ['view', 'private_metadata'],
  ['view', 'state'],
  ['view', 'state', 'values'],
  ['view', 'state', 'values', REASON_BLOCK],
  ['view', 'state', 'values', REASON_BLOCK, REASON_INPUT],
  ['view', 'state', 'values', REASON_BLOCK, REASON_INPUT, 'value'],
  ['view', 'id'],
  ['team'],
  ['trigger_id'],
];

/** Who a request claims to come from: mostly real users, sometimes forged or broken ids. */
export const actor = fc.oneof(
  { arbitrary: fc.constantFrom(REQUESTER, APPROVER, OUTSIDER), weight: 8 },
  { arbitrary: fc.constantFrom(...FORGED_ACTORS), weight: 1 },
  {
    arbitrary: fc.constantFrom('U0X> <!channel', '<!here>', '', 'u0lower', `U0${MARK}5|x`),
    weight: 1,
  },
);
export const channel = fc.oneof(
  { arbitrary: fc.constantFrom(TRAINING, APPROVALS), weight: 8 },
  { arbitrary: fc.constantFrom('C0NOSUCH', 'D0DIRECT', `C0${MARK}6> <!here`, ''), weight: 1 },
);

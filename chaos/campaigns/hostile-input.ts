import fc from 'fast-check';
import { JOB_ID_PATTERN } from '../../src/api/job-id.ts';
import {
  blockActionsPayload,
  signRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../src/emulators/slack-signing.ts';
import {
  APPROVE_REQUEST,
  CANCEL_JOB,
  DENY_REQUEST,
  PAUSE_JOB,
  REASON_BLOCK,
  REASON_INPUT,
  REASON_MODAL,
  REFRESH_JOB,
  RESUME_JOB,
  UNWATCH_JOB,
  WATCH_JOB,
} from '../../src/views/action-ids.ts';
import { VERBS } from '../../src/vocabulary/index.ts';
import {
  type Campaign,
  type CampaignResult,
  mapConcurrent,
  n,
  type Row,
  waitUntil,
} from '../lib/campaign.ts';
import {
  type Answer,
  APPROVALS,
  APPROVER,
  OUTSIDER,
  REQUESTER,
  startWorld,
  TRAINING,
  type World,
} from '../lib/world.ts';

/**
 * Campaign 7, hostile input: seeded fast-check cases of `/ft` text and interactive payloads
 * (mentions, `<!channel>`, control characters, 40 KB strings, path tricks, bad JSON, wrong
 * types, missing fields), every one signed correctly so it reaches the handlers of a real
 * `web` bot. Checked: the process never dies, every request is answered within 3 s, nothing
 * the bot sends to Slack carries a mention that came from input, every fine-tuning API
 * request stays on the job-ID routes, and no answer shows a stack trace or `[object Object]`.
 */

/** Job IDs the emulator knows, in the states the verbs care about. */
const JOBS = [
  { id: 'ftjob-hostile0', status: 'running' },
  { id: 'ftjob-hostile1', status: 'running' },
  { id: 'ftjob-hostile2', status: 'paused' },
  { id: 'ftjob-hostile3', status: 'paused' },
  { id: 'ftjob-hostile4', status: 'succeeded' },
  { id: 'ftjob-hostile5', status: 'failed' },
  { id: 'ftjob-hostile6', status: 'queued' },
  { id: 'ftjob-hostile7', status: 'validating_files' },
] as const;
const JOB_IDS = JOBS.map((j) => j.id);

/** Every marker id used in a generated mention contains this, so a hit is unambiguous. */
const MARK = 'HOSTILE';
/** Well-formed user ids the campaign itself puts in `user_id` (legitimately mentioned as actors). */
const FORGED_ACTORS = ['U0ACTOR1', 'W0ACTOR2'];
/** Users the bot may mention: the fixtures, the forged actors, and nobody else. */
const KNOWN_USERS = new Set([REQUESTER, APPROVER, OUTSIDER, 'U0FTBOT', ...FORGED_ACTORS]);
/** The approver group (FT_APPROVER_IDS), which approval requests mention on purpose. */
const KNOWN_GROUPS = new Set(['S0APPROVERS']);

const KNOWN_ACTIONS = [
  PAUSE_JOB,
  RESUME_JOB,
  CANCEL_JOB,
  REFRESH_JOB,
  WATCH_JOB,
  UNWATCH_JOB,
  APPROVE_REQUEST,
  DENY_REQUEST,
];

const MENTIONS = [
  `<@U0${MARK}1>`,
  `<@W0${MARK}2|mallory>`,
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!channel|channel>',
  '<!here|here>',
  `<!subteam^S0${MARK}3>`,
  `<!subteam^S0${MARK}3|@admins>`,
  `<#C0${MARK}4>`,
  `<#C0${MARK}4|general>`,
  `<http://evil.${MARK.toLowerCase()}.example|click me>`,
  `<https://evil.${MARK.toLowerCase()}.example/ftjob-hostile0>`,
  `<mailto:x@${MARK.toLowerCase()}.example|mail>`,
  '&lt;!channel&gt;',
  '&amp;lt;!here&amp;gt;',
  '&#60;!everyone&#62;',
  '<<!channel>>',
  '<!channel',
  '!channel>',
  '*bold* _it_ ~s~ `code` ```block```',
  '> quoted',
];
const CONTROL = [
  '\u0000',
  '\u0007',
  '\u001b[31mred\u001b[0m',
  '\u007f',
  '\u0085',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\u2028',
  '\r\n',
  '\ud800',
  '\udfff',
  '👩‍👩‍👧‍👦',
  'ｆｔｊｏｂ－ｈｏｓｔｉｌｅ０',
];
const JOB_TRICKS = [
  ...JOB_IDS,
  'ftjob-hostile0/../../files',
  '../fine_tuning/jobs',
  'ftjob-hostile0%2Fcancel',
  'ftjob-hostile0%2F..%2F..%2Ffiles',
  'ftjob-hostile0?limit=1000',
  'ftjob-hostile0#frag',
  'ftjob-hostile0/cancel',
  'ftjob-',
  'ftjob-.',
  'ftjob-..',
  'ftjob-hostile0\u200b',
  'ftjob-hostile0\u0000',
  'ftjob-hοstile0', // Greek omicron
  '`ftjob-hostile1`',
  '"ftjob-hostile2"',
  '<ftjob-hostile3>',
  '<https://ai.azure.com/x/ftjob-hostile0|ftjob-hostile0>',
  `ftjob-${'a'.repeat(123)}`,
  `ftjob-${'a'.repeat(122)}`,
  'FTJOB-hostile0',
  'ftjob-unknown404',
  'file-abc123',
  '%2e%2e%2f',
  'all',
];
const FLAGS = [
  '--dry-run',
  '--DRY-RUN',
  '--only',
  '--only failed,succeeded',
  '--only <!channel>',
  '--only=failed',
  '--',
  '-x',
  '—dry-run',
];
const NUMBERS = ['0', '-1', '1', '50', '51', '1e3', 'NaN', '99999999999999999999', '0x10', '٣'];

/** About 40 KB of something nasty. */
const HUGE = [
  'A'.repeat(40_000),
  '<!channel> '.repeat(3_700),
  `<@U0${MARK}9> `.repeat(2_800),
  '\u202e\u0000'.repeat(20_000),
  'ftjob-hostile0 '.repeat(2_700),
  '&lt;'.repeat(10_000),
];

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
const hostileText: fc.Arbitrary<string> = fc.oneof(
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
const commandText: fc.Arbitrary<string> = fc.oneof(
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
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
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
type Source =
  | { src: 'job'; i: number }
  | { src: 'request'; i: number }
  | { src: 'ref'; i: number }
  | { src: 'text'; text: string }
  | { src: 'wrong'; value: unknown };

const source = (weights: { job: number; request: number; ref: number }): fc.Arbitrary<Source> =>
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
interface Mutation {
  path: string[];
  op: 'delete' | 'set';
  value?: unknown;
}
const mutations = (paths: string[][]): fc.Arbitrary<Mutation[]> =>
  fc.array(
    fc.record({
      path: fc.constantFrom(...paths),
      op: fc.constantFrom('delete' as const, 'set' as const),
      value: wrongValue,
    }),
    { maxLength: 3 },
  );

const ACTION_PATHS = [
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
const VIEW_PATHS = [
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
const actor = fc.oneof(
  { arbitrary: fc.constantFrom(REQUESTER, APPROVER, OUTSIDER), weight: 8 },
  { arbitrary: fc.constantFrom(...FORGED_ACTORS), weight: 1 },
  {
    arbitrary: fc.constantFrom('U0X> <!channel', '<!here>', '', 'u0lower', `U0${MARK}5|x`),
    weight: 1,
  },
);
const channel = fc.oneof(
  { arbitrary: fc.constantFrom(TRAINING, APPROVALS), weight: 8 },
  { arbitrary: fc.constantFrom('C0NOSUCH', 'D0DIRECT', `C0${MARK}6> <!here`, ''), weight: 1 },
);

type Case =
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

const FORM = 'application/x-www-form-urlencoded';
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

/** What was sent and how it was answered. */
interface Sent {
  kind: Case['kind'];
  answer: Answer | { status: 0; body: string; ms: number };
  responseUrl?: string;
}

/** A stack-trace line as V8 prints it. */
const STACK =
  /\bat (?:async )?[\w$.<>[\]]+ \((?:file:|node:|\/)[^)]*:\d+:\d+\)|\n\s+at \S|\\n\s+at \S|"stack":"[^"]/;
const OBJECT = /\[object Object\]/;

/** Every mention, channel link, group or link in `text` that did not come from the bot itself. */
export function foreignMentions(text: string): string[] {
  const hits: string[] = [];
  for (const m of text.matchAll(/<([^<>]*)>/g)) {
    const inner = m[1] ?? '';
    if (/^!(channel|here|everyone)\b/i.test(inner)) hits.push(m[0]);
    else if (inner.startsWith('!subteam^')) {
      const id = inner.slice('!subteam^'.length).split('|')[0] ?? '';
      if (!KNOWN_GROUPS.has(id)) hits.push(m[0]);
    } else if (inner.startsWith('@')) {
      const id = inner.slice(1).split('|')[0] ?? '';
      if (!KNOWN_USERS.has(id)) hits.push(m[0]);
    } else if (inner.toUpperCase().includes(MARK)) hits.push(m[0]);
  }
  return hits;
}

/** The fine-tuning routes ftops may call: the job list and one job's sub-resources. */
const JOB_ROUTE = new RegExp(
  `^/fine_tuning/jobs(?:/(${JOB_ID_PATTERN.source.slice(1, -1)})(?:/(?:pause|resume|cancel|events|checkpoints))?)?$`,
);
const QUERY_KEYS = new Set(['limit', 'after', 'api-version']);

function routeOk(r: { path: string; query: string }): boolean {
  if (!JOB_ROUTE.test(r.path)) return false;
  if (r.query === '') return true;
  return r.query.split('&').every((kv) => {
    const [k = '', v = ''] = kv.split('=');
    return QUERY_KEYS.has(k) && /^[A-Za-z0-9_-]{1,128}$/.test(v);
  });
}

function setPath(obj: Record<string, unknown>, m: Mutation): void {
  let at: unknown = obj;
  for (const key of m.path.slice(0, -1)) {
    if (!at || typeof at !== 'object') return;
    at = (at as Record<string, unknown>)[key];
  }
  if (!at || typeof at !== 'object') return;
  const last = m.path.at(-1) as string;
  if (m.op === 'delete') delete (at as Record<string, unknown>)[last];
  else (at as Record<string, unknown>)[last] = m.value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export const runHostileInput: Campaign = async (opts) => {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const total = opts.full ? 10_000 : 300;
  const concurrency = 16;
  const world = await startWorld({ evidence: opts.evidence });
  try {
    for (const j of JOBS) world.ft.addJob({ id: j.id, status: j.status });
    world.slack.addUser({ id: FORGED_ACTORS[0] as string, name: 'actor-one' });
    const bot = await world.startBot('hostile-web', {
      role: 'web',
      apiTimeoutMs: 2_000,
      fastRetry: true,
    });
    log(`bot up (pid ${bot.pid}); harvesting approval requests and modal references`);
    const harvest = await harvestIds(world, bot);
    log(`${harvest.requests.length} request IDs, ${harvest.refs.length} modal refs harvested`);

    // The faults this campaign found lead every run, so the short version covers them too.
    const cases = [
      ...PINNED,
      ...fc.sample(anyCase, { seed: opts.seed, numRuns: total - PINNED.length }),
    ];
    const nowSec = Math.floor(Date.now() / 1000);
    const seen = new Set<string>();
    let done = 0;
    const sent = await mapConcurrent(cases, concurrency, async (c, i): Promise<Sent> => {
      const built = build(world, c, harvest);
      // Identical bodies would be refused as replays; a different timestamp makes a new signature.
      let ts = nowSec - (i % 120);
      while (seen.has(`${ts}:${built.body}`)) ts--;
      seen.add(`${ts}:${built.body}`);
      const headers = {
        ...signRequest(opts.evidence.canaries.SLACK_SIGNING_SECRET, built.body, ts),
      };
      const tStart = performance.now();
      let answer: Sent['answer'];
      try {
        answer = await world.post(bot, built.body, {
          ...headers,
          'content-type': built.contentType,
        });
      } catch (err) {
        answer = {
          status: 0,
          body: err instanceof Error ? err.message : String(err),
          ms: performance.now() - tStart,
        };
      }
      done++;
      if (done % 1000 === 0) log(`${n(done)} / ${n(total)} sent`);
      return {
        kind: c.kind,
        answer,
        ...(built.responseUrl ? { responseUrl: built.responseUrl } : {}),
      };
    });

    // Let the handlers finish what they do after the ack (answers, API calls, posts).
    let last = -1;
    await waitUntil(
      () => {
        const now =
          world.slack.calls.length + world.slack.responses.length + world.ft.requests.length;
        const quiet = now === last;
        last = now;
        return quiet;
      },
      20_000,
      1_500,
    );

    const health = await fetch(`${bot.url}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    const alive = bot.alive();

    // Acks.
    const ms = sent.map((s) => s.answer.ms).sort((a, b) => a - b);
    const late = sent.filter((s) => s.answer.ms > 3_000 || s.answer.status === 0);
    const statuses = new Map<number, number>();
    for (const s of sent) statuses.set(s.answer.status, (statuses.get(s.answer.status) ?? 0) + 1);
    const fiveXX = sent.filter((s) => s.answer.status >= 500).length;
    const refused = sent.filter((s) => s.answer.status === 401).length;
    const replays = bot.lines.filter((l) => l.includes('ignored a replayed Slack request')).length;
    const byKind = (k: Case['kind']) => sent.filter((s) => s.kind === k).length;

    // Effects: answers through response_url, messages, modals, API requests.
    const ourUrls = new Set(sent.flatMap((s) => (s.responseUrl ? [s.responseUrl] : [])));
    const answeredUrls = new Set(
      world.slack.responses.filter((r) => ourUrls.has(r.url)).map((r) => r.url),
    );
    const commandsSent = sent.filter((s) => s.kind === 'command' && s.responseUrl);
    const commandsAnswered = commandsSent.filter((s) => answeredUrls.has(s.responseUrl as string));
    const approvalPosts = (world.slack.messages.get(APPROVALS) ?? []).filter((m) => !m.ephemeral);
    const modals = world.slack.callsTo('views.open').length;
    const apiRequests = world.ft.requests;
    const mutatingApi = apiRequests.filter((r) => r.method === 'POST').length;

    // Mentions from input in anything sent to Slack.
    // trigger_id is an opaque token handed back to Slack, never shown, so it is left out.
    const shownText = (v: unknown) =>
      JSON.stringify(v, (k, x) => (k === 'trigger_id' ? undefined : x));
    const bodies: Array<{ where: string; text: string }> = [];
    for (const c of world.slack.calls)
      bodies.push({ where: `calls ${c.method}`, text: shownText(c.args) });
    for (const r of world.slack.responses)
      bodies.push({ where: 'response_url', text: shownText(r.body) });
    for (const [ch, msgs] of world.slack.messages)
      for (const m of msgs) bodies.push({ where: `message in ${ch}`, text: shownText(m) });
    for (const v of world.slack.views.values()) bodies.push({ where: 'view', text: shownText(v) });
    const mentionHits: string[] = [];
    for (const b of bodies)
      for (const hit of foreignMentions(b.text))
        mentionHits.push(`${b.where}: ${hit.slice(0, 80)}`);
    // Input only: MARK is upper case (job ids carry it in lower case) and the bot itself never
    // writes a broadcast keyword, escaped or not; plain 'channel' is in every chat.* call.
    const taintedInput = bodies.filter(
      (b) => b.text.includes(MARK) || /!(?:channel|here|everyone)\b/.test(b.text),
    );

    // Stack traces and [object Object] in anything a user or Slack sees.
    const shown = [...bodies.map((b) => b.text), ...sent.map((s) => s.answer.body)];
    const stackShown = shown.filter((t) => STACK.test(t) || OBJECT.test(t)).length;
    const errorLines = bot.lines.filter((l) => /"level":(50|60)/.test(l));
    const stackLogged = bot.lines.filter((l) => STACK.test(l) || OBJECT.test(l)).length;

    // API requests off the job-ID routes.
    const offRoute = apiRequests.filter((r) => !routeOk(r));

    const rows: Row[] = [
      {
        tried: `${n(total)} seeded cases (seed ${opts.seed}): ${n(byKind('command'))} /ft commands, ${n(byKind('action'))} block_actions, ${n(byKind('view'))} view_submissions, ${n(byKind('raw'))} malformed bodies`,
        happened: `bot ${alive ? 'still running' : 'EXITED'}, /healthz ${health}; ${n(errorLines.length)} error-level log lines`,
        target: 'no crash: the process lives and /healthz answers 200',
        met: alive && health === 200,
      },
      {
        tried: 'every case signed exactly as Slack signs, with a fresh signature',
        happened: `${n(refused)} refused as unsigned (401), ${n(replays)} taken for replays`,
        target: 'every case passes verification and reaches Bolt',
        met: refused === 0 && replays === 0,
      },
      {
        tried: `${n(total)} requests, ${concurrency} at a time`,
        happened: `p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, max ${(ms.at(-1) ?? 0).toFixed(0)} ms; ${n(late.length)} over 3 s or unanswered; statuses ${[
          ...statuses,
        ]
          .sort((a, b) => a[0] - b[0])
          .map(([s, k]) => `${s}×${n(k)}`)
          .join(', ')}`,
        target: 'every request answered within 3 s, none with a 5xx',
        met: late.length === 0 && fiveXX === 0,
      },
      {
        tried: 'the cases that should have had an effect',
        happened: `${n(commandsAnswered.length)} of ${n(commandsSent.length)} /ft commands answered through response_url; ${n(answeredUrls.size - commandsAnswered.length)} clicks answered; ${n(approvalPosts.length)} approval requests posted; ${n(modals)} modals opened; ${n(apiRequests.length)} API requests (${n(mutatingApi)} POST)`,
        target:
          'input reached the handlers: most commands answered, some requests, modals and API calls',
        met:
          commandsAnswered.length >= commandsSent.length * 0.5 &&
          approvalPosts.length > harvest.requests.length &&
          modals > 0 &&
          apiRequests.length > 0,
      },
      {
        tried: `${n(bodies.length)} bodies sent to Slack (Web API calls, response_url posts, messages, views), ${n(taintedInput.length)} of them carrying hostile input`,
        happened:
          mentionHits.length === 0
            ? 'no mention, group, channel link or link from input left unescaped'
            : `${n(mentionHits.length)} unescaped: ${mentionHits.slice(0, 3).join('; ')}`,
        target:
          'no <!channel>/<!here>/<!everyone>, foreign <!subteam^…> or <@…>, or marked link in any body',
        met: mentionHits.length === 0 && taintedInput.length > 0,
      },
      {
        tried: `${n(apiRequests.length)} fine-tuning API requests`,
        happened:
          offRoute.length === 0
            ? 'all on /fine_tuning/jobs or /fine_tuning/jobs/ftjob-…[/pause|resume|cancel|events|checkpoints]'
            : `${n(offRoute.length)} off the job-ID routes: ${offRoute
                .slice(0, 3)
                .map((r) => `${r.method} ${r.path}?${r.query}`)
                .join('; ')}`,
        target: 'no API request outside the job-ID paths',
        met: offRoute.length === 0,
      },
      {
        tried: `${n(shown.length)} answers and Slack bodies, ${n(bot.lines.length)} log lines`,
        happened: `${n(stackShown)} answers/bodies and ${n(stackLogged)} log lines with a stack trace or [object Object]`,
        target: 'none',
        met: stackShown === 0 && stackLogged === 0,
      },
    ];
    const result: CampaignResult = {
      name: 'hostile-input',
      title: '7. Hostile input',
      rows,
      durationMs: Date.now() - t0,
    };
    const notes: string[] = [];
    if (errorLines.length > 0)
      notes.push(
        `${errorLines.length} error-level log lines, e.g. ${errorLines[0]?.slice(0, 300)}`,
      );
    if (!alive) {
      const { code, signal } = await bot.exited;
      const tail = bot.lines.filter((l) => !l.startsWith('{')).slice(0, 6);
      notes.push(
        `bot exited (${code ?? signal}); first non-JSON output: ${tail.join(' | ').slice(0, 600)}`,
      );
    }
    if (notes.length > 0) result.notes = notes;
    return result;
  } finally {
    await world.close();
  }
};

interface Harvest {
  requests: string[];
  refs: string[];
}

/** Real approval request IDs (from `/ft pause` as the requester) and modal refs (Pause clicks). */
async function harvestIds(
  world: World,
  bot: Awaited<ReturnType<World['startBot']>>,
): Promise<Harvest> {
  for (const id of ['ftjob-hostile0', 'ftjob-hostile1']) {
    const body = slashCommandBody({
      text: `pause ${id} harvest`,
      user_id: REQUESTER,
      channel_id: TRAINING,
      response_url: world.slack.responseUrl(TRAINING, REQUESTER),
    });
    await world.signed(bot, body);
  }
  for (let i = 0; i < 4; i++) {
    const payload = blockActionsPayload({
      user: REQUESTER,
      channel: TRAINING,
      actionId: i % 2 ? CANCEL_JOB : PAUSE_JOB,
      value: JOB_IDS[i % 2] as string,
      blockId: 'card',
      responseUrl: world.slack.responseUrl(TRAINING, REQUESTER),
    });
    await world.signed(bot, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }
  const requests = (): string[] => {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) for (const x of v) walk(x);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.action_id === APPROVE_REQUEST && typeof o.value === 'string') out.push(o.value);
        for (const x of Object.values(o)) walk(x);
      }
    };
    for (const m of world.slack.messages.get(APPROVALS) ?? []) walk(m.blocks);
    return out;
  };
  const refs = (): string[] =>
    world.slack
      .callsTo('views.open')
      .map(
        (c) => (c.args.view as { private_metadata?: string } | undefined)?.private_metadata ?? '',
      )
      .filter(Boolean);
  await waitUntil(() => requests().length >= 2 && refs().length >= 4, 10_000);
  return { requests: [...new Set(requests())], refs: refs() };
}

/** Turns a generated case into a body, with a fresh response_url where the case has one. */
function build(
  world: World,
  c: Case,
  h: Harvest,
): { body: string; contentType: string; responseUrl?: string } {
  const resolve = (s: Source): unknown => {
    switch (s.src) {
      case 'job':
        return JOB_IDS[s.i % JOB_IDS.length];
      case 'request':
        return h.requests.length ? h.requests[s.i % h.requests.length] : 'no-request';
      case 'ref':
        return h.refs.length ? h.refs[s.i % h.refs.length] : 'no-ref';
      case 'text':
        return s.text;
      case 'wrong':
        return s.value;
    }
  };
  switch (c.kind) {
    case 'command': {
      const responseUrl = world.slack.responseUrl(TRAINING, REQUESTER);
      const body = slashCommandBody({
        text: c.text,
        user_id: c.user,
        channel_id: c.channel,
        response_url: responseUrl,
        command: c.command,
      });
      return { body, contentType: FORM, responseUrl };
    }
    case 'action': {
      const responseUrl = world.slack.responseUrl(TRAINING, REQUESTER);
      const value = resolve(c.value);
      const payload = blockActionsPayload({
        user: c.user,
        channel: c.channel,
        actionId: c.actionId,
        value: typeof value === 'string' ? value : '',
        blockId: c.blockId,
        responseUrl,
        ...(c.messageText ? { message: { ts: '1732000000.000100', text: c.messageText } } : {}),
      });
      const first = (payload.actions as Array<Record<string, unknown>>)[0];
      if (first && typeof value !== 'string') first.value = value;
      for (const m of c.mutations) setPath(payload, m);
      return {
        body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        contentType: FORM,
        responseUrl,
      };
    }
    case 'view': {
      const meta = resolve(c.meta);
      const reason = resolve(c.reason);
      const payload = viewSubmissionPayload({
        user: c.user,
        callbackId: c.callbackId,
        privateMetadata: typeof meta === 'string' ? meta : '',
        values: { [REASON_BLOCK]: { [REASON_INPUT]: { type: 'plain_text_input', value: reason } } },
      });
      const view = payload.view as Record<string, unknown>;
      if (typeof meta !== 'string') view.private_metadata = meta;
      for (const m of c.mutations) setPath(payload, m);
      return {
        body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        contentType: FORM,
      };
    }
    case 'raw':
      return { body: c.body, contentType: c.contentType };
  }
}

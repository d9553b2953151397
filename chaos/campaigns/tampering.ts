import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidJobId } from '../../src/api/job-id.ts';
import { buttonsOf } from '../../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  slashCommandBody,
  viewSubmissionBody,
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
  RESUME_JOB,
} from '../../src/views/action-ids.ts';
import {
  type Campaign,
  type CampaignOptions,
  type CampaignResult,
  n,
  pick,
  type Row,
  seededRandom,
  waitUntil,
} from '../lib/campaign.ts';
import {
  APPROVALS,
  APPROVER,
  OUTSIDER,
  REQUESTER,
  startWorld,
  TRAINING,
  type World,
} from '../lib/world.ts';

/**
 * Campaign 3, tampering: clicks whose button value, block ID, message, modal private_metadata
 * or response_url were rewritten to name other jobs, requests, modals or hosts. Every click is
 * built from a genuine button or modal the bot really produced, one field rewritten, signed as
 * Slack signs and sent to one real bot (role web). Clicks go one at a time, so everything that
 * changes between a click and its answer (Redis, fine-tuning API requests, Slack calls, bodies
 * posted to response URLs, a listener on a host that is not Slack) belongs to that click, and
 * is checked against what the click's own state names: the request the bot stored under the
 * button's request ID, the job the button's value names, or the modal reference the bot stored
 * for the submitting user.
 */

const GROUPIE = 'U0GROUPIE';
const USERS = [REQUESTER, APPROVER, OUTSIDER, GROUPIE] as const;
const APPROVER_IDS = new Set([APPROVER, GROUPIE]);
const KINDS = ['value', 'block_id', 'message', 'metadata', 'response_url'] as const;
type Kind = (typeof KINDS)[number];
const KIND_LABEL: Record<Kind, string> = {
  value: 'button value',
  block_id: 'block_id',
  message: 'message (ts, blocks)',
  metadata: 'modal private_metadata',
  response_url: 'response_url',
};

/** Log lines that end a click's handling without anything posted to Slack. */
const DONE_LOGS = [
  'reason modal submitted with an unknown, used or foreign reference',
  'response_url is not on Slack',
  'could not answer a click',
  'could not tell the requester',
  'modal reference lookup failed',
];
/** Read-only Slack methods a click may call about anything. */
const SLACK_READS = new Set([
  'usergroups.users.list',
  'users.info',
  'auth.test',
  'conversations.info',
  'team.info',
]);
const ANSWER_TIMEOUT_MS = 8_000;

interface Button {
  actionId: string;
  value: string;
  blockId: string;
}
interface Card {
  jobId: string;
  user: string;
  ts: string;
  text: string;
  blocks: unknown[];
  buttons: Button[];
}
interface Request {
  id: string;
  jobId: string;
  requester: string;
  ts: string;
  text: string;
  blocks: unknown[];
  buttons: Button[];
}
interface ModalRef {
  id: string;
  user: string;
}

/** Own state of a click, as the bot itself stored or signed it. */
type Own =
  | { type: 'request'; id: string }
  | { type: 'job'; jobId: string; actionId: string }
  | { type: 'modal'; ref: string };

interface Tally {
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
const tally = (): Tally => ({
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

/** A listener on a host that is not Slack; anything it receives is a fault. */
interface Foreign {
  url: string;
  port: number;
  received: Array<{ method: string; url: string; body: string }>;
  close(): Promise<void>;
}

async function startForeign(): Promise<Foreign> {
  const received: Foreign['received'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Redis contents of the world's namespace: key → field → value (sets: member → '1'). */
type Snapshot = Map<string, Map<string, string>>;

const READ_ALL = `
local out = {}
for i, k in ipairs(KEYS) do
  local t = redis.call('TYPE', k)['ok']
  local v = {}
  if t == 'hash' then v = redis.call('HGETALL', k)
  elseif t == 'set' then v = redis.call('SMEMBERS', k)
  elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
  elseif t == 'string' then v = {redis.call('GET', k)}
  elseif t == 'list' then v = redis.call('LRANGE', k, 0, -1) end
  out[i] = {t, v}
end
return out`;

/**
 * Keys that are bookkeeping, not state about a job or request: replay marks, caches, and the
 * audit trail (decisions, per-job decisions, refusals and their folding windows), which
 * records a refused click rather than acting on anything.
 */
const IGNORED = /^(replay:|audit($|:)|usergroup:)/;

async function snapshot(world: World): Promise<Snapshot> {
  const prefix = `${world.keys.bullPrefix}:`;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await world.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2000);
    cursor = next;
    for (const k of found) if (!IGNORED.test(k.slice(prefix.length))) keys.push(k);
  } while (cursor !== '0');
  const snap: Snapshot = new Map();
  if (keys.length === 0) return snap;
  const rows = (await world.redis.eval(READ_ALL, keys.length, ...keys)) as Array<
    [string, string[]]
  >;
  keys.forEach((key, i) => {
    const [type, values] = rows[i] ?? ['none', []];
    const fields = new Map<string, string>();
    if (type === 'hash' || type === 'zset')
      for (let j = 0; j + 1 < values.length; j += 2)
        fields.set(values[j] as string, values[j + 1] as string);
    else if (type === 'set') for (const m of values) fields.set(m, '1');
    else if (type === 'string') fields.set('', values[0] ?? '');
    else if (type === 'list') for (const [j, v] of values.entries()) fields.set(String(j), v);
    snap.set(key.slice(prefix.length), fields);
  });
  return snap;
}

/** What one changed (key, field) is about: `req:<id>`, `job:<id>`, `chan:<id>`, `modal:<id>`, or `key:<key>`. */
function subjectsOf(key: string, field: string): string[] {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string[]]> = [
    [/^approval:([^:]+)(:votes)?$/, (m) => [`req:${m[1]}`]],
    [/^approvals:pending$/, () => [`req:${field}`]],
    [/^modal:(.+)$/, (m) => [`modal:${m[1]}`]],
    [/^subs:channel:(.+)$/, (m) => [`job:${field}`, `chan:${m[1]}`]],
    [/^subs:job:(.+)$/, (m) => [`job:${m[1]}`, `chan:${field}`]],
    [/^subs:all$/, () => ['job:all', `chan:${field}`]],
    [/^(watched|poll:tracked)$/, () => [`job:${field}`]],
    [/^(status|jobmeta|actor):(.+)$/, (m) => [`job:${m[2]}`]],
  ];
  for (const [re, subjects] of rules) {
    const m = re.exec(key);
    if (m) return subjects(m);
  }
  return [`key:${key}`];
}

function diff(before: Snapshot, after: Snapshot): Array<{ key: string; field: string }> {
  const out: Array<{ key: string; field: string }> = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key) ?? new Map<string, string>();
    const b = after.get(key) ?? new Map<string, string>();
    for (const field of new Set([...a.keys(), ...b.keys()]))
      if (a.get(field) !== b.get(field)) out.push({ key, field });
  }
  return out;
}

const hashOf = (snap: Snapshot, key: string): Record<string, string> | undefined => {
  const m = snap.get(key);
  return m && m.size > 0 ? Object.fromEntries(m) : undefined;
};
const modalOf = (
  snap: Snapshot,
  id: string,
): { action: string; jobId: string; user: string; channel: string } | undefined => {
  const raw = snap.get(`modal:${id}`)?.get('');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
};

/** What the campaign observed, for its short test to check beyond the rows. */
export interface TamperingFigures {
  clicks: number;
  byKind: Record<Kind, Omit<Tally, 'variants' | 'examples'> & { variants: string[] }>;
  foreignClicks: number;
  foreignReceived: number;
  foreignRefused: number;
  outsiderOrSelfClicks: number;
  decisions: number;
  badDecisions: number;
  apiCalls: number;
  requestsMade: number;
  strayKeys: number;
  botAlive: boolean;
}

export const runTampering: Campaign = async (opts) => (await runTamperingWithFigures(opts)).result;

export async function runTamperingWithFigures(
  opts: CampaignOptions,
): Promise<{ result: CampaignResult; figures: TamperingFigures }> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const choose = <T>(items: readonly T[]): T => items[pick(random, items.length)] as T;
  const hex = (len: number) =>
    Array.from({ length: len }, () => pick(random, 16).toString(16)).join('');
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const fakeId = () => Array.from({ length: 22 }, () => choose([...ALPHABET])).join('');
  const total = opts.full ? 1000 : 80;

  const world = await startWorld({ evidence: opts.evidence });
  const foreign = await startForeign().catch(async (err: unknown) => {
    await world.close();
    throw err;
  });
  const notes: string[] = [];
  try {
    world.slack.addUser({ id: GROUPIE, name: 'gus' });
    world.slack.setUsergroup('S0APPROVERS', [APPROVER, GROUPIE]);
    const bot = await world.startBot('tampering', { role: 'web', fastRetry: true });
    const slack = world.slack;
    const ft = world.ft;

    const running = Array.from({ length: 6 }, (_, i) =>
      ft.addJob({ user_provided_suffix: `tamper-run-${i}` }),
    ).map((j) => j.id);
    const paused = Array.from({ length: 2 }, (_, i) =>
      ft.addJob({ status: 'paused', user_provided_suffix: `tamper-paused-${i}` }),
    ).map((j) => j.id);
    const jobs = [...running, ...paused];

    let logScanned = 0;
    let doneLogs = 0;
    const progress = () => {
      for (; logScanned < bot.lines.length; logScanned++) {
        const line = bot.lines[logScanned] ?? '';
        if (DONE_LOGS.some((m) => line.includes(m))) doneLogs++;
      }
      return (
        slack.responses.length +
        foreign.received.length +
        slack.callsTo('views.open').length +
        slack.callsTo('chat.postEphemeral').length +
        doneLogs
      );
    };

    const command = async (user: string, text: string): Promise<string> => {
      const url = slack.responseUrl(TRAINING, user);
      const ack = await world.signed(
        bot,
        slashCommandBody({ text, user_id: user, channel_id: TRAINING, response_url: url }),
      );
      if (ack.status !== 200) throw new Error(`/ft ${text} was answered ${ack.status}`);
      const ok = await waitUntil(() => slack.responses.some((r) => r.url === url), 5_000, 10);
      if (!ok) throw new Error(`/ft ${text} got no answer`);
      return JSON.stringify(slack.responses.find((r) => r.url === url)?.body ?? {});
    };

    // Genuine job cards, as each user sees them.
    const cards: Card[] = [];
    for (const user of USERS) {
      for (const jobId of jobs) {
        await command(user, `status ${jobId}`);
        const msg = (slack.messages.get(TRAINING) ?? []).findLast(
          (m) => m.visibleTo === user && m.text.includes(jobId) && buttonsOf(m.blocks).length > 0,
        );
        if (!msg) throw new Error(`no card for ${jobId}`);
        cards.push({
          jobId,
          user,
          ts: msg.ts,
          text: msg.text,
          blocks: msg.blocks ?? [],
          buttons: buttonsOf(msg.blocks),
        });
      }
    }

    // Genuine approval requests, made the way users make them.
    const requests: Request[] = [];
    const makeRequest = async () => {
      const jobId = choose(running);
      if (ft.getJob(jobId)?.status !== 'running') ft.setStatus(jobId, 'running');
      const user = choose(USERS);
      const action = choose(['pause', 'cancel']);
      const answer = await command(user, `${action} ${jobId} tamper test ${requests.length}`);
      if (!answer.includes('waiting for approval')) throw new Error(`no request: ${answer}`);
      const known = new Set(requests.map((r) => r.id));
      const msg = (slack.messages.get(APPROVALS) ?? []).find((m) => {
        const approve = buttonsOf(m.blocks).find((b) => b.actionId === APPROVE_REQUEST);
        return !m.ephemeral && approve && !known.has(approve.value);
      });
      const buttons = buttonsOf(msg?.blocks);
      const id = buttons.find((b) => b.actionId === APPROVE_REQUEST)?.value;
      if (!msg || !id) throw new Error('the request message was not posted');
      requests.push({
        id,
        jobId,
        requester: user,
        ts: msg.ts,
        text: msg.text,
        blocks: msg.blocks ?? [],
        buttons,
      });
    };
    for (let i = 0; i < 6; i++) await makeRequest();

    // Open reason modals: genuine Pause/Cancel clicks; their references feed the pool.
    const refs: ModalRef[] = [];
    const usedRefs: string[] = [];
    const noteNewRefs = (fromCall: number, user: string) => {
      for (const call of slack.callsTo('views.open').slice(fromCall)) {
        const ref = (call.args.view as { private_metadata?: string } | undefined)?.private_metadata;
        if (ref && !refs.some((r) => r.id === ref)) refs.push({ id: ref, user });
      }
    };
    const openModal = async (user: string) => {
      const card = choose(cards.filter((c) => c.user === user && gateButtons(c).length > 0));
      const button = choose(gateButtons(card));
      const calls = slack.callsTo('views.open').length;
      await world.signed(
        bot,
        blockActionsBody(
          blockActionsPayload({
            user,
            channel: TRAINING,
            actionId: button.actionId,
            value: button.value,
            blockId: button.blockId,
            responseUrl: slack.responseUrl(TRAINING, user, card.ts),
            message: { ts: card.ts, ephemeral: true },
          }),
        ),
      );
      await waitUntil(() => slack.callsTo('views.open').length > calls, 5_000, 10);
      noteNewRefs(calls, user);
    };
    for (const user of USERS) for (let i = 0; i < 2; i++) await openModal(user);
    log(
      `set up: ${jobs.length} jobs, ${cards.length} cards, ${requests.length} requests, ${refs.length} modals`,
    );

    const tallies = Object.fromEntries(KINDS.map((k) => [k, tally()])) as Record<Kind, Tally>;
    let foreignClicks = 0;
    let outsiderOrSelfClicks = 0;
    let badDecisions = 0;
    let maxAckMs = 0;
    const setupCalls = { requests: 0, modals: 0 };

    for (let index = 0; index < total; index++) {
      // Keep something to act on: pending requests, open modals, jobs in a state to act on.
      if (index % 25 === 24) {
        for (const id of running)
          if (ft.getJob(id)?.status !== 'running') ft.setStatus(id, 'running');
        for (const id of paused) if (ft.getJob(id)?.status !== 'paused') ft.setStatus(id, 'paused');
      }
      const pendingNow = await world.redis.zcard(world.keys.approvalsPending());
      if (pendingNow < 4) {
        await makeRequest();
        setupCalls.requests++;
      }
      for (const user of USERS)
        if (refs.filter((r) => r.user === user).length < 2) {
          await openModal(user);
          setupCalls.modals++;
        }

      const kind = KINDS[index % KINDS.length] as Kind;
      const t = tallies[kind];
      const user = choose(USERS);
      let variant = '';
      let own: Own;
      let body: string;
      let responseUrl: string | undefined;
      let expectAnswerAt: string | undefined;

      if (kind === 'metadata' || (kind === 'response_url' && random() < 0.2)) {
        // A modal submission by `user`.
        const mine = refs.filter((r) => r.user === user);
        let metadata: string;
        let responseUrls: Array<{ response_url: string }> = [];
        if (kind === 'metadata') {
          const others = refs.filter((r) => r.user !== user);
          const options: Array<[string, () => string]> = [
            ['another user’s open modal', () => choose(others).id],
            ['another user’s open modal', () => choose(others).id],
            ['own other modal (names another job)', () => choose(mine).id],
            ['used reference', () => (usedRefs.length > 0 ? choose(usedRefs) : fakeId())],
            ['unknown reference', () => fakeId()],
            ['approval request ID', () => choose(requests).id],
            ['job ID', () => choose(jobs)],
            [
              'forged JSON naming a job',
              () =>
                JSON.stringify({ action: 'cancel', jobId: choose(jobs), user, channel: TRAINING }),
            ],
            ['garbage', () => choose(['', ' ', '../../modal', 'x'.repeat(3000), '{"']) as string],
          ];
          const [label, make] = choose(options);
          variant = label;
          metadata = make();
        } else {
          const own = choose(mine);
          metadata = own.id;
          const [label, url] = choose(foreignOrElsewhere(user));
          variant = `modal: ${label}`;
          responseUrls = [{ response_url: url }];
          if (label.startsWith('foreign')) foreignClicks++;
        }
        own = { type: 'modal', ref: metadata };
        const payload = viewSubmissionPayload({
          user,
          callbackId: REASON_MODAL,
          privateMetadata: metadata,
          values: {
            [REASON_BLOCK]: {
              [REASON_INPUT]: { type: 'plain_text_input', value: `tampered ${index}` },
            },
          },
        });
        payload.response_urls = responseUrls;
        body = viewSubmissionBody(payload);
      } else {
        // A button click by `user`: on an approval request, or on one of the user's job cards.
        const onRequest = random() < 0.5;
        let button: Button;
        let messageTs: string;
        let channel: string;
        let ephemeral: boolean;
        if (onRequest) {
          const pendingIds = new Set(
            await world.redis.zrange(world.keys.approvalsPending(), 0, -1),
          );
          const pool = requests.filter((r) => pendingIds.has(r.id));
          const req = random() < 0.8 && pool.length > 0 ? choose(pool) : choose(requests);
          button = choose(
            req.buttons.filter((b) => random() < 0.25 || b.actionId === APPROVE_REQUEST),
          );
          messageTs = req.ts;
          channel = APPROVALS;
          ephemeral = false;
        } else {
          const card = choose(cards.filter((c) => c.user === user));
          button = choose(card.buttons);
          messageTs = card.ts;
          channel = TRAINING;
          ephemeral = true;
        }
        const genuineUrl = slack.responseUrl(channel, user, messageTs);
        const payload = blockActionsPayload({
          user,
          channel,
          actionId: button.actionId,
          value: button.value,
          blockId: button.blockId,
          responseUrl: genuineUrl,
          message: ephemeral
            ? { ts: messageTs, ephemeral: true }
            : {
                ts: messageTs,
                text: requests.find((r) => r.ts === messageTs)?.text ?? '',
                blocks: requests.find((r) => r.ts === messageTs)?.blocks ?? [],
              },
        });
        const action = (payload.actions as Array<Record<string, unknown>>)[0] as Record<
          string,
          unknown
        >;
        responseUrl = genuineUrl;
        if (kind === 'value') {
          const options: Array<[string, () => string]> = onRequest
            ? [
                ['another request', () => choose(requests).id],
                ['another request', () => choose(requests).id],
                [
                  'a request of the clicker’s own',
                  () => (requests.find((r) => r.requester === user) ?? choose(requests)).id,
                ],
                ['unknown request ID', () => fakeId()],
                ['a job ID', () => choose(jobs)],
                [
                  'garbage',
                  () => choose(['', '../../x', 'x'.repeat(2000), `${button.value}x`, '{"id":1}']),
                ],
              ]
            : [
                ['another job', () => choose(jobs)],
                ['another job', () => choose(jobs)],
                ['unknown job', () => `ftjob-tamper${hex(12)}`],
                ['a request ID', () => choose(requests).id],
                [
                  'garbage',
                  () =>
                    choose([
                      '',
                      '../../admin',
                      'ftjob-abc/../../files',
                      `ftjob-${'a'.repeat(400)}`,
                    ]),
                ],
              ];
          const [label, make] = choose(options);
          variant = label;
          action.value = make();
        } else if (kind === 'block_id') {
          const other = choose(requests);
          const otherCard = choose(cards);
          const options: Array<[string, () => string]> = [
            ['another request’s block', () => other.buttons[0]?.blockId ?? other.id],
            ['another card’s block', () => otherCard.buttons[0]?.blockId ?? otherCard.jobId],
            ['a request ID', () => other.id],
            ['a job ID', () => choose(jobs)],
            ['key-like', () => `approval:${other.id}`],
            ['garbage', () => choose(['', 'x'.repeat(255), '../..', '{"jobId":"x"}'])],
          ];
          const [label, make] = choose(options);
          variant = label;
          action.block_id = make();
        } else if (kind === 'message') {
          const other = choose(requests);
          const otherCard = choose(cards);
          const options: Array<[string, () => Record<string, unknown>]> = [
            [
              'another request’s message',
              () => ({ ts: other.ts, text: other.text, blocks: other.blocks }),
            ],
            [
              'another job’s card',
              () => ({ ts: otherCard.ts, text: otherCard.text, blocks: otherCard.blocks }),
            ],
            [
              'forged blocks naming other targets',
              () => ({
                ts: `${1_700_000_000 + pick(random, 1e6)}.000${pick(random, 900) + 100}`,
                text: `${other.jobId} ${other.id}`,
                blocks: [
                  {
                    type: 'actions',
                    block_id: other.id,
                    elements: [
                      {
                        type: 'button',
                        action_id: button.actionId,
                        value: onRequest ? other.id : otherCard.jobId,
                        text: { type: 'plain_text', text: 'x' },
                      },
                    ],
                  },
                ],
              }),
            ],
          ];
          const [label, make] = choose(options);
          variant = label;
          const message = make();
          payload.message = {
            type: 'message',
            user: 'U0FTBOT',
            ...message,
          };
          payload.container = {
            type: 'message',
            message_ts: message.ts,
            channel_id: channel,
            is_ephemeral: false,
          };
        } else {
          const options = [...foreignOrElsewhere(user)];
          const [label, url] = choose(options);
          variant = label;
          payload.response_url = url;
          responseUrl = url;
          if (label.startsWith('foreign')) foreignClicks++;
        }
        const value = String(action.value ?? '');
        own =
          button.actionId === APPROVE_REQUEST || button.actionId === DENY_REQUEST
            ? { type: 'request', id: value }
            : { type: 'job', jobId: value, actionId: button.actionId };
        body = blockActionsBody(payload);
        expectAnswerAt = responseUrl;
      }
      t.clicks++;
      t.variants.add(variant);

      // The click, alone, and what changed while it was handled.
      const before = await snapshot(world);
      const apiMark = ft.requests.length;
      const callMark = slack.calls.length;
      const responseMark = slack.responses.length;
      const foreignMark = foreign.received.length;
      const progressMark = progress();
      const viewsMark = slack.callsTo('views.open').length;
      const ack = await world.signed(bot, body);
      maxAckMs = Math.max(maxAckMs, ack.ms);
      if (ack.status !== 200) t.non200++;
      const answered = await waitUntil(() => progress() > progressMark, ANSWER_TIMEOUT_MS, 5);
      if (!answered) t.unanswered++;
      const after = await snapshot(world);

      const problems: string[] = [];
      const allowed = allowedFor(own, user, before);
      if (allowed.outsiderOrSelf) outsiderOrSelfClicks++;
      // Redis.
      let acted = false;
      for (const { key, field } of diff(before, after)) {
        for (const subject of subjectsOf(key, field)) {
          if (allowed.subjects.has(subject)) {
            acted = true;
            continue;
          }
          const [type, id] = [
            subject.slice(0, subject.indexOf(':')),
            subject.slice(subject.indexOf(':') + 1),
          ];
          if (type === 'req' && allowed.newRequest && !before.has(`approval:${id}`)) {
            const h = hashOf(after, `approval:${id}`);
            if (
              h &&
              h.jobId === allowed.newRequest.jobId &&
              h.action === allowed.newRequest.action &&
              h.requester === user &&
              h.state === 'pending'
            ) {
              acted = true;
              continue;
            }
          }
          if (type === 'modal' && allowed.newModal && !before.has(key)) {
            const m = modalOf(after, id);
            if (
              m &&
              m.jobId === allowed.newModal.jobId &&
              m.action === allowed.newModal.action &&
              m.user === user
            ) {
              acted = true;
              continue;
            }
          }
          problems.push(`redis ${key}[${field}] (${subject})`);
        }
      }
      // Decisions on approval requests, and whether policy allowed them.
      for (const r of requests) {
        const a = hashOf(before, `approval:${r.id}`);
        const b = hashOf(after, `approval:${r.id}`);
        if (a && b && a.state !== b.state) {
          t.decisions++;
          if (!APPROVER_IDS.has(user) || user === a.requester || a.state !== 'pending') {
            badDecisions++;
            problems.push(`decision on ${r.id} by ${user} not allowed by policy`);
          }
        }
      }
      // Fine-tuning API: mutating requests.
      const posts = ft.requests.slice(apiMark).filter((r) => r.method !== 'GET');
      for (const p of posts) {
        const m = /^\/fine_tuning\/jobs\/([^/]+)\/(pause|resume|cancel)$/.exec(p.path);
        const what = m ? `${m[2]} ${m[1]}` : `${p.method} ${p.path}`;
        if (allowed.api.has(what)) {
          acted = true;
          t.apiCalls++;
        } else problems.push(`API ${what}`);
      }
      if (posts.length > 1) problems.push(`${posts.length} mutating API requests for one click`);
      // Slack: writes only about the click's own target.
      for (const call of slack.calls.slice(callMark)) {
        if (SLACK_READS.has(call.method)) continue;
        const a = call.args as Record<string, unknown>;
        let ok = false;
        if (call.method === 'chat.update')
          ok = allowed.messageTs !== undefined && a.ts === allowed.messageTs;
        else if (call.method === 'chat.postMessage')
          ok =
            (allowed.messageTs !== undefined && a.thread_ts === allowed.messageTs) ||
            (allowed.newRequest !== undefined &&
              a.channel === APPROVALS &&
              a.thread_ts === undefined &&
              String(a.text ?? '').includes(allowed.newRequest.jobId));
        else if (call.method === 'chat.postEphemeral')
          ok =
            allowed.ephemeral !== undefined &&
            a.channel === allowed.ephemeral.channel &&
            a.user === user;
        else if (call.method === 'views.open') {
          const ref = (a.view as { private_metadata?: string } | undefined)?.private_metadata;
          const m = ref ? modalOf(after, ref) : undefined;
          ok =
            allowed.newModal !== undefined &&
            m?.jobId === allowed.newModal.jobId &&
            m?.user === user;
          if (ok) t.modalsOpened++;
        }
        if (!ok) problems.push(`Slack ${call.method} ${JSON.stringify(a).slice(0, 120)}`);
      }
      // Bodies posted to response URLs: only to the one the click carried.
      for (const r of slack.responses.slice(responseMark)) {
        if (r.url !== expectAnswerAt) problems.push(`answer posted to another response_url`);
        else if (kind === 'response_url') t.slackHostedElsewhere++;
      }
      if (foreign.received.length > foreignMark)
        problems.push(`${foreign.received.length - foreignMark} requests reached the foreign host`);

      // Bookkeeping for the pools and the figures.
      if (own.type === 'modal') {
        const m = modalOf(before, own.ref);
        if (m && m.user === user && !after.has(`modal:${own.ref}`)) {
          usedRefs.push(own.ref);
          const i = refs.findIndex((r) => r.id === own.ref);
          if (i >= 0) refs.splice(i, 1);
        }
      }
      for (const key of after.keys()) {
        const m = /^approval:([^:]+)$/.exec(key);
        if (m && !before.has(key)) t.requestsMade++;
      }
      for (const key of diff(before, after).map((d) => d.key))
        if (key.startsWith('subs:')) {
          t.watches++;
          break;
        }
      noteNewRefs(viewsMark, user);
      // New requests made by submissions join the pool of genuine requests.
      for (const call of slack.calls.slice(callMark))
        if (call.method === 'chat.postMessage' && call.args.channel === APPROVALS) {
          const blocks = (call.args.blocks ?? []) as unknown[];
          const btns = buttonsOf(blocks);
          const id = btns.find((b) => b.actionId === APPROVE_REQUEST)?.value;
          const h = id ? hashOf(after, `approval:${id}`) : undefined;
          const msg = (slack.messages.get(APPROVALS) ?? []).find((m) =>
            buttonsOf(m.blocks).some((b) => b.value === id),
          );
          if (id && h && msg && !requests.some((r) => r.id === id))
            requests.push({
              id,
              jobId: h.jobId ?? '',
              requester: h.requester ?? '',
              ts: msg.ts,
              text: msg.text,
              blocks: msg.blocks ?? [],
              buttons: btns,
            });
        }

      if (problems.length > 0) {
        t.violations++;
        if (t.examples.length < 3)
          t.examples.push(`#${index} ${variant}: ${problems.slice(0, 2).join('; ')}`);
      } else if (acted) t.acted++;
      else t.quiet++;
      if (index % 100 === 99) log(`${n(index + 1)} of ${n(total)} clicks sent`);
    }

    // Anything in Redis nobody can account for (a key no subject rule knows).
    const finalSnap = await snapshot(world);
    const strayKeys = [...finalSnap.keys()].filter((k) =>
      subjectsOf(k, '').every((s) => s.startsWith('key:')),
    );

    const alive = bot.alive();
    const errorLines = bot.lines.filter((l) => l.includes('unexpected error in a Slack handler'));
    const leaks = [
      ...bot.lines,
      ...slack.responses.map((r) => JSON.stringify(r.body)),
      ...slack.calls.map((c) => JSON.stringify(c.args)),
      // A non-empty "stack" field or a trace's "    at f (file:1:2)" line; pino writes an
      // empty "stack" for plain error objects, which carries nothing.
    ].filter((s) => /\[object Object\]|"stack":"[^"]|(\n|\\n)\s+at \S/.test(s));
    const refusedForeign = bot.lines.filter((l) =>
      l.includes('response_url is not on Slack'),
    ).length;

    const rows: Row[] = KINDS.map((kind) => {
      const t = tallies[kind];
      const effects = [
        t.decisions ? `${n(t.decisions)} decisions` : '',
        t.apiCalls ? `${n(t.apiCalls)} API calls` : '',
        t.requestsMade ? `${n(t.requestsMade)} requests made` : '',
        t.modalsOpened ? `${n(t.modalsOpened)} modals opened` : '',
        t.watches ? `${n(t.watches)} (un)watches` : '',
      ].filter(Boolean);
      const elsewhere =
        kind === 'response_url'
          ? `; ${n(t.slackHostedElsewhere)} answers went to the rewritten Slack-hosted URL (Slack's own URLs cannot be told apart)`
          : '';
      return {
        tried: `${n(t.clicks)} clicks with the ${KIND_LABEL[kind]} rewritten (${[...t.variants].join(', ')})`,
        happened:
          `${n(t.quiet)} refused or answered without a change, ${n(t.acted)} acted on their own target` +
          `${effects.length ? ` (${effects.join(', ')})` : ''}; ${n(t.violations)} acted on something else` +
          `${t.examples.length ? ` [${t.examples.join(' | ')}]` : ''}; ${n(t.non200)} not acked 200, ${n(t.unanswered)} unanswered${elsewhere}`,
        target: "0 actions on anything but the click's own state; every click acked 200",
        met: t.clicks > 0 && t.violations === 0 && t.non200 === 0 && t.unanswered === 0,
      };
    });
    rows.push({
      tried: `${n(foreignClicks)} clicks and submissions with a response_url on a host that is not Slack (${foreign.url}, localhost, Slack's origin as userinfo)`,
      happened: `the listener received ${n(foreign.received.length)} requests; the bot refused ${n(refusedForeign)} requests for their response_url`,
      target: '0 requests reach a host that is not Slack',
      met: foreignClicks > 0 && foreign.received.length === 0,
    });
    const sum = (f: (t: Tally) => number) => KINDS.reduce((s, k) => s + f(tallies[k]), 0);
    const decisions = sum((t) => t.decisions);
    const apiCalls = sum((t) => t.apiCalls);
    const made = sum((t) => t.requestsMade);
    rows.push({
      tried: `${n(outsiderOrSelfClicks)} clicks on requests by outsiders or by the request's own requester; clicks by approvers on others' requests`,
      happened: `${n(badDecisions)} decisions by outsiders or requesters; ${n(decisions)} decisions allowed by policy, ${n(apiCalls)} API calls on the click's own target, ${n(made)} requests made from the submitter's own modal`,
      target: 'outsiders and requesters never decide; legitimate clicks still act',
      met:
        outsiderOrSelfClicks > 0 && badDecisions === 0 && decisions > 0 && apiCalls > 0 && made > 0,
    });
    rows.push({
      tried: `one web bot through ${n(total)} tampered clicks (plus ${n(setupCalls.requests)} requests and ${n(setupCalls.modals)} modals made between them)`,
      happened: `${alive ? 'alive' : 'DEAD'}; slowest ack ${Math.round(maxAckMs)} ms; ${n(errorLines.length)} unexpected-error log lines; ${n(leaks.length)} stack traces or [object Object] in logs and answers${leaks.length ? ` (${leaks[0]?.slice(0, 300)})` : ''}; ${n(strayKeys.length)} unaccounted Redis keys${strayKeys.length ? ` (${strayKeys.slice(0, 3).join(', ')})` : ''}`,
      target: 'no crash',
      met: alive && errorLines.length === 0 && leaks.length === 0 && strayKeys.length === 0,
    });
    notes.push(
      'Fault found and fixed: a signed click or command whose response_url named any host had its answer (job details) POSTed there, and the action still ran. ftops now acks and drops such a request before any listener runs, answering only https://hooks.slack.com or the origin of SLACK_API_URL (src/bot/response-url.ts; regression test test/bot/response-url.test.ts).',
      "Not a fault: a response_url rewritten to another Slack-hosted URL (another channel's or user's) gets the click's answer, since Slack's response URLs are opaque and cannot be matched to a channel; the action itself still follows only the click's own state.",
    );
    const byKind = Object.fromEntries(
      KINDS.map((k) => {
        const { variants, examples: _examples, ...rest } = tallies[k];
        return [k, { ...rest, variants: [...variants] }];
      }),
    ) as TamperingFigures['byKind'];
    return {
      result: {
        name: 'tampering',
        title: '3. Tampering',
        rows,
        durationMs: Date.now() - started,
        notes,
      },
      figures: {
        clicks: total,
        byKind,
        foreignClicks,
        foreignReceived: foreign.received.length,
        foreignRefused: refusedForeign,
        outsiderOrSelfClicks,
        decisions,
        badDecisions,
        apiCalls,
        requestsMade: made,
        strayKeys: strayKeys.length,
        botAlive: alive,
      },
    };

    /** Response URLs that are not the click's own: other Slack ones, and a foreign host. */
    function foreignOrElsewhere(user: string): Array<[string, string]> {
      const other = choose(USERS.filter((u) => u !== user));
      const someTs = choose(requests).ts;
      const path = `/response/${hex(24)}`;
      const slackOrigin = new URL(slack.url).host;
      return [
        ['another channel’s URL', slack.responseUrl(APPROVALS, user, someTs)],
        ['another user’s URL', slack.responseUrl(TRAINING, other)],
        ['foreign host', `${foreign.url}${path}`],
        ['foreign host (localhost)', `http://localhost:${foreign.port}${path}`],
        [
          'foreign host (Slack origin as userinfo)',
          `http://${slackOrigin}@127.0.0.1:${foreign.port}${path}`,
        ],
        [
          'foreign host (Slack URL in query)',
          `${foreign.url}${path}?next=${encodeURIComponent(slack.url)}`,
        ],
      ];
    }
  } finally {
    try {
      await foreign.close();
    } finally {
      await world.close();
    }
  }
}

function gateButtons(card: Card): Button[] {
  return card.buttons.filter((b) => b.actionId === PAUSE_JOB || b.actionId === CANCEL_JOB);
}

interface Allowed {
  subjects: Set<string>;
  api: Set<string>;
  /** The request message the bot may update or reply under. */
  messageTs?: string;
  newRequest?: { jobId: string; action: string };
  newModal?: { jobId: string; action: string };
  ephemeral?: { channel: string };
  outsiderOrSelf: boolean;
}

/** What a click may change, from its own state as stored before it. */
function allowedFor(own: Own, user: string, before: Snapshot): Allowed {
  const out: Allowed = { subjects: new Set(), api: new Set(), outsiderOrSelf: false };
  if (own.type === 'request') {
    const h = hashOf(before, `approval:${own.id}`);
    if (!h) return out;
    out.outsiderOrSelf = !APPROVER_IDS.has(user) || user === h.requester;
    if (h.state !== 'pending' || out.outsiderOrSelf) return out;
    out.subjects.add(`req:${own.id}`);
    out.subjects.add(`job:${h.jobId}`);
    out.subjects.add(`chan:${h.channel}`);
    out.api.add(`${h.action} ${h.jobId}`);
    if (h.messageTs) out.messageTs = h.messageTs;
    return out;
  }
  if (own.type === 'job') {
    if (!isValidJobId(own.jobId)) return out;
    out.subjects.add(`job:${own.jobId}`);
    out.subjects.add(`chan:${TRAINING}`);
    if (own.actionId === RESUME_JOB) out.api.add(`resume ${own.jobId}`);
    if (own.actionId === PAUSE_JOB) out.newModal = { jobId: own.jobId, action: 'pause' };
    if (own.actionId === CANCEL_JOB) out.newModal = { jobId: own.jobId, action: 'cancel' };
    return out;
  }
  const ref = modalOf(before, own.ref);
  if (!ref || ref.user !== user) return out;
  out.subjects.add(`modal:${own.ref}`);
  out.subjects.add(`job:${ref.jobId}`);
  out.newRequest = { jobId: ref.jobId, action: ref.action };
  out.ephemeral = { channel: ref.channel };
  return out;
}

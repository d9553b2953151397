import { createHmac } from 'node:crypto';
import { MAX_CLOCK_SKEW_SECONDS } from '../../src/bot/verify-signature.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  signRequest,
  slashCommandBody,
} from '../../src/emulators/slack-signing.ts';
import { REFRESH_JOB, WATCH_JOB } from '../../src/views/action-ids.ts';
import type { BotProcess } from '../lib/bot-process.ts';
import {
  type Campaign,
  type CampaignOptions,
  type CampaignResult,
  mapConcurrent,
  n,
  pick,
  type Row,
  seededRandom,
  shuffle,
  waitUntil,
} from '../lib/campaign.ts';
import { APPROVALS, REQUESTER, startWorld, TRAINING, type World } from '../lib/world.ts';

/**
 * 1. Authenticity. One web bot (no poller: every API call and Slack post it makes is caused by
 * a request) takes a seeded mix of valid requests, forgeries of every kind the issue lists and
 * byte-identical replays of valid requests, at bounded concurrency. Every request names a job
 * of its own and carries a response_url of its own, so afterwards each effect seen by the
 * emulators or left in Redis can be traced to the one request that asked for it.
 */

/** What a request asks for; each kind has an effect of its own that can be counted. */
type Kind = 'status' | 'watch' | 'pause' | 'resume' | 'refresh' | 'watch-button';

/** Forgeries, as the issue lists them (plus a few more ways to get the headers wrong). */
const CATEGORIES = [
  'wrong-signature',
  'other-secret',
  'stale',
  'future',
  'body-changed',
  'no-signature',
  'no-timestamp',
  'timestamp-changed',
] as const;
type Category = (typeof CATEGORIES)[number];

const CATEGORY_TEXT: Record<Category, string> = {
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
const EXPECTED_REASON: Record<Category, string> = {
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
const API_PER_KIND: Record<Kind, number> = {
  status: 2, // GET job + GET events
  watch: 1, // GET job
  pause: 1, // GET job; gated, so the pause itself waits for an approver
  resume: 2, // GET job + POST resume (ungated by default)
  refresh: 2,
  'watch-button': 1,
};

/** Slack messages naming the job: the answer, plus the approval request for a pause. */
const MESSAGES_PER_KIND: Record<Kind, number> = {
  status: 1,
  watch: 1,
  pause: 2,
  resume: 1,
  refresh: 1,
  'watch-button': 1,
};

/** Valid requests' kinds, weighted. */
const VALID_KINDS: Kind[] = [
  ...Array<Kind>(5).fill('status'),
  ...Array<Kind>(4).fill('watch'),
  ...Array<Kind>(4).fill('pause'),
  ...Array<Kind>(2).fill('resume'),
  ...Array<Kind>(3).fill('refresh'),
  ...Array<Kind>(2).fill('watch-button'),
];
const ALL_KINDS: Kind[] = ['status', 'watch', 'pause', 'resume', 'refresh', 'watch-button'];

interface Unit {
  kind: Kind;
  job: string;
  url: string;
  body: string;
}

interface ValidUnit extends Unit {
  mode: 'once' | 'sequential' | 'concurrent';
  /** Replays of it (byte-identical re-sends). */
  copies: number;
  headers?: Record<string, string>;
  sent?: Promise<void>;
  statuses: number[];
  /** Sequential replays sent after the original's answer had arrived. */
  afterAnswer: number;
}

interface ForgedUnit extends Unit {
  category: Category;
  /** Seeded draws, taken up front so the run does not depend on which lane sends first. */
  rolls: [number, number, number];
  status?: number;
}

/** Figures the short test checks besides the rows. */
export interface AuthenticityFigures {
  requests: number;
  validSent: number;
  validExactlyOnce: number;
  forgedByCategory: Record<Category, { sent: number; refused: number; withEffect: number }>;
  replaysSent: number;
  sequentialReplays: number;
  concurrentReplays: number;
  replaysAfterAnswer: number;
  replaysDoubled: number;
  replaysLogged: number;
  apiRequestsForValid: number;
  approvalPosts: number;
  subscriptions: number;
  resumes: number;
  botAlive: boolean;
}

const secondsNow = () => Math.floor(Date.now() / 1000);
const JOB_ID = /ftjob-[A-Za-z0-9_-]+/g;

export const runAuthenticity: Campaign = async (opts) =>
  (await runAuthenticityWithFigures(opts)).result;

/** The campaign, with the raw figures behind its rows (for the short test). */
export async function runAuthenticityWithFigures(
  opts: CampaignOptions,
): Promise<{ result: CampaignResult; figures: AuthenticityFigures }> {
  const t0 = performance.now();
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const total = opts.full ? 20_000 : 600;
  const concurrency = opts.full ? 24 : 16;
  const validCount = Math.round(total * 0.2);
  const replayCount = Math.round(total * 0.12);
  const forgedCount = total - validCount - replayCount;

  const world = await startWorld({ evidence: opts.evidence });
  const secret = opts.evidence.canaries.SLACK_SIGNING_SECRET;
  try {
    const bot = await world.startBot('authenticity', { role: 'web' });
    log(`bot ${bot.pid} up; ${n(total)} requests to send`);

    // Answers per response_url, counted as they arrive (sequential replays wait for theirs).
    const answers = new Map<string, number>();
    world.slack.events.on('response', (r: { url: string }) => {
      answers.set(r.url, (answers.get(r.url) ?? 0) + 1);
    });

    const newUnit = (kind: Kind): Unit => {
      const job = world.ft.addJob(kind === 'resume' ? { status: 'paused' } : {}).id;
      const url = world.slack.responseUrl(TRAINING, REQUESTER);
      return { kind, job, url, body: bodyFor(kind, job, url) };
    };

    const valid: ValidUnit[] = Array.from({ length: validCount }, () => ({
      ...newUnit(VALID_KINDS[pick(random, VALID_KINDS.length)] as Kind),
      mode: 'once' as const,
      copies: 0,
      statuses: [],
      afterAnswer: 0,
    }));
    // Replays: some re-sent after the original's answer, some sent together with it.
    let replaysLeft = replayCount;
    for (const u of shuffle(random, [...valid])) {
      if (replaysLeft <= 0) break;
      u.mode = random() < 0.5 ? 'sequential' : 'concurrent';
      u.copies = Math.min(replaysLeft, 1 + pick(random, u.mode === 'sequential' ? 2 : 3));
      replaysLeft -= u.copies;
    }
    const forged: ForgedUnit[] = shuffle(
      random,
      Array.from({ length: forgedCount }, (_, i) => ({
        ...newUnit(ALL_KINDS[pick(random, ALL_KINDS.length)] as Kind),
        category: CATEGORIES[i % CATEGORIES.length] as Category,
        rolls: [random(), random(), random()] as [number, number, number],
      })),
    );
    const units: Unit[] = [...valid, ...forged];
    const distinctUrls = new Set(units.map((u) => u.url)).size;
    const distinctJobs = new Set(units.map((u) => u.job)).size;

    // The order: originals and forgeries shuffled; each sequential replay some way after its original.
    type Task = { key: number; unit?: ValidUnit; run: () => Promise<void> };
    const firsts: Task[] = shuffle(random, [
      ...valid.map((u): Task => ({ key: 0, unit: u, run: () => sendValid(world, bot, secret, u) })),
      ...forged.map((u): Task => ({ key: 0, run: () => sendForged(world, bot, secret, u) })),
    ]);
    const tasks: Task[] = [];
    for (const [i, t] of firsts.entries()) {
      t.key = i;
      tasks.push(t);
      const u = t.unit;
      if (u?.mode !== 'sequential') continue;
      for (let c = 0; c < u.copies; c++) {
        tasks.push({
          key: i + 20 + pick(random, 300) + 0.5,
          run: () => replayAfterAnswer(world, bot, u, answers),
        });
      }
    }
    tasks.sort((a, b) => a.key - b.key);

    const sendStart = performance.now();
    let done = 0;
    await mapConcurrent(tasks, concurrency, async (t) => {
      await t.run();
      done++;
      if (opts.full && done % 2000 === 0) log(`${n(done)} of ${n(tasks.length)} sends done`);
    });
    const sendMs = performance.now() - sendStart;
    log(`all sent in ${(sendMs / 1000).toFixed(1)} s; waiting for the answers`);

    // Wait for every valid request's answer, then a barrier request's, then for quiet.
    await waitUntil(
      () => valid.every((u) => (answers.get(u.url) ?? 0) >= 1),
      opts.full ? 60_000 : 20_000,
    );
    const barrier = newUnit('status');
    const barrierAck = await send(world, bot, barrier.body, {
      ...signRequest(secret, barrier.body),
    });
    await waitUntil(() => (answers.get(barrier.url) ?? 0) >= 1, 10_000);
    await quiet(world);

    const trace = await traceEffects(world);
    const botAlive = bot.alive();
    const botLog = readBotLog(bot.lines);
    const figures = evaluate({ valid, forged, trace, botLog, botAlive });
    const rows = buildRows({
      total,
      tasks: tasks.length + 1,
      units,
      distinctUrls,
      distinctJobs,
      valid,
      forged,
      trace,
      botLog,
      bot,
      botAlive,
      barrierOk: barrierAck.status === 200 && (answers.get(barrier.url) ?? 0) === 1,
      figures,
      sendMs,
    });
    return {
      result: {
        name: 'authenticity',
        title: '1. Authenticity',
        rows,
        durationMs: performance.now() - t0,
        notes: [
          `seed ${opts.seed}; ${concurrency} requests in flight; sending took ${(sendMs / 1000).toFixed(1)} s`,
        ],
      },
      figures,
    };
  } finally {
    await world.close();
  }
}

// --- requests ----------------------------------------------------------------------------

function bodyFor(kind: Kind, job: string, url: string): string {
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

/** Sends a valid request (with its concurrent replays, if it has any). */
async function sendValid(world: World, bot: BotProcess, secret: string, u: ValidUnit) {
  const headers: Record<string, string> = { ...signRequest(secret, u.body) };
  u.headers = headers;
  const copies = u.mode === 'concurrent' ? 1 + u.copies : 1;
  const sending = Promise.all(
    Array.from({ length: copies }, () => send(world, bot, u.body, headers)),
  ).then((acks) => {
    for (const a of acks) u.statuses.push(a.status);
  });
  u.sent = sending;
  await sending;
}

/** Re-sends a valid request byte for byte, once its answer has arrived. */
async function replayAfterAnswer(
  world: World,
  bot: BotProcess,
  u: ValidUnit,
  answers: Map<string, number>,
) {
  await u.sent;
  const answered = await waitUntil(() => (answers.get(u.url) ?? 0) >= 1, 30_000, 20);
  if (answered) u.afterAnswer++;
  const ack = await send(world, bot, u.body, u.headers ?? {});
  u.statuses.push(ack.status);
}

/** Sends one forgery of its category, built from a request that would otherwise be valid. */
async function sendForged(world: World, bot: BotProcess, secret: string, u: ForgedUnit) {
  const [r1, r2] = u.rolls;
  const now = secondsNow();
  const variant = (k: number) => Math.floor(r1 * k);
  let body = u.body;
  let headers: Record<string, string>;
  switch (u.category) {
    case 'wrong-signature': {
      const good = signRequest(secret, body, now);
      const hex = good['x-slack-signature'].slice(3);
      const sig = [
        `v0=${createHmac('sha256', String(r2)).update(body).digest('hex')}`, // random hex
        `v0=${hex.toUpperCase()}`,
        `v1=${hex}`,
        `v0=${hex.slice(0, -1)}`,
        'v0=',
      ][variant(5)] as string;
      headers = { ...good, 'x-slack-signature': sig };
      break;
    }
    case 'other-secret':
      headers = { ...signRequest(`${secret.slice(0, -1)}${r2 < 0.5 ? 'x' : 'y'}`, body, now) };
      if (variant(2) === 1) headers = { ...signRequest(`other-${r2}`, body, now) };
      break;
    case 'stale': {
      const ts = [
        now - MAX_CLOCK_SKEW_SECONDS - 1 - Math.floor(r2 * 10),
        now - 3600 - Math.floor(r2 * 365 * 86_400),
        0,
      ][variant(3)] as number;
      headers = { ...signRequest(secret, body, ts) };
      break;
    }
    case 'future': {
      // At least 30 s over the limit: the bot reads its clock a moment after we read ours.
      const ts = [
        now + MAX_CLOCK_SKEW_SECONDS + 30 + Math.floor(r2 * 60),
        now + 86_400 + Math.floor(r2 * 10 * 365 * 86_400),
      ][variant(2)] as number;
      headers = { ...signRequest(secret, body, ts) };
      break;
    }
    case 'body-changed': {
      headers = { ...signRequest(secret, body, now) };
      const changes = [
        (b: string) => b.replace(REQUESTER, 'U0APPROVE'),
        (b: string) => b.replace(TRAINING, APPROVALS),
        (b: string) =>
          b
            .replace(/text=(status|watch|pause|resume)/, 'text=cancel')
            .replace('ftops.job.refresh', 'ftops.job.resume')
            .replace('ftops.job.watch', 'ftops.job.unwatch'),
        (b: string) => `${b}&is_admin=true`,
      ];
      body = (changes[variant(changes.length)] as (b: string) => string)(body);
      // A change that changed nothing would be a valid request, not a forgery.
      if (body === u.body)
        throw new Error(`body-changed forgery left the ${u.kind} body as it was`);
      break;
    }
    case 'no-signature': {
      const { 'x-slack-signature': _drop, ...rest } = signRequest(secret, body, now);
      headers = [
        rest,
        { ...rest, 'x-slack-signature': '' },
        { 'content-type': 'application/x-www-form-urlencoded' },
      ][variant(3)] as Record<string, string>;
      break;
    }
    case 'no-timestamp': {
      const { 'x-slack-request-timestamp': _drop, ...rest } = signRequest(secret, body, now);
      headers = variant(2) === 0 ? rest : { ...rest, 'x-slack-request-timestamp': '' };
      break;
    }
    case 'timestamp-changed': {
      const shift = 1 + Math.floor(r2 * 120);
      const signedAt = variant(2) === 0 ? now - shift : now;
      const sent = variant(2) === 0 ? now : now - shift;
      headers = {
        ...signRequest(secret, body, signedAt),
        'x-slack-request-timestamp': String(sent),
      };
      break;
    }
  }
  const ack = await send(world, bot, body, headers);
  u.status = ack.status;
}

/** POSTs a request; a connection the bot dropped or refused counts as status 0, not a crash. */
async function send(
  world: World,
  bot: BotProcess,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number }> {
  try {
    return await world.post(bot, body, headers);
  } catch {
    return { status: 0 };
  }
}

/** Waits until nothing new reaches either emulator for half a second (at most 10 s). */
async function quiet(world: World): Promise<void> {
  const size = () =>
    `${world.ft.requests.length}/${world.slack.calls.length}/${world.slack.responses.length}`;
  let last = size();
  let since = Date.now();
  await waitUntil(
    () => {
      const now = size();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= 500;
    },
    10_000,
    50,
  );
}

// --- tracing effects -----------------------------------------------------------------------

interface Trace {
  /** API requests per job, and how many named no job at all. */
  api: Map<string, number>;
  apiPosts: Map<string, number>;
  apiUnattributed: number;
  /** Posts per response_url. */
  responses: Map<string, number>;
  /** Whether the (first) answer at a response_url names `job`. */
  answerText: Map<string, string>;
  /** Slack Web API calls naming each job, and the approval posts among them. */
  calls: Map<string, number>;
  approvalPosts: Map<string, number>;
  /** Slack messages (any channel, ephemeral or not) naming each job. */
  messages: Map<string, number>;
  /** Redis keys of the namespace naming each job (in the key or its value). */
  redis: Map<string, number>;
  approvalHashes: Map<string, number>;
  watched: Set<string>;
  replayKeys: number;
}

const bump = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);
const jobsIn = (text: string) => new Set(text.match(JOB_ID) ?? []);

async function traceEffects(world: World): Promise<Trace> {
  const t: Trace = {
    api: new Map(),
    apiPosts: new Map(),
    apiUnattributed: 0,
    responses: new Map(),
    answerText: new Map(),
    calls: new Map(),
    approvalPosts: new Map(),
    messages: new Map(),
    redis: new Map(),
    approvalHashes: new Map(),
    watched: new Set(),
    replayKeys: 0,
  };
  for (const r of world.ft.requests) {
    const job = /^\/fine_tuning\/jobs\/(ftjob-[A-Za-z0-9_-]+)/.exec(r.path)?.[1];
    if (!job) {
      t.apiUnattributed++;
      continue;
    }
    bump(t.api, job);
    if (r.method === 'POST') bump(t.apiPosts, job);
  }
  for (const r of world.slack.responses) {
    bump(t.responses, r.url);
    if (!t.answerText.has(r.url)) t.answerText.set(r.url, JSON.stringify(r.body));
  }
  for (const call of world.slack.calls) {
    for (const job of jobsIn(JSON.stringify(call.args))) {
      bump(t.calls, job);
      if (call.method === 'chat.postMessage' && call.args.channel === APPROVALS)
        bump(t.approvalPosts, job);
    }
  }
  for (const msgs of world.slack.messages.values())
    for (const m of msgs) for (const job of jobsIn(JSON.stringify(m))) bump(t.messages, job);
  for (const v of world.slack.views.values())
    for (const job of jobsIn(JSON.stringify(v))) bump(t.messages, job);

  const { redis, keys } = world;
  const approvalKey = new RegExp(`^${escapeRegExp(keys.approval('x')).slice(0, -1)}[^:]+$`);
  const watchKey = new RegExp(`^${escapeRegExp(keys.jobWatchers('x')).slice(0, -1)}(.+)$`);
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.bullPrefix}*`, 'COUNT', 1000);
    cursor = next;
    const types = (await redis.pipeline(found.map((k) => ['type', k])).exec()) ?? [];
    const reads = found.map((k, i) => readCommand(k, String(types[i]?.[1] ?? 'none')));
    const values = (await redis.pipeline(reads).exec()) ?? [];
    found.forEach((key, i) => {
      if (key.startsWith(keys.replay(''))) t.replayKeys++;
      const text = `${key} ${JSON.stringify(values[i]?.[1] ?? '')}`;
      for (const job of jobsIn(text)) {
        bump(t.redis, job);
        if (approvalKey.test(key)) bump(t.approvalHashes, job);
      }
      const watched = watchKey.exec(key)?.[1];
      if (watched) t.watched.add(watched);
    });
  } while (cursor !== '0');
  return t;
}

function readCommand(key: string, type: string): string[] {
  switch (type) {
    case 'string':
      return ['get', key];
    case 'hash':
      return ['hgetall', key];
    case 'list':
      return ['lrange', key, '0', '-1'];
    case 'set':
      return ['smembers', key];
    case 'zset':
      return ['zrange', key, '0', '-1'];
    case 'stream':
      return ['xrange', key, '-', '+'];
    default:
      return ['exists', key];
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface BotLog {
  refusedByReason: Map<string, number>;
  replaysIgnored: number;
  errorLines: number;
  unparsed: number;
}

function readBotLog(lines: readonly string[]): BotLog {
  const out: BotLog = { refusedByReason: new Map(), replaysIgnored: 0, errorLines: 0, unparsed: 0 };
  for (const line of lines) {
    let entry: { level?: number; msg?: string; reason?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      out.unparsed++;
      continue;
    }
    if ((entry.level ?? 0) >= 50) out.errorLines++;
    if (entry.msg?.startsWith('refused a Slack request'))
      bump(out.refusedByReason, String(entry.reason));
    if (entry.msg?.startsWith('ignored a replayed Slack request')) out.replaysIgnored++;
  }
  return out;
}

// --- verdicts ------------------------------------------------------------------------------

/** Every trace one request's job or response_url left. */
function effectsOf(u: Unit, t: Trace) {
  return {
    api: t.api.get(u.job) ?? 0,
    apiPosts: t.apiPosts.get(u.job) ?? 0,
    responses: t.responses.get(u.url) ?? 0,
    calls: t.calls.get(u.job) ?? 0,
    approvalPosts: t.approvalPosts.get(u.job) ?? 0,
    messages: t.messages.get(u.job) ?? 0,
    redis: t.redis.get(u.job) ?? 0,
    approvalHashes: t.approvalHashes.get(u.job) ?? 0,
    watched: t.watched.has(u.job),
  };
}

function anyEffect(e: ReturnType<typeof effectsOf>): boolean {
  return e.api + e.responses + e.calls + e.messages + e.redis > 0 || e.watched;
}

/** A valid request's effect happened exactly once (and the one it asked for). */
function exactlyOnce(u: ValidUnit, t: Trace): boolean {
  const e = effectsOf(u, t);
  const pause = u.kind === 'pause';
  const watch = u.kind === 'watch' || u.kind === 'watch-button' || u.kind === 'resume';
  return (
    u.statuses.every((s) => s === 200) &&
    e.responses === 1 &&
    (t.answerText.get(u.url) ?? '').includes(u.job) &&
    e.api === API_PER_KIND[u.kind] &&
    e.apiPosts === (u.kind === 'resume' ? 1 : 0) &&
    e.approvalPosts === (pause ? 1 : 0) &&
    e.approvalHashes === (pause ? 1 : 0) &&
    e.messages === MESSAGES_PER_KIND[u.kind] &&
    e.watched === watch
  );
}

/** A replayed request's effects went beyond one. */
function doubled(u: ValidUnit, t: Trace): boolean {
  const e = effectsOf(u, t);
  return (
    e.responses > 1 ||
    e.api > API_PER_KIND[u.kind] ||
    e.apiPosts > 1 ||
    e.approvalPosts > 1 ||
    e.approvalHashes > 1 ||
    e.messages > MESSAGES_PER_KIND[u.kind]
  );
}

function evaluate(input: {
  valid: ValidUnit[];
  forged: ForgedUnit[];
  trace: Trace;
  botLog: BotLog;
  botAlive: boolean;
}): AuthenticityFigures {
  const { valid, forged, trace: t } = input;
  const replayed = valid.filter((u) => u.copies > 0);
  const byCategory = Object.fromEntries(
    CATEGORIES.map((c) => {
      const us = forged.filter((u) => u.category === c);
      return [
        c,
        {
          sent: us.length,
          refused: us.filter((u) => u.status === 401).length,
          withEffect: us.filter((u) => anyEffect(effectsOf(u, t))).length,
        },
      ];
    }),
  ) as AuthenticityFigures['forgedByCategory'];
  const sum = (us: ValidUnit[], f: (u: ValidUnit) => number) => us.reduce((a, u) => a + f(u), 0);
  return {
    requests: valid.length + forged.length + sum(valid, (u) => u.copies),
    validSent: valid.length,
    validExactlyOnce: valid.filter((u) => exactlyOnce(u, t)).length,
    forgedByCategory: byCategory,
    replaysSent: sum(replayed, (u) => u.copies),
    sequentialReplays: sum(
      replayed.filter((u) => u.mode === 'sequential'),
      (u) => u.copies,
    ),
    concurrentReplays: sum(
      replayed.filter((u) => u.mode === 'concurrent'),
      (u) => u.copies,
    ),
    replaysAfterAnswer: sum(replayed, (u) => u.afterAnswer),
    replaysDoubled: replayed.filter((u) => doubled(u, t)).length,
    replaysLogged: input.botLog.replaysIgnored,
    apiRequestsForValid: sum(valid, (u) => t.api.get(u.job) ?? 0),
    approvalPosts: sum(valid, (u) => t.approvalPosts.get(u.job) ?? 0),
    subscriptions: valid.filter((u) => t.watched.has(u.job)).length,
    resumes: sum(valid, (u) => t.apiPosts.get(u.job) ?? 0),
    botAlive: input.botAlive,
  };
}

function buildRows(x: {
  total: number;
  tasks: number;
  units: Unit[];
  distinctUrls: number;
  distinctJobs: number;
  valid: ValidUnit[];
  forged: ForgedUnit[];
  trace: Trace;
  botLog: BotLog;
  bot: BotProcess;
  botAlive: boolean;
  barrierOk: boolean;
  figures: AuthenticityFigures;
  sendMs: number;
}): Row[] {
  const { figures: f, trace: t, valid, forged } = x;
  const rows: Row[] = [];
  rows.push({
    tried: `${n(f.requests)} requests into /slack/events, each naming its own job and response_url`,
    happened: `${n(x.units.length)} requests (replays aside): ${n(x.distinctJobs)} distinct jobs, ${n(x.distinctUrls)} distinct response_urls; ${n(f.validSent)} valid, ${n(f.replaysSent)} replays, ${n(forged.length)} forged`,
    target: 'every request traceable',
    met:
      x.distinctJobs === x.units.length &&
      x.distinctUrls === x.units.length &&
      f.requests === x.total,
  });

  for (const c of CATEGORIES) {
    const g = f.forgedByCategory[c];
    const us = forged.filter((u) => u.category === c);
    const others = statusSummary(us.filter((u) => u.status !== 401).map((u) => u.status ?? 0));
    const e = us.map((u) => effectsOf(u, t));
    const total = (k: 'api' | 'responses' | 'calls' | 'messages' | 'redis') =>
      e.reduce((a, v) => a + v[k], 0);
    rows.push({
      tried: `${n(g.sent)} forged ${CATEGORY_TEXT[c]}`,
      happened: `${n(g.refused)} refused with 401${others ? ` (else: ${others})` : ''}; side effects: ${n(total('api'))} API requests, ${n(total('responses'))} response_url posts, ${n(total('calls'))} Slack calls and ${n(total('messages'))} messages naming their jobs, ${n(total('redis'))} Redis keys naming them (${n(g.withEffect)} requests with any effect)`,
      target: 'all refused, 0 side effects',
      met: g.sent > 0 && g.refused === g.sent && g.withEffect === 0,
    });
  }

  const kinds = ALL_KINDS.map((k) => `${n(valid.filter((u) => u.kind === k).length)} ${k}`);
  const acked = valid.filter((u) => u.statuses.every((s) => s === 200)).length;
  rows.push({
    tried: `${n(f.validSent)} valid requests (${kinds.join(', ')})`,
    happened: `${n(acked)} acked 200; ${n(f.validExactlyOnce)} with their effect exactly once: ${n(valid.filter((u) => t.responses.get(u.url) === 1).length)} answered once at their response_url, ${n(f.apiRequestsForValid)} API requests (${n(f.resumes)} resumes), ${n(f.approvalPosts)} approval requests posted to #approvals, ${n(f.subscriptions)} channel subscriptions`,
    target: 'all, each exactly once',
    met: f.validSent > 0 && f.validExactlyOnce === f.validSent && acked === f.validSent,
  });

  const replayStatuses = statusSummary(valid.flatMap((u) => (u.copies > 0 ? u.statuses : [])));
  rows.push({
    tried: `${n(f.replaysSent)} byte-identical replays of ${n(valid.filter((u) => u.copies > 0).length)} valid requests within the window (${n(f.sequentialReplays)} after the original, ${n(f.concurrentReplays)} together with it)`,
    happened: `${n(f.replaysAfterAnswer)} sent after the original's answer; answers to originals and replays: ${replayStatuses}; ${n(f.replaysDoubled)} requests with anything doubled (answer, API request, approval post, Slack message)`,
    target: '0 doubled',
    met:
      f.replaysSent > 0 && f.replaysDoubled === 0 && f.replaysAfterAnswer === f.sequentialReplays,
  });

  const expectedReasons = new Map<string, number>();
  for (const u of forged) bump(expectedReasons, EXPECTED_REASON[u.category]);
  const reasons = [...new Set([...expectedReasons.keys(), ...x.botLog.refusedByReason.keys()])]
    .sort()
    .map(
      (r) => `${r} ${n(x.botLog.refusedByReason.get(r) ?? 0)}/${n(expectedReasons.get(r) ?? 0)}`,
    );
  const reasonsMatch = [...expectedReasons.keys(), ...x.botLog.refusedByReason.keys()].every(
    (r) => (x.botLog.refusedByReason.get(r) ?? 0) === (expectedReasons.get(r) ?? 0),
  );
  rows.push({
    tried:
      "the bot's own account: refusals logged by reason, replays ignored, replay records in Redis",
    happened: `logged/sent: ${reasons.join(', ')}; replays ignored ${n(f.replaysLogged)}/${n(f.replaysSent)}; ${n(t.replayKeys)} replay records for ${n(f.validSent + 1)} valid signatures (barrier included)`,
    target: 'as sent',
    met: reasonsMatch && f.replaysLogged === f.replaysSent && t.replayKeys === f.validSent + 1,
  });

  rows.push({
    tried: `one web bot (pid ${x.bot.pid}) through ${n(x.tasks)} sends in ${(x.sendMs / 1000).toFixed(1)} s`,
    happened: `${x.botAlive ? 'still alive' : 'DEAD'}; a valid request after the storm ${x.barrierOk ? 'answered once' : 'NOT answered once'}; ${n(x.botLog.errorLines)} error-level log lines; ${n(t.apiUnattributed)} API requests naming no job`,
    target: 'alive and answering, no errors',
    met: x.botAlive && x.barrierOk && x.botLog.errorLines === 0,
  });
  return rows;
}

/** `[401, 401, 200]` → "2× 401, 1× 200" (empty for none). */
function statusSummary(statuses: number[]): string {
  const m = new Map<number, number>();
  for (const s of statuses) m.set(s, (m.get(s) ?? 0) + 1);
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([s, c]) => `${n(c)}× ${s === 0 ? 'none' : s}`)
    .join(', ');
}

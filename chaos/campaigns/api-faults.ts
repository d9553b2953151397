import { type FaultKind, FaultPlan } from '../../src/emulators/fine-tuning/faults.ts';
import type { SlackCall } from '../../src/emulators/slack/index.ts';
import { buttonsOf, visibleText } from '../../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  slashCommandBody,
} from '../../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import { statusLabel } from '../../src/views/status.ts';
import type { BotProcess } from '../lib/bot-process.ts';
import {
  type Campaign,
  type CampaignResult,
  mapConcurrent,
  n,
  pick,
  type Row,
  seededRandom,
  waitUntil,
} from '../lib/campaign.ts';
import {
  type Answer,
  APPROVALS,
  APPROVER,
  REQUESTER,
  startWorld,
  TRAINING,
  type World,
} from '../lib/world.ts';

/**
 * Campaign 6, API faults. The fine-tuning emulator answers 30 % of requests with a 429 (with
 * `retry-after-ms`), a 500, a 500 after the request took effect, a timeout or a body that is
 * not JSON, while one real bot (role `all`) runs approvals and sweeps against it:
 * - approvals: per approval a running job; the requester asks `/ft pause`, the approver clicks
 *   Approve; every pause effect is counted from the job's events in the emulator, and what each
 *   user was told is read from the response_urls, the approval message and its thread;
 * - sweeps: watched jobs in a channel of their own change status between sweeps (one change at
 *   a time per job, the next only once the last is announced), and every change must be
 *   announced exactly once; approved pauses must be announced once in the asking channel.
 * The share of faulted requests is read back from the emulator's request log.
 */

const NAME = 'api-faults';
const TITLE = '6. API faults';
const SWEEPS = 'C0SWEEPS';
const FAULT_RATE = 0.3;
const KINDS: FaultKind[] = ['429', '500', 'timeout', 'malformed', '500-after-effect'];
const RETRY_AFTER_MS = 200;
/** Statuses the sweep jobs move between; terminal ones only as each job's last change. */
const MOVES = ['running', 'paused', 'pausing', 'resuming', 'queued'];
const PAUSE_EVENT = 'Fine-tuning job pausing';

interface Size {
  approvals: number;
  sweeps: number;
  sweepJobs: number;
  lanes: number;
  /** How long a change may take to be announced before it counts as lost. */
  stallMs: number;
}

const FULL: Size = { approvals: 500, sweeps: 100, sweepJobs: 10, lanes: 8, stallMs: 30_000 };
const SHORT: Size = { approvals: 15, sweeps: 8, sweepJobs: 4, lanes: 4, stallMs: 15_000 };

/** What happened to one approval, as the users saw it and as the emulator saw it. */
interface ApprovalRecord {
  jobId: string;
  /** `/ft pause` attempts until one was accepted (or the last failed). */
  asks: number;
  /** Asks answered with a failure (no request made). */
  askFailures: number;
  requested: boolean;
  /** Answers posted to the requester's response_urls, one per ask. */
  requesterAnswers: string[];
  /** The approver's private answer. */
  approverAnswer?: string;
  /** The reply in the request's thread addressed to the requester. */
  threadReply?: string;
  /** The approval message after the decision: edited and without buttons. */
  messageClosed: boolean;
  outcome: 'done' | 'failed' | 'not-requested' | 'unknown';
  effects: number;
  acks: Answer[];
}

interface SweepChange {
  jobId: string;
  from: string;
  to: string;
  /** How many Slack calls the emulator had logged when the change was made. */
  callIndex: number;
}

export const runApiFaults: Campaign = async (opts) => {
  const started = Date.now();
  const size = opts.full ? FULL : SHORT;
  const log = opts.log ?? (() => undefined);
  const random = seededRandom(opts.seed);
  const world = await startWorld({ evidence: opts.evidence });
  const notes: string[] = [];
  try {
    world.slack.addChannel({ id: SWEEPS, name: 'chaos-sweeps' });
    const faultConfig = {
      rate: FAULT_RATE,
      kinds: KINDS,
      retryAfterMs: RETRY_AFTER_MS,
      seed: opts.seed,
    };
    world.ft.setFaults(faultConfig);
    const bot = await world.startBot('api-faults', {
      role: 'all',
      apiTimeoutMs: 1000,
      fastRetry: true,
      paceMs: 20,
      env: { FT_POLL_INTERVAL_SECONDS: '1' },
    });
    log(`bot up (pid ${bot.pid}); ${size.approvals} approvals and ${size.sweeps} sweeps`);

    const [approvals, sweeps] = await Promise.all([
      runApprovals(world, bot, size, log),
      runSweeps(world, bot, size, random, log),
    ]);

    // Approved pauses are announced in the asking channel by the poller.
    const done = approvals.filter((a) => a.outcome === 'done');
    const trainingCards = (jobId: string) =>
      world.slack.calls.filter(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.args.channel === TRAINING &&
          !c.args.thread_ts &&
          String(c.args.text ?? '').includes(jobId),
      ).length;
    await waitUntil(() => done.every((a) => trainingCards(a.jobId) >= 1), size.stallMs, 200);
    await sleep(opts.full ? 2500 : 1500); // another sweep or two, to catch a late duplicate
    sweeps.sweepsAfter = sweepCount(bot);

    // The fault plan ends here; everything after is the campaign reading the results.
    const faulted = world.ft.requests.slice();
    world.ft.setFaults(null);
    await countEffects(world, opts.evidence.canaries.AZURE_OPENAI_API_KEY, approvals);
    const rows: Row[] = [
      ...approvalRows(approvals, size),
      announcedRow(done, trainingCards),
      ...sweepRows(world, sweeps, size),
      faultRow(faulted, faultConfig, size),
      ackRow(approvals, sweeps.acks),
      hygieneRow(world, bot),
    ];
    if (!bot.alive()) notes.push('the bot process died during the campaign');
    return result(rows, started, notes);
  } finally {
    await world.close();
  }
};

function result(rows: Row[], started: number, notes: string[]): CampaignResult {
  return {
    name: NAME,
    title: TITLE,
    rows,
    durationMs: Date.now() - started,
    ...(notes.length ? { notes } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Approvals

async function runApprovals(
  world: World,
  bot: BotProcess,
  size: Size,
  log: (line: string) => void,
): Promise<ApprovalRecord[]> {
  let finished = 0;
  const out = await mapConcurrent(
    Array.from({ length: size.approvals }, (_, i) => i),
    size.lanes,
    async (i) => {
      const job = world.ft.addJob({ suffix: `chaos-${i}` });
      const rec = await oneApproval(world, bot, job.id, size);
      finished++;
      if (finished % 50 === 0) log(`${finished} approvals done`);
      return rec;
    },
  );
  return out;
}

async function oneApproval(
  world: World,
  bot: BotProcess,
  jobId: string,
  size: Size,
): Promise<ApprovalRecord> {
  const rec: ApprovalRecord = {
    jobId,
    asks: 0,
    askFailures: 0,
    requested: false,
    requesterAnswers: [],
    messageClosed: false,
    outcome: 'unknown',
    effects: 0,
    acks: [],
  };
  const { slack } = world;
  // The requester asks; a failure to read the job is answered, and a person asks again.
  for (let ask = 1; ask <= 3 && !rec.requested; ask++) {
    rec.asks = ask;
    const responseUrl = slack.responseUrl(TRAINING, REQUESTER);
    rec.acks.push(
      await world.signed(
        bot,
        slashCommandBody({
          text: `pause ${jobId} chaos: API faults`,
          user_id: REQUESTER,
          channel_id: TRAINING,
          response_url: responseUrl,
        }),
      ),
    );
    const answer = await firstAnswer(world, responseUrl, size.stallMs);
    if (answer === undefined) return rec; // never told: counted as such
    rec.requesterAnswers.push(answer);
    if (answer.includes('waiting for approval')) rec.requested = true;
    else rec.askFailures++;
  }
  if (!rec.requested) {
    rec.outcome = 'not-requested';
    return rec;
  }

  let message: { ts: string; blocks?: unknown[] } | undefined;
  await waitUntil(
    () => {
      message = (slack.messages.get(APPROVALS) ?? []).find(
        (m) => !m.ephemeral && !m.thread_ts && m.text.includes(jobId) && m.blocks,
      );
      return message !== undefined;
    },
    size.stallMs,
    20,
  );
  const approve = message
    ? buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST)
    : undefined;
  if (!message || !approve) return rec;
  const ts = message.ts;

  const responseUrl = slack.responseUrl(APPROVALS, APPROVER, ts);
  rec.acks.push(
    await world.signed(
      bot,
      blockActionsBody(
        blockActionsPayload({
          user: APPROVER,
          channel: APPROVALS,
          actionId: APPROVE_REQUEST,
          value: approve.value,
          blockId: approve.blockId,
          responseUrl,
          message: { ts },
        }),
      ),
    ),
  );
  rec.approverAnswer = await firstAnswer(world, responseUrl, size.stallMs);
  await waitUntil(
    () => {
      rec.threadReply = (slack.messages.get(APPROVALS) ?? []).find(
        (m) => m.thread_ts === ts && m.text.includes(`<@${REQUESTER}>`),
      )?.text;
      return rec.threadReply !== undefined;
    },
    size.stallMs,
    20,
  );
  const after = (slack.messages.get(APPROVALS) ?? []).find((m) => m.ts === ts);
  rec.messageClosed = Boolean(after?.edited) && buttonsOf(after?.blocks).length === 0;
  const a = rec.approverAnswer ?? '';
  rec.outcome = a.startsWith('Approved, but it failed')
    ? 'failed'
    : a.startsWith('Approved.')
      ? 'done'
      : 'unknown';
  return rec;
}

/** Reads each job's events (faults off) and counts the pauses that took effect. */
async function countEffects(world: World, key: string, approvals: ApprovalRecord[]): Promise<void> {
  await mapConcurrent(approvals, 16, async (rec) => {
    const res = await fetch(
      `${world.ft.azureBaseUrl}/fine_tuning/jobs/${rec.jobId}/events?limit=100`,
      { headers: { 'api-key': key } },
    );
    const body = (await res.json()) as { data?: Array<{ message?: string }> };
    if (!res.ok || !Array.isArray(body.data))
      throw new Error(`reading events of ${rec.jobId} answered ${res.status}`);
    rec.effects = body.data.filter((e) => e.message === PAUSE_EVENT).length;
  });
}

function approvalRows(approvals: ApprovalRecord[], size: Size): Row[] {
  const done = approvals.filter((a) => a.outcome === 'done');
  const failed = approvals.filter((a) => a.outcome === 'failed');
  const notRequested = approvals.filter((a) => a.outcome === 'not-requested');
  const unknown = approvals.filter((a) => a.outcome === 'unknown');
  const asks = approvals.reduce((s, a) => s + a.asks, 0);
  const askFailures = approvals.reduce((s, a) => s + a.askFailures, 0);
  const doneOne = done.filter((a) => a.effects === 1).length;
  const doneNone = done.filter((a) => a.effects === 0).length;
  const twice = approvals.filter((a) => a.effects >= 2);
  const failedWithEffect = [...failed, ...notRequested].filter((a) => a.effects > 0);
  const untold = approvals.filter((a) => !told(a));
  const effects = approvals.reduce((s, a) => s + a.effects, 0);
  const ex = (list: ApprovalRecord[]) =>
    list.length ? ` (e.g. ${list[0]?.jobId}: ${JSON.stringify(sample(list[0]))})` : '';
  return [
    {
      tried: `${n(size.approvals)} approvals (/ft pause, then Approve) under 30 % API faults`,
      happened: `${n(asks)} asks, ${n(askFailures)} answered with a failure and asked again; ${n(done.length)} reported done, ${n(failed.length)} reported failed, ${n(notRequested.length)} never requested after 3 asks, ${n(unknown.length)} unclear; ${n(effects)} pause effects in all; done with exactly one effect: ${n(doneOne)} of ${n(done.length)}, with none: ${n(doneNone)}${ex(done.filter((a) => a.effects !== 1))}`,
      target: 'every approval reported done paused its job exactly once; ≥ 90 % reported done',
      met:
        done.length > 0 &&
        doneOne === done.length &&
        unknown.length === 0 &&
        done.length >= Math.floor(size.approvals * 0.9),
    },
    {
      tried: 'pause effects per job, from the emulator (job events)',
      happened: `${n(twice.length)} jobs paused twice or more${ex(twice)}`,
      target: '0 approvals with two effects',
      met: twice.length === 0,
    },
    {
      tried: 'approvals reported failed (or never requested) checked for an effect',
      happened: `${n(failed.length + notRequested.length)} reported failed or not requested; ${n(failedWithEffect.length)} of them paused the job anyway${ex(failedWithEffect)}`,
      target: '0 approvals reported failed that had an effect',
      met: failedWithEffect.length === 0,
    },
    {
      tried:
        'what each requester and approver was told: response_url answers, the thread reply, the approval message',
      happened: `${n(approvals.length - untold.length)} of ${n(approvals.length)} approvals told everyone a clear outcome; ${n(untold.length)} left someone untold or told something unclear or contradictory${ex(untold)}`,
      target: '0 users never told the outcome',
      met: untold.length === 0,
    },
  ];
}

/** True when everyone involved heard an outcome that is clear and agrees with the others. */
function told(a: ApprovalRecord): boolean {
  if (a.requesterAnswers.length !== a.asks) return false;
  if (!a.requesterAnswers.every(clear)) return false;
  if (a.outcome === 'not-requested') return true;
  if (a.outcome === 'unknown' || !a.approverAnswer || !a.threadReply) return false;
  if (!clear(a.approverAnswer) || !clear(a.threadReply) || !a.messageClosed) return false;
  const replyFailed = a.threadReply.includes('but it failed');
  return a.outcome === 'failed'
    ? replyFailed
    : a.threadReply.includes('was approved by') && !replyFailed;
}

/** Fit for a person: not empty, no stack trace, no `[object Object]`, no `undefined`. */
function clear(text: string): boolean {
  return (
    text.trim().length > 0 &&
    !/\n\s+at |\bat [\w.<>]+ \(|\[object Object\]|\bundefined\b|\bNaN\b/.test(text)
  );
}

function sample(a: ApprovalRecord | undefined): Record<string, unknown> {
  if (!a) return {};
  return {
    outcome: a.outcome,
    effects: a.effects,
    asks: a.asks,
    requester: a.requesterAnswers.map((t) => t.slice(0, 160)),
    approver: a.approverAnswer?.slice(0, 160),
    thread: a.threadReply?.slice(0, 160),
    closed: a.messageClosed,
  };
}

function announcedRow(done: ApprovalRecord[], cards: (jobId: string) => number): Row {
  const counts = done.map((a) => cards(a.jobId));
  const lost = counts.filter((c) => c === 0).length;
  const twice = counts.filter((c) => c > 1).length;
  return {
    tried: `the poller announcing the ${n(done.length)} approved pauses in the asking channel`,
    happened: `${n(counts.filter((c) => c === 1).length)} announced once, ${n(lost)} never, ${n(twice)} more than once`,
    target: 'each announced exactly once',
    met: done.length > 0 && lost === 0 && twice === 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Sweeps

interface SweepOutcome {
  jobs: string[];
  changes: SweepChange[];
  watchAsks: number;
  watchFailures: number;
  unwatched: number;
  sweepsBefore: number;
  sweepsAfter: number;
  acks: Answer[];
}

async function runSweeps(
  world: World,
  bot: BotProcess,
  size: Size,
  random: () => number,
  log: (line: string) => void,
): Promise<SweepOutcome> {
  const out: SweepOutcome = {
    jobs: [],
    changes: [],
    watchAsks: 0,
    watchFailures: 0,
    unwatched: 0,
    sweepsBefore: 0,
    sweepsAfter: 0,
    acks: [],
  };
  const status = new Map<string, string>();
  for (let i = 0; i < size.sweepJobs; i++) {
    const job = world.ft.addJob({ suffix: `sweep-${i}` });
    status.set(job.id, job.status);
    out.jobs.push(job.id);
  }
  // `/ft watch` reads the job first; under faults it may fail, and a person asks again.
  const watched = await mapConcurrent(out.jobs, out.jobs.length, async (jobId) => {
    for (let ask = 1; ask <= 5; ask++) {
      out.watchAsks++;
      const responseUrl = world.slack.responseUrl(SWEEPS, REQUESTER);
      out.acks.push(
        await world.signed(
          bot,
          slashCommandBody({
            text: `watch ${jobId}`,
            user_id: REQUESTER,
            channel_id: SWEEPS,
            response_url: responseUrl,
          }),
        ),
      );
      const answer = await firstAnswer(world, responseUrl, size.stallMs);
      if (answer?.includes('will hear about every status change')) return true;
      out.watchFailures++;
    }
    return false;
  });
  // A job nobody managed to watch has nothing to announce; the first row shows it.
  out.unwatched = out.jobs.filter((_, i) => !watched[i]).length;
  out.jobs = out.jobs.filter((_, i) => watched[i]);

  const posts = sweepPostCounter(world);
  const made = new Map<string, number>(out.jobs.map((j) => [j, 0]));
  const waitingSince = new Map<string, number>();
  const change = (jobId: string, to: string) => {
    const from = status.get(jobId) ?? '';
    world.ft.setStatus(jobId, to);
    status.set(jobId, to);
    out.changes.push({ jobId, from, to, callIndex: world.slack.calls.length });
    made.set(jobId, (made.get(jobId) ?? 0) + 1);
    waitingSince.set(jobId, Date.now());
  };
  /** A job may change again once its last change was announced, or given up on as lost. */
  const ready = (jobId: string) => {
    const since = waitingSince.get(jobId);
    if (since === undefined) return true;
    if (posts(jobId) >= (made.get(jobId) ?? 0) || Date.now() - since > size.stallMs) {
      waitingSince.delete(jobId);
      return true;
    }
    return false;
  };

  out.sweepsBefore = sweepCount(bot);
  while (sweepCount(bot) - out.sweepsBefore < size.sweeps) {
    for (const jobId of out.jobs) {
      if (!ready(jobId) || random() < 0.3) continue;
      const current = status.get(jobId);
      const options = MOVES.filter((s) => s !== current);
      change(jobId, options[pick(random, options.length)] as string);
    }
    await sleep(100);
  }
  log(`${sweepCount(bot) - out.sweepsBefore} sweeps; finishing the sweep jobs`);
  // Each job ends finished, the change a channel most needs to hear.
  await waitUntil(() => out.jobs.every(ready), size.stallMs, 100);
  for (const jobId of out.jobs) change(jobId, random() < 0.5 ? 'succeeded' : 'failed');
  await waitUntil(() => out.jobs.every((j) => posts(j) >= (made.get(j) ?? 0)), size.stallMs, 100);
  return out;
}

/** Counts, per job, the messages posted about it in the sweeps channel: its card and replies. */
function sweepPostCounter(world: World): (jobId: string) => number {
  return (jobId) => sweepPosts(world, jobId).length;
}

/** Those posts with their place in the emulator's call log (which orders them exactly). */
function sweepPosts(world: World, jobId: string): Array<SlackCall & { index: number }> {
  const card = (world.slack.messages.get(SWEEPS) ?? []).find(
    (m) => !m.ephemeral && !m.thread_ts && m.text.includes(jobId),
  );
  return indexed(
    world,
    (c) =>
      c.method === 'chat.postMessage' &&
      c.ok &&
      c.args.channel === SWEEPS &&
      (c.args.thread_ts
        ? card !== undefined && c.args.thread_ts === card.ts
        : String(c.args.text ?? '').includes(jobId)),
  );
}

/** The calls that pass `keep`, each with its place in the log (no copy of the rest). */
function indexed(
  world: World,
  keep: (c: SlackCall) => boolean,
): Array<SlackCall & { index: number }> {
  const out: Array<SlackCall & { index: number }> = [];
  world.slack.calls.forEach((c, index) => {
    if (keep(c)) out.push({ ...c, index });
  });
  return out;
}

/** Sweeps the bot has logged so far (done or failed). */
function sweepCount(bot: BotProcess): number {
  let count = 0;
  for (const line of bot.lines)
    if (line.includes('"msg":"sweep done"') || line.includes('"msg":"sweep failed"')) count++;
  return count;
}

function sweepRows(world: World, s: SweepOutcome, size: Size): Row[] {
  const byJob = new Map<string, SweepChange[]>();
  for (const c of s.changes) byJob.set(c.jobId, [...(byJob.get(c.jobId) ?? []), c]);
  let lost = 0;
  let twice = 0;
  let wrong = 0;
  let once = 0;
  const examples: string[] = [];
  for (const [jobId, changes] of byJob) {
    const posts = sweepPosts(world, jobId);
    // Cards as posted or updated: their text names the change as `from → to`.
    const cardTexts = indexed(
      world,
      (c) =>
        (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
        c.ok &&
        c.args.channel === SWEEPS &&
        !c.args.thread_ts &&
        String(c.args.text ?? '').includes(jobId),
    );
    changes.forEach((c, i) => {
      // Its window: from the change to the next change of the same job, in call-log order.
      const end = changes[i + 1]?.callIndex ?? Number.POSITIVE_INFINITY;
      const within = (p: { index: number }) => p.index >= c.callIndex && p.index < end;
      const inWindow = posts.filter(within).length;
      const arrow = `${statusLabel(c.from)} → ${statusLabel(c.to)}`;
      const named = cardTexts.some((p) => within(p) && String(p.args.text ?? '').includes(arrow));
      if (inWindow === 0) lost++;
      else if (inWindow > 1) twice += inWindow - 1;
      if (inWindow >= 1 && !named) wrong++;
      if (inWindow === 1 && named) once++;
      if ((inWindow !== 1 || !named) && examples.length < 3)
        examples.push(
          `${jobId} ${arrow}: ${inWindow} posts${named ? '' : ', card never named it'}`,
        );
    });
  }
  const sweeps = s.sweepsAfter - s.sweepsBefore;
  const logged = sweepReports(world);
  const unread = logged.filter((r) => r.unread > 0).length;
  const ex = examples.length ? ` (${examples.join('; ')})` : '';
  return [
    {
      tried: `${n(size.sweeps)}+ sweeps every second over ${n(s.jobs.length)} watched jobs (plus the approved ones), ${n(s.watchAsks)} /ft watch asks (${n(s.watchFailures)} answered with a failure and asked again, ${n(s.unwatched)} jobs never watched)`,
      happened: `${n(sweeps)} sweeps logged during the run, ${n(unread)} of all ${n(logged.length)} left a job unread for the next sweep; ${n(s.changes.length)} status changes made, one at a time per job`,
      target: `≥ ${n(size.sweeps)} sweeps, each change made only after the last was announced`,
      met: sweeps >= size.sweeps && s.unwatched === 0 && s.changes.length >= s.jobs.length * 2,
    },
    {
      tried: `${n(s.changes.length)} status changes of watched jobs between sweeps`,
      happened: `${n(once)} announced exactly once and named right; ${n(lost)} never announced, ${n(twice)} extra announcements, ${n(wrong)} announced without naming the change${ex}`,
      target: '0 transitions lost, 0 announced twice',
      met:
        s.changes.length > 0 &&
        lost === 0 &&
        twice === 0 &&
        wrong === 0 &&
        once === s.changes.length,
    },
  ];
}

/** The poller's own account of its sweeps, from its log lines in the evidence order. */
function sweepReports(world: World): Array<{ unread: number }> {
  const out: Array<{ unread: number }> = [];
  for (const bot of world.bots) {
    for (const line of bot.lines) {
      if (!line.includes('"msg":"sweep done"')) continue;
      try {
        const parsed = JSON.parse(line) as { unread?: unknown[] };
        out.push({ unread: Array.isArray(parsed.unread) ? parsed.unread.length : 0 });
      } catch {
        // not a JSON line
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Faults, acks, hygiene

function faultRow(
  requests: World['ft']['requests'],
  config: { rate: number; kinds: FaultKind[]; retryAfterMs: number; seed: number },
  size: Size,
): Row {
  // The plan is seeded: replaying it gives the fault of each logged request, which the log's
  // statuses must bear out (a malformed body is logged as a 200, so only the replay tells it).
  const plan = new FaultPlan();
  plan.set(config);
  const counts = { '429': 0, '500': 0, timeout: 0, malformed: 0 };
  let afterEffect = 0;
  let disagree = 0;
  for (const r of requests) {
    const kind = plan.next();
    const expected =
      kind === '429'
        ? 429
        : kind === '500' || kind === '500-after-effect'
          ? 500
          : kind === 'timeout'
            ? 0
            : kind === 'malformed'
              ? 200
              : undefined;
    if (kind === null) {
      if (r.status === 0 || r.status === 429 || r.status >= 500) disagree++;
    } else if (r.status !== expected) disagree++;
    if (kind === '500-after-effect') afterEffect++;
    if (kind === '429') counts['429']++;
    else if (kind === '500' || kind === '500-after-effect') counts['500']++;
    else if (kind === 'timeout') counts.timeout++;
    else if (kind === 'malformed') counts.malformed++;
  }
  const total = requests.length;
  const faulted = Object.values(counts).reduce((a, b) => a + b, 0);
  const share = total ? faulted / total : 0;
  // Four standard deviations of a binomial share, at least two points.
  const tolerance = Math.max(
    0.02,
    4 * Math.sqrt((FAULT_RATE * (1 - FAULT_RATE)) / Math.max(1, total)),
  );
  // A short run makes ~100 requests, too few to be sure of all five kinds; it needs three.
  const perKind = [counts['429'], counts['500'] - afterEffect, afterEffect, counts.timeout];
  const kindsSeen = [...perKind, counts.malformed].filter((c) => c > 0).length;
  const kindsNeeded = size === FULL ? KINDS.length : 3;
  return {
    tried: `faults injected into every fine-tuning API request (rate 30 %, kinds ${KINDS.join(', ')}, 429s with retry-after-ms ${RETRY_AFTER_MS})`,
    happened: `${n(total)} requests, ${n(faulted)} faulted (${(share * 100).toFixed(1)} %): 429 ${n(counts['429'])}, 500 ${n(counts['500'])} (${n(afterEffect)} after the effect), timeout ${n(counts.timeout)}, malformed ${n(counts.malformed)}; ${n(disagree)} logged statuses disagree with the plan`,
    target: `30 % ± ${(tolerance * 100).toFixed(1)} points, ≥ ${kindsNeeded} of the 5 kinds seen, log and plan agree`,
    met:
      total >= (size.approvals * 3) / 2 &&
      Math.abs(share - FAULT_RATE) <= tolerance &&
      kindsSeen >= kindsNeeded &&
      disagree === 0,
  };
}

function ackRow(approvals: ApprovalRecord[], watchAcks: Answer[]): Row {
  const acks = [...approvals.flatMap((a) => a.acks), ...watchAcks];
  const bad = acks.filter((a) => a.status !== 200 || a.ms > 3000);
  const slowest = acks.reduce((m, a) => Math.max(m, a.ms), 0);
  return {
    tried: `${n(acks.length)} signed commands and clicks while the API misbehaves`,
    happened: `${n(acks.length - bad.length)} acked 200 within 3 s (slowest ${Math.round(slowest)} ms); ${n(bad.length)} not`,
    target: 'every one acked within 3 s',
    met: acks.length > 0 && bad.length === 0,
  };
}

function hygieneRow(world: World, bot: BotProcess): Row {
  const bodies = [
    ...world.slack.responses.map((r) => JSON.stringify(r.body)),
    ...world.slack.calls.map((c) => JSON.stringify(c.args)),
  ];
  const badBodies = bodies.filter((b) => /\\n\s+at |\[object Object\]/.test(b));
  // pino puts an empty "stack" on a plain object under `err`; a trace has text in it.
  const badLines = bot.lines.filter((l) => /"stack":"[^"]|\\n\s+at |\[object Object\]/.test(l));
  const ex = badLines[0] ?? badBodies[0];
  return {
    tried: `${n(bodies.length)} bodies sent to Slack and ${n(bot.lines.length)} log lines`,
    happened: `${n(badBodies.length)} bodies and ${n(badLines.length)} log lines with a stack trace or [object Object]${ex ? ` (e.g. ${ex.slice(0, 200)})` : ''}`,
    target: '0',
    met: badBodies.length === 0 && badLines.length === 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

async function firstAnswer(
  world: World,
  url: string,
  timeoutMs: number,
): Promise<string | undefined> {
  let text: string | undefined;
  await waitUntil(
    () => {
      const hit = world.slack.responses.find((r) => r.url === url);
      if (hit) text = visibleText(hit.body);
      return hit !== undefined;
    },
    timeoutMs,
    20,
  );
  return text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buttonsOf } from '../../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  slashCommandBody,
} from '../../src/emulators/slack-signing.ts';
import { RedisUnavailableError } from '../../src/store/redis.ts';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import { statusLabel } from '../../src/views/status.ts';
import type { BotProcess } from '../lib/bot-process.ts';
import {
  type Campaign,
  type CampaignResult,
  n,
  pick,
  type Row,
  seededRandom,
  shuffle,
  waitUntil,
} from '../lib/campaign.ts';
import {
  type Answer,
  APPROVER,
  REQUESTER,
  SHARED_REDIS_URL,
  startWorld,
  TRAINING,
  type World,
} from '../lib/world.ts';

/**
 * Campaign 5, Redis restart. A private `redis-server` (its own port and directory, AOF with
 * `appendfsync always`, never the machine's shared Redis) backs one bot. Watches, a pending
 * approval and running jobs are set up; a steady stream of signed `/ft status` commands runs
 * throughout; Redis is stopped with SIGTERM, kept down for a while (commands and job status
 * changes keep coming), then started again on the same port and directory. Checked: every
 * command during the outage got the clear "temporarily unavailable" answer within Slack's 3 s,
 * processing (commands and announcements) came back within 10 s of Redis, and nothing was
 * lost: watches, the pending approval, every status change and every command's answer.
 */

const UNAVAILABLE = new RedisUnavailableError().message;
/** What must never reach a user: a stack trace, `[object Object]`, a raw connection error. */
const LEAK = /\n\s+at |\\n\s+at |\[object Object\]|ECONNREFUSED|ECONNRESET/;
/** What must never reach a log line: a stack trace or `[object Object]`. */
const LOG_LEAK = /\n\s+at |\\n\s+at |"stack"|\[object Object\]|Unhandled error event/;
/** Slack's limit for acknowledging a request. */
const ACK_LIMIT_MS = 3000;
const RECOVERY_LIMIT_MS = 10_000;

type Phase = 'before' | 'stopping' | 'down' | 'starting' | 'back';

interface Sizes {
  jobs: number;
  channels: number;
  outageMs: number;
  /** Gap between two status commands of the steady stream. */
  gapMs: number;
  /** How long the stream runs before the outage, and after Redis is back. */
  beforeMs: number;
  afterMs: number;
}

const SHORT: Sizes = {
  jobs: 8,
  channels: 2,
  outageMs: 3000,
  gapMs: 150,
  beforeMs: 1000,
  afterMs: 4000,
};
const FULL: Sizes = {
  jobs: 40,
  channels: 4,
  outageMs: 8000,
  gapMs: 50,
  beforeMs: 3000,
  afterMs: 12_000,
};

/** One status change made in the emulator, and where it must be announced. */
interface Change {
  jobId: string;
  from: string;
  to: string;
  phase: 'before' | 'during' | 'after';
  channels: string[];
  madeAt?: number;
  /** First time each channel saw it (ms since epoch). */
  seen: Map<string, number>;
}

/** One signed command of the stream, and what came of it. */
interface Sent {
  jobId: string;
  responseUrl: string;
  sentAt: number;
  phaseAtSend: Phase;
  phaseAtAck?: Phase;
  ack?: Answer;
  ackAt?: number;
  failed?: string;
}

type Verdict = 'normal' | 'unavailable' | 'other' | 'silent';

export const runRedisRestart: Campaign = async (opts) => {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const random = seededRandom(opts.seed);
  const size = opts.full ? FULL : SHORT;
  const rows: Row[] = [];
  const notes: string[] = [];

  const redis = await startPrivateRedis();
  let world: World | undefined;
  // The status stream runs until the end; a failure half-way must stop it too (see finally).
  let streaming = true;
  try {
    log(`private redis-server on port ${redis.port}, dir ${redis.dir}`);
    await redis.start();
    world = await startWorld({ evidence: opts.evidence, redisUrl: redis.url });
    const w = world;
    const channels = Array.from({ length: size.channels }, (_, i) => `C0RESTART${i}`);
    for (const [i, id] of channels.entries()) w.slack.addChannel({ id, name: `restart-${i}` });
    const bot = await w.startBot('redis-restart', {
      role: 'all',
      paceMs: 20,
      fastRetry: true,
      env: { FT_POLL_INTERVAL_SECONDS: '1' },
    });

    let phase: Phase = 'before';
    const answerText = (s: Sent): string | undefined => {
      const fromAck = ackText(s.ack?.body ?? '');
      if (fromAck) return fromAck;
      const posted = w.slack.responses.find((r) => r.url === s.responseUrl);
      return posted ? bodyText(posted.body) : undefined;
    };
    /** When the answer arrived: the ack if it carried one, else the response_url post. */
    const answeredAt = (s: Sent): number | undefined =>
      ackText(s.ack?.body ?? '')
        ? s.ackAt
        : w.slack.responses.find((r) => r.url === s.responseUrl)?.at;
    const verdict = (s: Sent): Verdict => {
      const text = answerText(s);
      if (text === undefined) return 'silent';
      if (text.includes(UNAVAILABLE)) return 'unavailable';
      if (text.includes(s.jobId) && !text.includes('⚠')) return 'normal';
      return 'other';
    };

    /** Sends one signed `/ft …` and keeps track of it; never waits more than 10 s. */
    const command = async (text: string, channel: string, jobId: string): Promise<Sent> => {
      const responseUrl = w.slack.responseUrl(channel, REQUESTER);
      const body = slashCommandBody({
        text,
        user_id: REQUESTER,
        channel_id: channel,
        response_url: responseUrl,
      });
      const sent: Sent = { jobId, responseUrl, sentAt: Date.now(), phaseAtSend: phase };
      try {
        const ack = await withTimeout(w.signed(bot, body), 10_000);
        if (ack) {
          sent.ack = ack;
          sent.ackAt = Date.now();
          sent.phaseAtAck = phase;
        } else sent.failed = 'no ack within 10 s';
      } catch (err) {
        sent.failed = err instanceof Error ? err.message : String(err);
      }
      return sent;
    };
    const answered = (s: Sent, ms = 8000) => waitUntil(() => verdict(s) !== 'silent', ms);

    // Jobs, and a plan of status changes: one change for some, a pause and a later resume for
    // others, spread over before, during and after the outage.
    const jobs = Array.from({ length: size.jobs }, (_, i) =>
      w.ft.addJob({ status: 'running', user_provided_suffix: `restart-${i}` }),
    );
    const watcherOf = new Map(jobs.map((j) => [j.id, channels[pick(random, channels.length)]]));
    const changes: Change[] = [];
    const phases = ['before', 'during', 'after'] as const;
    for (const job of jobs) {
      const watchers = [watcherOf.get(job.id) as string, TRAINING];
      const change = (from: string, to: string, p: (typeof phases)[number]) =>
        changes.push({ jobId: job.id, from, to, phase: p, channels: watchers, seen: new Map() });
      if (random() < 0.5) {
        const to = (['paused', 'succeeded', 'failed', 'cancelled'] as const)[pick(random, 4)];
        change('running', to as string, phases[pick(random, 3)] as (typeof phases)[number]);
      } else {
        const first = pick(random, 2);
        const second = first + 1 + pick(random, 2 - first);
        change('running', 'paused', phases[first] as (typeof phases)[number]);
        change('paused', 'running', phases[second] as (typeof phases)[number]);
      }
    }
    // The order of the outage's changes and the delay of each later one, drawn up front so the
    // stream's draws (from a generator of its own) cannot reorder them.
    const during = shuffle(
      random,
      changes.filter((c) => c.phase === 'during'),
    );
    const afterDelay = new Map(
      changes
        .filter((c) => c.phase === 'after')
        .map((c) => [c, pick(random, Math.max(1, size.afterMs * 0.5))]),
    );
    const streamRandom = seededRandom(opts.seed ^ 0x5eed);

    // Before the outage: each job watched in its channel, every job by `watch all` in
    // #ml-training, and a pause waiting for approval.
    const setup: Sent[] = [];
    setup.push(await command('watch all', TRAINING, 'every'));
    for (const job of jobs) {
      setup.push(await command(`watch ${job.id}`, watcherOf.get(job.id) as string, job.id));
    }
    const approvalJob = w.ft.addJob({ status: 'running', user_provided_suffix: 'gated' });
    setup.push(
      await command(`pause ${approvalJob.id} eval loss diverged`, TRAINING, approvalJob.id),
    );
    await Promise.all(setup.map((s) => answered(s)));
    const setupOk = setup.filter((s) => verdict(s) === 'normal').length;
    const request = await findApprovalRequest(w, approvalJob.id);
    log(
      `${setupOk}/${setup.length} set-up commands answered; approval request ${request ? 'posted' : 'missing'}`,
    );

    // Announcements as the Slack emulator records them.
    const scanAnnouncements = () => {
      for (const call of w.slack.calls) {
        if (call.method !== 'chat.postMessage' && call.method !== 'chat.update') continue;
        const text = typeof call.args.text === 'string' ? call.args.text : '';
        const channel = String(call.args.channel ?? '');
        for (const c of changes) {
          if (c.seen.has(channel) || !c.channels.includes(channel)) continue;
          if (text.includes(c.jobId) && text.includes(arrow(c.from, c.to)))
            c.seen.set(channel, call.at);
        }
      }
    };
    const announced = (c: Change) => {
      scanAnnouncements();
      return c.channels.every((ch) => c.seen.has(ch));
    };
    /** Makes a change once the job's previous change (if any) was announced everywhere. */
    const make = async (c: Change) => {
      const earlier = changes.filter(
        (x) => x.jobId === c.jobId && changes.indexOf(x) < changes.indexOf(c),
      );
      for (const e of earlier) await waitUntil(() => announced(e), 20_000, 100);
      w.ft.setStatus(
        c.jobId,
        c.to,
        c.to === 'failed'
          ? { error: { code: 'invalid_training_file', message: 'line 3 is not JSON', param: null } }
          : c.to === 'succeeded'
            ? { fine_tuned_model: `ft:gpt-4o-mini:restart:${c.jobId.slice(-6)}` }
            : {},
      );
      c.madeAt = Date.now();
    };

    // The steady stream of `/ft status <job>` commands, from now until the end.
    const stream: Promise<Sent>[] = [];
    const streamer = (async () => {
      while (streaming) {
        const job = jobs[pick(streamRandom, jobs.length)] as (typeof jobs)[number];
        stream.push(command(`status ${job.id}`, watcherOf.get(job.id) as string, job.id));
        await sleep(size.gapMs);
      }
    })();

    for (const c of changes.filter((x) => x.phase === 'before')) await make(c);
    await sleep(size.beforeMs);
    const beforeAnnounced = await waitUntil(
      () => changes.filter((c) => c.phase === 'before').every(announced),
      20_000,
      100,
    );

    // Redis state that must survive: subscriptions, the pending approval, last statuses.
    // The last status of a job changed during the outage may move on as soon as the bot's
    // poller is back (before our own client is), so those are left out of the comparison.
    const movesOnReturn = new Set(
      changes.filter((c) => c.phase === 'during').map((c) => w.keys.lastStatus(c.jobId)),
    );
    const durable = new Map(
      [...(await durableState(w))].filter(([key]) => !movesOnReturn.has(key)),
    );

    // The outage.
    phase = 'stopping';
    const linesAtStop = bot.lines.length;
    const stopAt = Date.now();
    const exit = await redis.stop();
    phase = 'down';
    const downAt = Date.now();
    log(`redis-server stopped (${exit.code ?? exit.signal}) in ${downAt - stopAt} ms`);
    const duringWork = (async () => {
      for (const c of during) {
        await sleep(Math.floor((size.outageMs * 0.7) / Math.max(1, during.length)));
        await make(c);
      }
    })();
    // An approver clicks Approve while Redis is down: refused, and never counted later.
    const outageClick = request ? await click(w, bot, request, APPROVER) : undefined;
    const outageReady = await readyz(bot);
    await duringWork;
    await sleep(Math.max(0, downAt + size.outageMs - Date.now()));

    const outageLogLines = bot.lines.length - linesAtStop;
    phase = 'starting';
    const restartAt = Date.now();
    await redis.start();
    phase = 'back';
    const backAt = Date.now();
    log(`redis-server back after ${backAt - downAt} ms down (start took ${backAt - restartAt} ms)`);

    const durableAfter = await durableState(w);
    const pausesBeforeApproval = pauseCalls(w, approvalJob.id);

    const afterWork = (async () => {
      await Promise.all(
        [...afterDelay].map(async ([c, delay]) => {
          await sleep(delay);
          await make(c);
        }),
      );
    })();
    await sleep(size.afterMs);
    await afterWork;
    streaming = false;
    await streamer;
    const allAnnounced = await waitUntil(() => changes.every(announced), 20_000, 100);
    const sent = await Promise.all(stream);
    await Promise.all(sent.map((s) => answered(s, 5000)));

    // The approval after the outage: still pending, approved once, the job paused once.
    const pendingAfter = await command('approvals', TRAINING, approvalJob.id);
    await answered(pendingAfter);
    const approveClick = request ? await click(w, bot, request, APPROVER) : undefined;
    if (approveClick) await answeredClick(w, approveClick);
    await waitUntil(() => pauseCalls(w, approvalJob.id) >= 1, 5000);
    const lateClick = request ? await click(w, bot, request, APPROVER) : undefined;
    if (lateClick) await answeredClick(w, lateClick);
    const watching = await Promise.all(
      [TRAINING, ...channels].map(async (ch) => {
        const s = await command('watching', ch, '');
        await answered(s);
        return { ch, text: answerText(s) ?? '' };
      }),
    );
    const readyAfter = await readyz(bot);
    const alive = bot.alive();

    // ---- Rows ----
    const by = (pred: (s: Sent) => boolean) => sent.filter(pred);
    const count = (list: Sent[], v: Verdict) => list.filter((s) => verdict(s) === v).length;

    // 1. During the outage: clear answer, at once.
    const outage = by((s) => s.phaseAtSend === 'down' && s.phaseAtAck === 'down');
    const outageClear = outage.filter(
      (s) =>
        verdict(s) === 'unavailable' &&
        s.ack?.status === 200 &&
        (s.ackAt ?? Infinity) - s.sentAt <= ACK_LIMIT_MS,
    );
    const slowest = Math.max(0, ...outage.map((s) => (s.ackAt ?? Infinity) - s.sentAt));
    rows.push({
      tried: `${n(outage.length)} signed /ft status commands sent and acked while Redis was down (${n(downAt - stopAt)} ms to stop, ${n(backAt - downAt)} ms down)`,
      happened: `${n(outageClear.length)} acked 200 with "temporarily unavailable" within 3 s (slowest ${n(Math.round(slowest))} ms); ${n(count(outage, 'other'))} other answers, ${n(count(outage, 'silent'))} silent, ${n(outage.filter((s) => s.failed).length)} unacked`,
      target: 'every one: HTTP 200 within 3 s with the clear "temporarily unavailable" text',
      met: outage.length >= 5 && outageClear.length === outage.length,
    });

    // 2. The approver's click during the outage, and readiness.
    const outageClickText = outageClick ? clickText(w, outageClick) : undefined;
    rows.push({
      tried: 'an Approve click and GET /readyz while Redis was down',
      happened: `click: ${outageClickText === undefined ? 'no answer' : outageClickText.includes(UNAVAILABLE) ? `"temporarily unavailable" (HTTP ${outageClick?.ack.status})` : `other: ${outageClickText.slice(0, 120)}`}; /readyz ${outageReady.status} (redis ${outageReady.redisOk ? 'ok' : 'not ok'}); pause calls right after Redis came back: ${n(pausesBeforeApproval)}`,
      target:
        'click answered "temporarily unavailable" and never counted later (0 pause calls); /readyz 503',
      met:
        outageClickText?.includes(UNAVAILABLE) === true &&
        pausesBeforeApproval === 0 &&
        outageReady.status === 503 &&
        !outageReady.redisOk,
    });

    // 3. Recovery: first command answered normally, first announcement, after Redis is back.
    const afterBack = by((s) => s.sentAt >= backAt);
    const firstNormal = Math.min(
      ...afterBack.filter((s) => verdict(s) === 'normal').map((s) => s.sentAt),
    );
    const duringChanges = changes.filter((c) => c.phase === 'during');
    const firstAnnouncement = Math.min(
      ...duringChanges.flatMap((c) => [...c.seen.values()]).filter((t) => t >= backAt),
    );
    const lastDuring = Math.max(...duringChanges.flatMap((c) => [...c.seen.values()]));
    const cmdRecovery = firstNormal - backAt;
    const annRecovery = firstAnnouncement - backAt;
    rows.push({
      tried: `Redis back (ready after ${n(backAt - restartAt)} ms); ${n(afterBack.length)} commands sent afterwards, ${n(duringChanges.length)} changes made during the outage`,
      happened: `first command sent after it answered normally ${fmtMs(cmdRecovery)} after; first announcement of an outage change ${fmtMs(annRecovery)} after, the last ${fmtMs(lastDuring - backAt)} after`,
      target: 'commands and announcements back within 10 s of Redis',
      met:
        Number.isFinite(cmdRecovery) &&
        cmdRecovery <= RECOVERY_LIMIT_MS &&
        Number.isFinite(annRecovery) &&
        annRecovery <= RECOVERY_LIMIT_MS,
    });

    // 4. After Redis is back: answers, and only the clear text in the first seconds.
    const lateUnavailable = afterBack.filter(
      (s) => verdict(s) === 'unavailable' && s.sentAt - backAt > RECOVERY_LIMIT_MS,
    );
    rows.push({
      tried: `${n(afterBack.length)} commands sent after Redis was back`,
      happened: `${n(count(afterBack, 'normal'))} answered with the job card, ${n(count(afterBack, 'unavailable'))} "temporarily unavailable" (${n(lateUnavailable.length)} of them later than 10 s), ${n(count(afterBack, 'other'))} other, ${n(count(afterBack, 'silent'))} silent`,
      target: 'every one answered; "unavailable" only in the first 10 s; no other error',
      met:
        afterBack.length > 0 &&
        count(afterBack, 'silent') === 0 &&
        count(afterBack, 'other') === 0 &&
        lateUnavailable.length === 0,
    });

    // 5. Commands from before the outage (and around its edges) kept their answers.
    const early = by((s) => s.phaseAtSend === 'before');
    const earlyDone = early.filter((s) => (answeredAt(s) ?? Infinity) < stopAt);
    const edges = sent.filter(
      (s) =>
        s.phaseAtSend === 'stopping' ||
        s.phaseAtSend === 'starting' ||
        s.phaseAtAck !== s.phaseAtSend,
    );
    rows.push({
      tried: `${n(setup.length)} set-up commands (watches, a pause) and ${n(early.length)} status commands sent before the outage; ${n(edges.length)} across its edges`,
      happened: `set-up: ${n(setupOk)} answered normally; before: ${n(count(early, 'normal'))} normal, ${n(count(early, 'unavailable'))} unavailable (${n(early.length - earlyDone.length)} not answered yet at the stop), ${n(count(early, 'other'))} other, ${n(count(early, 'silent'))} silent; edges: ${n(count(edges, 'silent'))} silent, ${n(count(edges, 'other'))} other`,
      target: 'every one answered; the ones finished before the stop normally',
      met:
        setupOk === setup.length &&
        early.length > 0 &&
        count(early, 'silent') + count(early, 'other') === 0 &&
        earlyDone.every((s) => verdict(s) === 'normal') &&
        count(edges, 'silent') + count(edges, 'other') === 0,
    });

    // 6. Nothing lost in Redis; watches and the pending approval visible to users.
    const lostKeys = [...durable.entries()].filter(([k, v]) => durableAfter.get(k) !== v);
    const watchMisses = watching.flatMap(({ ch, text }) =>
      ch === TRAINING
        ? /all/i.test(text)
          ? []
          : [`${ch}: all`]
        : jobs
            .filter((j) => watcherOf.get(j.id) === ch && !text.includes(j.id))
            .map((j) => `${ch}: ${j.id}`),
    );
    const pendingText = answerText(pendingAfter) ?? '';
    rows.push({
      tried: `${n(durable.size)} durable keys (subscriptions, approvals, last statuses of jobs not changed during the outage) read before the stop; /ft watching in ${n(watching.length)} channels and /ft approvals after`,
      happened: `${n(durable.size - lostKeys.length)} identical after the restart, ${n(lostKeys.length)} lost or changed${
        lostKeys.length
          ? ` (${lostKeys
              .slice(0, 3)
              .map(([k]) => k)
              .join(', ')})`
          : ''
      }; ${n(watchMisses.length)} watches missing from /ft watching; pending approval ${pendingText.includes(approvalJob.id) ? 'listed' : 'NOT listed'}`,
      target: 'all identical; every watch and the pending approval still there',
      met:
        durable.size > jobs.length &&
        lostKeys.length === 0 &&
        watchMisses.length === 0 &&
        pendingText.includes(approvalJob.id),
    });

    // 7. The approval after the outage: one pause.
    const approveText = approveClick ? clickText(w, approveClick) : undefined;
    const lateText = lateClick ? clickText(w, lateClick) : undefined;
    const pauses = pauseCalls(w, approvalJob.id);
    rows.push({
      tried:
        'the approver approves the pre-outage pause request after the restart, then clicks again',
      happened: `request ${request ? 'found' : 'NOT found'}; first click: ${short(approveText)}; second: ${short(lateText)}; pause calls: ${n(pauses)}`,
      target: 'approved once, the second click "already", exactly 1 pause call',
      met:
        request !== undefined &&
        approveText?.includes('Approved') === true &&
        lateText?.includes('already') === true &&
        pauses === 1,
    });

    // 8. Every change announced in every channel watching it, once.
    const perPhase = phases.map((p) => {
      const list = changes.filter((c) => c.phase === p);
      return `${p} ${n(list.filter((c) => c.channels.every((ch) => c.seen.has(ch))).length)}/${n(list.length)}`;
    });
    const cards = new Map<string, number>();
    for (const call of w.slack.callsTo('chat.postMessage')) {
      const text = typeof call.args.text === 'string' ? call.args.text : '';
      if (call.args.thread_ts || !call.ok) continue;
      for (const job of jobs) {
        if (text.includes(`${job.id} `) || text.includes(`${job.id}:`))
          cards.set(
            `${call.args.channel}/${job.id}`,
            (cards.get(`${call.args.channel}/${job.id}`) ?? 0) + 1,
          );
      }
    }
    const doubled = [...cards.values()].filter((v) => v > 1).length;
    rows.push({
      tried: `${n(changes.length)} status changes (${phases.map((p) => `${n(changes.filter((c) => c.phase === p).length)} ${p}`).join(', ')} the outage), each watched by 2 channels`,
      happened: `announced everywhere: ${perPhase.join(', ')} (before the stop: ${beforeAnnounced ? 'all' : 'NOT all'}); ${n(cards.size)} cards, ${n(doubled)} posted twice`,
      target: 'every change announced in every watching channel; one card per job and channel',
      met:
        beforeAnnounced &&
        allAnnounced &&
        changes.length > 0 &&
        cards.size === jobs.length * 2 &&
        doubled === 0,
    });

    // 9. The bot itself: alive, ready, nothing ugly in what it said or logged.
    const bodies = [
      ...w.slack.responses.map((r) => JSON.stringify(r.body)),
      ...w.slack.calls.map((c) => JSON.stringify(c.args)),
      ...sent.map((s) => s.ack?.body ?? ''),
    ];
    const leakyBodies = bodies.filter((b) => LEAK.test(b)).length;
    const leakyLines = bot.lines.filter((l) => LOG_LEAK.test(l));
    // Anything not written by the logger (stderr prints of a library) is a finding too.
    const rawLines = bot.lines.filter((l) => !l.startsWith('{'));
    rows.push({
      tried: `the bot through the restart: ${n(bodies.length)} bodies it sent to Slack or answered with, ${n(bot.lines.length)} log lines`,
      happened: `${alive ? 'alive' : 'DEAD'}; /readyz after: ${readyAfter.status}; ${n(leakyBodies)} bodies with a stack trace, [object Object] or a raw connection error; ${n(leakyLines.length)} log lines with a stack trace or [object Object]; ${n(rawLines.length)} lines printed outside the logger; ${n(outageLogLines)} log lines while Redis was down`,
      target: 'alive and ready; no such body or line',
      met:
        alive &&
        readyAfter.status === 200 &&
        leakyBodies === 0 &&
        leakyLines.length === 0 &&
        rawLines.length === 0,
    });
    const firstBad = leakyLines[0] ?? rawLines[0];
    if (firstBad) notes.push(`first bad log line: ${firstBad.slice(0, 300)}`);

    // 10. It really was a private Redis, really stopped, with an AOF fsynced on every write.
    rows.push({
      tried: `a private redis-server on port ${redis.port} (appendonly yes, appendfsync always), stopped with SIGTERM and started again on the same dir`,
      happened: `${redis.url === SHARED_REDIS_URL ? 'the SHARED Redis' : 'private'}; stop: exit ${exit.code ?? exit.signal}; started ${n(redis.starts)} times; down ${n(backAt - downAt)} ms`,
      target: `private, stopped for ~${n(size.outageMs)} ms, started twice`,
      met:
        redis.port !== 6379 &&
        redis.starts === 2 &&
        backAt - downAt >= size.outageMs &&
        exit.code === 0,
    });
  } finally {
    streaming = false;
    try {
      if (world) {
        if (!redis.running()) await redis.start().catch(() => undefined);
        await world.close().catch(() => undefined);
      }
    } finally {
      await redis.destroy();
    }
  }
  const result: CampaignResult = {
    name: 'redis-restart',
    title: '5. Redis restart',
    rows,
    durationMs: performance.now() - started,
  };
  if (notes.length > 0) result.notes = notes;
  return result;
};

// ---- The private redis-server ----

interface PrivateRedis {
  port: number;
  url: string;
  dir: string;
  /** How many times it was started. */
  starts: number;
  /** Starts it (again) on the same port and dir; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** Kills it if running and removes its directory. */
  destroy(): Promise<void>;
}

async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'ftops-redis-restart-'));
  let child: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  let alive = false;
  // If the runner dies, the server must not outlive it.
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);
  const self: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    starts: 0,
    running: () => alive,
    start() {
      const proc = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
          '--daemonize',
          'no',
          '--logfile',
          '',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = proc;
      alive = true;
      self.starts++;
      exited = new Promise((resolve) =>
        proc.once('exit', (code, signal) => {
          alive = false;
          resolve({ code, signal });
        }),
      );
      const tail: string[] = [];
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          proc.kill('SIGKILL');
          reject(new Error(`redis-server did not start:\n${tail.join('\n')}`));
        }, 15_000);
        const onLine = (line: string) => {
          tail.push(line);
          if (tail.length > 20) tail.shift();
          if (/Ready to accept connections/.test(line)) {
            clearTimeout(timer);
            resolve();
          }
        };
        if (proc.stdout) createInterface({ input: proc.stdout }).on('line', onLine);
        if (proc.stderr) createInterface({ input: proc.stderr }).on('line', onLine);
        void exited?.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited (${code ?? signal}):\n${tail.join('\n')}`));
        });
      });
    },
    async stop() {
      if (!child || !exited) throw new Error('redis-server is not running');
      child.kill('SIGTERM');
      return exited;
    },
    async destroy() {
      if (alive && child) {
        child.kill('SIGKILL');
        await exited;
      }
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** A free TCP port on loopback (never 6379, the shared Redis). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port > 0 && port !== 6379) return port;
  }
}

// ---- Helpers ----

/** Redis state that must come back identical: subscriptions, approvals, last statuses. */
async function durableState(w: World): Promise<Map<string, string>> {
  const prefix = w.keys.bullPrefix;
  const out = new Map<string, string>();
  for (const pattern of [
    `${prefix}:subs:*`,
    `${prefix}:approval*`,
    `${prefix}:status:*`,
    `${prefix}:watched`,
  ]) {
    let cursor = '0';
    do {
      const [next, keys] = await w.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) out.set(key, await dump(w, key));
    } while (cursor !== '0');
  }
  return out;
}

async function dump(w: World, key: string): Promise<string> {
  switch (await w.redis.type(key)) {
    case 'string':
      return (await w.redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(Object.entries(await w.redis.hgetall(key)).sort());
    case 'set':
      return JSON.stringify((await w.redis.smembers(key)).sort());
    case 'zset':
      return JSON.stringify(await w.redis.zrange(key, 0, -1, 'WITHSCORES'));
    case 'list':
      return JSON.stringify(await w.redis.lrange(key, 0, -1));
    default:
      return '';
  }
}

interface ApprovalRequest {
  channel: string;
  ts: string;
  requestId: string;
  blockId: string;
}

/** The posted request message for `jobId` with its Approve button. */
async function findApprovalRequest(w: World, jobId: string): Promise<ApprovalRequest | undefined> {
  let found: ApprovalRequest | undefined;
  await waitUntil(() => {
    for (const [channel, messages] of w.slack.messages) {
      for (const m of messages) {
        if (m.ephemeral || m.thread_ts || !m.text.includes(jobId)) continue;
        const button = buttonsOf(m.blocks).find((b) => b.actionId === APPROVE_REQUEST);
        if (button) {
          found = { channel, ts: m.ts, requestId: button.value, blockId: button.blockId };
          return true;
        }
      }
    }
    return false;
  }, 5000);
  return found;
}

interface Click {
  ack: Answer;
  responseUrl: string;
}

async function click(
  w: World,
  bot: BotProcess,
  req: ApprovalRequest,
  user: string,
): Promise<Click> {
  const responseUrl = w.slack.responseUrl(req.channel, user, req.ts);
  const body = blockActionsBody(
    blockActionsPayload({
      user,
      channel: req.channel,
      actionId: APPROVE_REQUEST,
      value: req.requestId,
      blockId: req.blockId,
      responseUrl,
      message: { ts: req.ts },
    }),
  );
  const ack = (await withTimeout(w.signed(bot, body), 10_000)) ?? {
    status: 0,
    body: '',
    ms: 10_000,
  };
  return { ack, responseUrl };
}

function clickText(w: World, c: Click): string | undefined {
  const fromAck = ackText(c.ack.body);
  if (fromAck) return fromAck;
  const posted = w.slack.responses.find((r) => r.url === c.responseUrl);
  return posted ? bodyText(posted.body) : undefined;
}

function answeredClick(w: World, c: Click): Promise<boolean> {
  return waitUntil(() => clickText(w, c) !== undefined, 8000);
}

function pauseCalls(w: World, jobId: string): number {
  return w.ft.requests.filter(
    (r) => r.method === 'POST' && r.path === `/fine_tuning/jobs/${jobId}/pause`,
  ).length;
}

async function readyz(bot: BotProcess): Promise<{ status: number; redisOk: boolean }> {
  try {
    const res = await fetch(`${bot.url}/readyz`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json().catch(() => ({}))) as { checks?: { redis?: { ok?: boolean } } };
    return { status: res.status, redisOk: body.checks?.redis?.ok === true };
  } catch {
    return { status: 0, redisOk: false };
  }
}

/** The text of an ack body that carries an answer (the ingress's JSON), else undefined. */
function ackText(body: string): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    return parsed.text === undefined && parsed.blocks === undefined ? undefined : bodyText(parsed);
  } catch {
    return body;
  }
}

function bodyText(body: Record<string, unknown>): string {
  return JSON.stringify({ text: body.text, blocks: body.blocks ?? [] });
}

/** `running → paused` as announcements write it. */
function arrow(from: string, to: string): string {
  return `${statusLabel(from)} → ${statusLabel(to)}`;
}

function short(text: string | undefined): string {
  if (text === undefined) return 'no answer';
  const m = /"text":"([^"]{0,100})/.exec(text);
  return `"${m?.[1] ?? text.slice(0, 100)}"`;
}

function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never';
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

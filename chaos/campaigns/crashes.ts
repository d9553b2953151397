import {
  ANNOUNCEMENT_EVENT_TYPE,
  DEFAULT_NOTIFY_CONCURRENCY,
} from '../../src/poller/notify-worker.ts';
import { createJobStatusStore } from '../../src/store/job-status.ts';
import { createSubscriptions } from '../../src/store/subscriptions.ts';
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
import { startWorld } from '../lib/world.ts';

/**
 * 4. Crashes. Two worker processes (the real bot, role `worker`) poll 200 watched jobs and
 * announce their changes in 20 channels while one of them at a time is SIGKILLed and started
 * again. Some kills land at random moments; others exactly between Slack accepting a post and
 * the worker recording it: the Slack emulator holds the answer of the next post from the
 * victim, the campaign kills the victim, and only then is the answer sent (to nobody).
 *
 * Every job walks running → pausing → paused → resuming → running → succeeded, one step at a
 * time, and a step is taken only once the workers have recorded the previous one, so every
 * change is observable. Each announcement (a card or a thread reply) carries Slack message
 * metadata naming the job and the change's seq, so the posts Slack accepted can be counted
 * exactly against the changes made: per channel, job and seq, none missing, and every extra
 * copy explained by a kill: its earlier copy was posted by a worker that then died, and one
 * kill explains at most one extra per notification that worker had in flight.
 */

/** The path every job walks: five changes, no `from → to` pair repeated. */
const PATH = ['running', 'pausing', 'paused', 'resuming', 'running', 'succeeded'] as const;
const STEPS = PATH.length - 1;

interface Size {
  jobs: number;
  channels: number;
  kills: number;
  /** Kills that wait for a post from the victim and land between it and its record. */
  postKills: number;
  /** How long to wait, after the last change, for every announcement and retry to settle. */
  drainMs: number;
}

const FULL: Size = { jobs: 200, channels: 20, kills: 50, postKills: 20, drainMs: 150_000 };
const SHORT: Size = { jobs: 12, channels: 4, kills: 3, postKills: 2, drainMs: 80_000 };

type Slot = 'A' | 'B';

/** A change made to a job in the emulator. */
interface Made {
  jobId: string;
  seq: number;
  from: string;
  to: string;
}

/** What one announcement post said it announced (its metadata). */
interface Announced {
  channel: string;
  jobId: string;
  seq: number;
  from: string;
  to: string;
  client: string | undefined;
}

const key = (channel: string, jobId: string, seq: number) => `${channel}|${jobId}|${seq}`;

/** Reads an announcement's metadata from a Web API call's (decoded) arguments. */
function announcementOf(
  args: Record<string, unknown>,
): Omit<Announced, 'channel' | 'client'> | null {
  const m = args.metadata as { event_type?: unknown; event_payload?: Record<string, unknown> };
  if (!m || m.event_type !== ANNOUNCEMENT_EVENT_TYPE || !m.event_payload) return null;
  const p = m.event_payload;
  return {
    jobId: String(p.job_id),
    seq: Number(p.seq),
    from: String(p.from),
    to: String(p.to),
  };
}

/** How long a kill waits for the next announcement post before killing at a random moment. */
const POST_WAIT_MS = 10_000;
/**
 * How soon a killed worker's announcement goes to the other worker (BullMQ lock duration and
 * stalled-job check). Production keeps BullMQ's 30 s; waiting that long after each of 50 kills
 * would only stretch the run, not test anything more.
 */
const STALL_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const runCrashes: Campaign = async (opts): Promise<CampaignResult> => {
  const t0 = performance.now();
  const size = opts.full ? FULL : SHORT;
  const say = opts.log ?? (() => {});
  const log = (line: string) => say(`${((performance.now() - t0) / 1000).toFixed(1)} s: ${line}`);
  const random = seededRandom(opts.seed);
  const world = await startWorld({ evidence: opts.evidence });
  const notes: string[] = [];
  const allBots: BotProcess[] = [];
  // The driver loop runs until told; a failure half-way must stop it too (see finally).
  let driving = true;
  try {
    // --- the world: channels, running jobs, watches with a baseline, as `/ft watch` leaves them
    const channels = Array.from(
      { length: size.channels },
      (_, i) => `C0CRASH${String(i).padStart(2, '0')}`,
    );
    for (const [i, id] of channels.entries()) world.slack.addChannel({ id, name: `crash-${i}` });
    const subs = createSubscriptions(world.redis, world.keys);
    const statuses = createJobStatusStore(world.redis, world.keys);
    const jobs = Array.from({ length: size.jobs }, () => world.ft.addJob({ status: 'running' }));
    const watchers = new Map<string, string[]>();
    for (const [i, job] of jobs.entries()) {
      // Every channel watches something; each job is watched by one to three channels.
      const extra = shuffle(
        random,
        channels.filter((c) => c !== channels[i % channels.length]),
      );
      const chosen = [channels[i % channels.length] as string, ...extra.slice(0, pick(random, 3))];
      watchers.set(job.id, chosen);
      for (const c of chosen) await subs.watch(c, job.id);
      await statuses.recordFirstSight({
        jobId: job.id,
        status: job.status,
        createdAt: job.created_at ?? 0,
        now: Date.now(),
      });
    }
    const due = jobs.reduce((sum, j) => sum + (watchers.get(j.id)?.length ?? 0) * STEPS, 0);
    const planned = size.jobs * STEPS;
    log(`${n(size.jobs)} jobs, ${n(channels.length)} channels, ${n(due)} announcements due`);

    // --- two workers; each generation calls Slack under a name of its own
    const gens: Record<Slot, number> = { A: 0, B: 0 };
    const current: Partial<Record<Slot, { bot: BotProcess; client: string }>> = {};
    const startWorker = async (slot: Slot) => {
      gens[slot] += 1;
      const client = `w${slot}${gens[slot]}`;
      const bot = await world.startBot(`crash-worker-${client}`, {
        role: 'worker',
        fastRetry: true,
        paceMs: 25,
        stallMs: STALL_MS,
        env: { FT_POLL_INTERVAL_SECONDS: '1', SLACK_API_URL: world.slack.apiUrlFor(client) },
      });
      allBots.push(bot);
      current[slot] = { bot, client };
    };
    await Promise.all([startWorker('A'), startWorker('B')]);
    log('both workers listening');

    // --- the post-then-kill hook: holds the next announcement post of a running worker until
    // that worker is dead, so Slack has the message and the worker never records it
    let armed: ((slot: Slot) => void) | null = null;
    const interrupted: string[] = []; // keys of posts whose poster died before hearing back
    world.slack.onPosted(async (p) => {
      const fired = armed;
      const slot = (['A', 'B'] as const).find((s) => current[s]?.client === p.client);
      const victim = slot ? current[slot] : undefined;
      if (!fired || !slot || !victim || p.method !== 'chat.postMessage') return;
      const ann = announcementOf(p.args);
      if (!ann) return;
      armed = null;
      interrupted.push(key(p.channel, ann.jobId, ann.seq));
      await victim.bot.kill('SIGKILL');
      fired(slot);
    });

    // --- the changes: spread over the kills, each only once the previous one is recorded
    const made: Made[] = [];
    const done = new Map<string, number>(jobs.map((j) => [j.id, 0]));
    // Changes are released in kills + 1 equal parts: one as each kill cycle starts (so the
    // workers have posts to make while a kill waits for one), the last after the last kill.
    let allowed = 0;
    let unrecordedAtEnd = 0;
    const driver = (async () => {
      const ids = jobs.map((j) => j.id);
      while (driving) {
        const known = await statuses.getMany(ids);
        let waiting = 0;
        for (const id of shuffle(random, [...ids])) {
          const d = done.get(id) ?? 0;
          if (d >= STEPS) continue;
          if ((known.get(id)?.seq ?? -1) !== d) {
            waiting++;
            continue;
          }
          if (made.length >= allowed) continue;
          const from = PATH[d] as string;
          const to = PATH[d + 1] as string;
          world.ft.setStatus(id, to);
          done.set(id, d + 1);
          made.push({ jobId: id, seq: d + 1, from, to });
          waiting++;
        }
        if (made.length >= planned && waiting === 0) return;
        await sleep(100);
      }
    })();

    // --- the kills: one worker at a time, restarted before the next kill
    const modes = shuffle(random, [
      ...Array.from({ length: size.postKills }, () => 'post' as const),
      ...Array.from({ length: size.kills - size.postKills }, () => 'random' as const),
    ]);
    const killedBySlot: Record<Slot, number> = { A: 0, B: 0 };
    const killedClients = new Set<string>();
    let postKills = 0;
    let randomKills = 0;
    let fallbacks = 0;
    let restarts = 0;
    const restartMs: number[] = [];
    for (const [i, mode] of modes.entries()) {
      allowed = Math.ceil((planned * (i + 1)) / (size.kills + 1));
      let slot: Slot | null = null;
      if (mode === 'post') {
        // Whichever worker posts next is the one killed, between that post and its record.
        slot = await new Promise<Slot | null>((resolve) => {
          const timer = setTimeout(() => {
            armed = null;
            resolve(null);
          }, POST_WAIT_MS);
          armed = (s) => {
            clearTimeout(timer);
            resolve(s);
          };
        });
        if (slot) postKills++;
        else fallbacks++;
      }
      if (!slot) {
        slot = random() < 0.5 ? 'A' : 'B';
        await sleep(pick(random, 1500));
        await current[slot]?.bot.kill('SIGKILL');
        randomKills++;
      }
      await current[slot]?.bot.exited;
      killedBySlot[slot]++;
      killedClients.add(current[slot]?.client ?? '');
      const restartAt = performance.now();
      await startWorker(slot);
      restartMs.push(performance.now() - restartAt);
      restarts++;
      if ((i + 1) % 10 === 0 || !opts.full)
        log(
          `kill ${i + 1}/${size.kills} (${mode}): ${n(made.length)} of ${n(planned)} changes made`,
        );
    }
    allowed = planned;

    // --- let the changes finish, then every announcement and retry settle
    const finished = await waitUntil(async () => made.length >= planned, 120_000, 200);
    const recordedAll = await waitUntil(
      async () => {
        const known = await statuses.getMany(jobs.map((j) => j.id));
        unrecordedAtEnd = jobs.filter(
          (j) => (known.get(j.id)?.seq ?? -1) !== done.get(j.id),
        ).length;
        return unrecordedAtEnd === 0;
      },
      30_000,
      200,
    );
    driving = false;
    await driver;
    log(`all changes made and recorded`);
    if (!finished || !recordedAll)
      notes.push(
        `changes stopped early: ${n(made.length)} made, ${n(unrecordedAtEnd)} jobs unrecorded`,
      );

    const announcements = (): Announced[] =>
      world.slack
        .callsTo('chat.postMessage')
        .filter((c) => c.ok)
        .flatMap((c) => {
          const a = announcementOf(c.args);
          return a ? [{ ...a, channel: String(c.args.channel), client: c.client }] : [];
        });
    const expected = new Map<string, Made>();
    for (const m of made)
      for (const c of watchers.get(m.jobId) ?? []) expected.set(key(c, m.jobId, m.seq), m);
    const q = `${world.keys.bullPrefix}:ftops-notify`;
    const idle = async () => {
      const [active, wait, delayed, prioritized, outbox] = await Promise.all([
        world.redis.llen(`${q}:active`),
        world.redis.llen(`${q}:wait`),
        world.redis.zcard(`${q}:delayed`),
        world.redis.zcard(`${q}:prioritized`),
        world.redis.hlen(world.keys.transitionOutbox()),
      ]);
      return active + wait + delayed + prioritized + outbox === 0;
    };
    const drainStart = performance.now();
    let quietSince = 0;
    const settled = await waitUntil(
      async () => {
        const seen = new Set(announcements().map((a) => key(a.channel, a.jobId, a.seq)));
        const complete = [...expected.keys()].every((k) => seen.has(k));
        if (!complete || !(await idle())) {
          quietSince = 0;
          return false;
        }
        quietSince ||= performance.now();
        return performance.now() - quietSince > 1500;
      },
      size.drainMs,
      250,
    );
    const drainMs = performance.now() - drainStart;
    log(`drained in ${(drainMs / 1000).toFixed(1)} s`);

    // --- count, per channel, job and change
    const posted = announcements();
    // Who posted each copy of each announcement, in the order Slack accepted them.
    const copies = new Map<string, string[]>();
    let mismatched = 0;
    let unexpected = 0;
    const byClient: Record<Slot, number> = { A: 0, B: 0 };
    for (const a of posted) {
      const k = key(a.channel, a.jobId, a.seq);
      const m = expected.get(k);
      if (!m) unexpected++;
      else if (m.from !== a.from || m.to !== a.to) mismatched++;
      copies.set(k, [...(copies.get(k) ?? []), a.client ?? '?']);
      if (a.client?.startsWith('wA')) byClient.A++;
      if (a.client?.startsWith('wB')) byClient.B++;
    }
    const lost = [...expected.keys()].filter((k) => !copies.has(k));
    // Every copy but the last of a duplicated announcement must come from a worker that was
    // killed before it could record the post; group those copies by the killed worker.
    let duplicates = 0;
    let duplicatesOfInterrupted = 0;
    let unexplained = 0;
    const perKill = new Map<string, number>();
    const interruptedSet = new Set(interrupted);
    for (const [k, by] of copies) {
      if (by.length <= 1 || !expected.has(k)) continue;
      duplicates += by.length - 1;
      if (interruptedSet.has(k)) duplicatesOfInterrupted += by.length - 1;
      for (const client of by.slice(0, -1)) {
        if (killedClients.has(client)) perKill.set(client, (perKill.get(client) ?? 0) + 1);
        else unexplained++;
      }
    }
    const mostFromOneKill = Math.max(0, ...perKill.values());
    const kills = postKills + randomKills;
    const sorted = [...restartMs].sort((a, b) => a - b);
    const median = (sorted[Math.floor(sorted.length / 2)] ?? 0) / 1000;
    notes.push(
      `a restart took ${median.toFixed(1)} s (median) to listen again; ${opts.full ? 'the run' : 'this short run'} spent ${(restartMs.reduce((a, b) => a + b, 0) / 1000).toFixed(0)} s restarting workers and ${(drainMs / 1000).toFixed(0)} s settling after the last change (a killed worker's notifications wait for BullMQ's stalled-job check: ${STALL_MS / 1000} s lock and interval and a ${(2 * STALL_MS) / 1000} s card lock here, 30 s and 60 s in production)`,
    );

    // Live cards: the card each (job, channel) record points at shows the job's last change.
    let cardsTotal = 0;
    let cardsCurrent = 0;
    for (const job of jobs) {
      for (const c of watchers.get(job.id) ?? []) {
        cardsTotal++;
        const ts = await world.redis.hget(world.keys.card(job.id, c), 'ts');
        const msg = world.slack.messages.get(c)?.find((m) => m.ts === ts && !m.thread_ts);
        const p = msg?.metadata?.event_payload;
        if (p && Number(p.seq) === done.get(job.id) && p.to === PATH[done.get(job.id) ?? 0])
          cardsCurrent++;
      }
    }

    const lines = allBots.flatMap((b) => b.lines);
    const badLines = lines.filter(
      (l) => /\[object Object\]/.test(l) || /\\n\s+at [^\s]+ \(/.test(l) || /"stack":/.test(l),
    );

    const rows: Row[] = [
      {
        tried: `${n(planned)} status changes over ${n(size.jobs)} watched jobs in ${n(channels.length)} channels (1–3 channels per job), two workers polling every second`,
        happened: `${n(made.length)} made, each only after the previous one of its job was recorded; ${recordedAll ? 'all' : `all but ${n(unrecordedAtEnd)} jobs'`} recorded by the workers`,
        target: 'every change made and recorded',
        met: made.length === planned && recordedAll,
      },
      {
        tried: `${n(size.kills)} SIGKILLs of one of the two workers (${n(size.postKills)} planned between a Slack post and its record), each restarted`,
        happened: `${n(kills)} kills (A ${n(killedBySlot.A)}, B ${n(killedBySlot.B)}): ${n(postKills)} between a post and its record, ${n(randomKills)} at random moments${fallbacks ? ` (${n(fallbacks)} waited ${POST_WAIT_MS / 1000} s for a post in vain)` : ''}; ${n(restarts)} restarts`,
        target: 'all kills and restarts done, some between post and record',
        met: kills === size.kills && restarts === size.kills && postKills >= 1,
      },
      {
        tried: `${n(due)} announcements due (change × watching channel)`,
        happened: `${n(due - lost.length)} announced, ${n(lost.length)} lost${lost.length ? ` (e.g. ${lost.slice(0, 3).join(', ')})` : ''}; settled ${settled ? 'in' : 'NOT within'} ${(drainMs / 1000).toFixed(1)} s after the last change`,
        target: 'no change lost',
        met: lost.length === 0 && expected.size === due && settled,
      },
      {
        tried: `${n(posted.length)} announcement posts Slack accepted, counted per channel, job and change (message metadata)`,
        happened: `${n(duplicates)} duplicate${duplicates === 1 ? '' : 's'}: ${n(duplicatesOfInterrupted)} re-posts of the ${n(interrupted.length)} posts whose worker was killed before recording them, ${n(duplicates - duplicatesOfInterrupted)} after other kills; ${n(unexplained)} first posted by a worker that was not killed; at most ${n(mostFromOneKill)} from one kill`,
        target: `none without a kill, at most one per notification in flight at the kill (≤ ${DEFAULT_NOTIFY_CONCURRENCY} per kill, ≤ ${n(kills * DEFAULT_NOTIFY_CONCURRENCY)} in all), reported exactly`,
        met:
          unexplained === 0 &&
          mostFromOneKill <= DEFAULT_NOTIFY_CONCURRENCY &&
          posted.length === due - lost.length + duplicates + unexpected,
      },
      {
        tried: 'announcements checked against the changes made',
        happened: `${n(unexpected)} announced a change never made, ${n(mismatched)} named the wrong statuses`,
        target: '0',
        met: unexpected === 0 && mismatched === 0,
      },
      {
        tried: `${n(cardsTotal)} live cards (one per job and watching channel)`,
        happened: `${n(cardsCurrent)} show the job's last change (seq ${STEPS}, ${PATH[STEPS]})`,
        target: 'all',
        met: cardsCurrent === cardsTotal && cardsTotal === due / STEPS,
      },
      {
        tried: 'the work shared by both workers',
        happened: `announcements posted by A's processes ${n(byClient.A)}, by B's ${n(byClient.B)}`,
        target: 'both announce',
        met: byClient.A > 0 && byClient.B > 0 && byClient.A + byClient.B === posted.length,
      },
      {
        tried: `${n(lines.length)} log lines of ${n(allBots.length)} worker processes`,
        happened: `${n(badLines.length)} with a stack trace or [object Object]`,
        target: '0',
        met: badLines.length === 0,
      },
    ];
    return {
      name: 'crashes',
      title: '4. Crashes',
      rows,
      durationMs: performance.now() - t0,
      notes,
    };
  } finally {
    driving = false;
    await world.close();
  }
};

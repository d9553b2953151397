// Campaign 5, Redis restart, as the runner and the short test call it: the story of the run,
// from the private Redis and the set-up through the outage and back to the report.
import {
  type Campaign,
  type CampaignResult,
  pick,
  type Row,
  seededRandom,
  waitUntil,
} from '../../lib/campaign.ts';
import { APPROVER, startWorld, TRAINING, type World } from '../../lib/world.ts';
import { announcer } from './announcements.ts';
import { answersOf } from './answers.ts';
import { answeredClick, click, pauseCalls } from './approval.ts';
import { FULL, type Phase, planChanges, type Sent, SHORT } from './plan.ts';
import { startPrivateRedis } from './private-redis.ts';
import { restartRows } from './rows.ts';
import { commander, readyz, sleep } from './send.ts';
import { startBot, watchAndRequest } from './setup.ts';
import { durableState } from './snapshot.ts';

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
    const { channels, bot } = await startBot(w, size);

    let phase: Phase = 'before';
    const answers = answersOf(w);
    const { answerText, answered } = answers;
    const command = commander(w, bot, () => phase);

    const { jobs, watcherOf, changes, during, afterDelay } = planChanges(w, random, size, channels);
    const streamRandom = seededRandom(opts.seed ^ 0x5eed);

    const { setup, setupOk, approvalJob, request } = await watchAndRequest(
      w,
      jobs,
      watcherOf,
      command,
      answers,
    );
    log(
      `${setupOk}/${setup.length} set-up commands answered; approval request ${request ? 'posted' : 'missing'}`,
    );

    const { announced, make } = announcer(w, changes);

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

    rows.push(
      ...restartRows(
        {
          w,
          bot,
          size,
          redis,
          exit,
          answers,
          setup,
          setupOk,
          sent,
          jobs,
          watcherOf,
          changes,
          beforeAnnounced,
          allAnnounced,
          times: { stopAt, downAt, restartAt, backAt },
          approvalJob,
          request,
          outageClick,
          outageReady,
          pausesBeforeApproval,
          outageLogLines,
          durable,
          durableAfter,
          pendingAfter,
          approveClick,
          lateClick,
          watching,
          readyAfter,
          alive,
        },
        notes,
      ),
    );
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

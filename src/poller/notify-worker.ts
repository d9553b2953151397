import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { type ConnectionOptions, DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type CardStore, createCardStore } from '../store/cards.ts';
import type { Keys } from '../store/keys.ts';
import type { Subscriptions } from '../store/subscriptions.ts';
import { stripControl } from '../views/mrkdwn.ts';
import type { MessageBody } from '../views/types.ts';
import { NOTIFY_QUEUE, type NotifyData } from './notify-queue.ts';
import { type ChannelPacer, createChannelPacer } from './pacing.ts';
import { type Announcement, type AnnouncementRenderer, plainRenderer } from './render.ts';
import { classifySlackError } from './slack-errors.ts';
import { summarize } from './transitions.ts';

/** What the notify worker needs; everything is passed in so tests build it with emulators. */
export interface NotifyWorkerDeps {
  /** A BullMQ connection (`maxRetriesPerRequest: null`). */
  connection: ConnectionOptions;
  /** The command client for card records, pacing and subscriptions. */
  redis: Redis;
  keys: Keys;
  slack: WebClient;
  subscriptions: Subscriptions;
  render?: AnnouncementRenderer;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Notifications handled at once; different channels proceed in parallel. Default 4. */
  concurrency?: number;
  /** Minimum gap between messages to one channel; default 1000 ms (Slack's guidance). */
  paceMs?: number;
  /**
   * BullMQ's lock and stalled-check timings (30 s each by default) and how long a card stays
   * locked by a worker that died while posting to it (60 s); tests shorten them.
   */
  stall?: { lockDurationMs?: number; stalledIntervalMs?: number; cardLockMs?: number };
  /**
   * Told once a job's end (succeeded, failed, cancelled) was announced in a channel, with the
   * card's ts: the final chart goes into that thread. Not awaited by the announcement, and
   * at most once per end and channel (a retried notification finds the reply recorded).
   */
  afterFinished?: (jobId: string, channel: string, cardTs: string) => Promise<void>;
}

/**
 * How many times a notification may be cut short by a crashed worker and still be retried.
 * BullMQ's default (1) fails a notification for good the second time its worker dies under
 * it, and the announcement is then lost; crash-looping workers must delay it, not drop it.
 */
export const MAX_STALLS = 20;

/**
 * Notifications handled at once by one worker. It is also how many posts a SIGKILL can catch
 * between Slack accepting them and the worker recording them, each re-posted once on retry.
 */
export const DEFAULT_NOTIFY_CONCURRENCY = 4;

/** How long a worker may hold a card while posting to it. */
const CARD_LOCK_MS = 60_000;
/** How soon a notification whose card is busy elsewhere tries again. */
const BUSY_RETRY_MS = 200;

/**
 * Posts announcements: one live card per job per channel. The first change posts the card;
 * later ones update it in place and add a one-line reply in its thread (broadcast to the
 * channel when the job is finished). Each step is recorded right after Slack confirms it, so
 * a retried notification resumes where it stopped instead of posting twice.
 */
/**
 * Gap between two posts to one channel. Slack allows about one message per second per channel;
 * exactly 1000 ms leaves no room for the few milliseconds between booking a slot and Slack
 * receiving the post, and a 429 costs a whole second (measured in bench/poller).
 */
export const DEFAULT_PACE_MS = 1100;

/** The Slack message-metadata event type every announcement (card or reply) carries. */
export const ANNOUNCEMENT_EVENT_TYPE = 'ftops_job_status_changed';

/**
 * The metadata of a message announcing `t`: which change of which job it is, so other apps
 * (and audits of duplicates) can tell announcements apart without parsing their text.
 */
export function announcementMetadata(t: { jobId: string; seq: number; from: string; to: string }) {
  // Data for programs, never rendered: the API's status words as they are, but bounded, so
  // a 40 KB status cannot make Slack refuse the message.
  const word = (s: string) => stripControl(s).slice(0, 64);
  return {
    event_type: ANNOUNCEMENT_EVENT_TYPE,
    event_payload: { job_id: t.jobId, seq: t.seq, from: word(t.from), to: word(t.to) },
  };
}

export class NotifyWorker {
  readonly worker: Worker<NotifyData>;
  private readonly cards: CardStore;
  private readonly pacer: ChannelPacer;
  private readonly render: AnnouncementRenderer;
  private readonly log: Pick<Logger, 'info' | 'warn' | 'error'> | undefined;

  constructor(private readonly deps: NotifyWorkerDeps) {
    this.cards = createCardStore(deps.redis, deps.keys);
    this.pacer = createChannelPacer(deps.redis, deps.keys, deps.paceMs ?? DEFAULT_PACE_MS);
    this.render = deps.render ?? plainRenderer;
    this.log = deps.logger;
    this.worker = new Worker<NotifyData>(NOTIFY_QUEUE, (job, token) => this.process(job, token), {
      connection: deps.connection,
      prefix: deps.keys.bullPrefix,
      concurrency: deps.concurrency ?? DEFAULT_NOTIFY_CONCURRENCY,
      maxStalledCount: MAX_STALLS,
      ...(deps.stall?.lockDurationMs ? { lockDuration: deps.stall.lockDurationMs } : {}),
      ...(deps.stall?.stalledIntervalMs ? { stalledInterval: deps.stall.stalledIntervalMs } : {}),
    });
    // Connection trouble is reported here; BullMQ reconnects by itself.
    this.worker.on('error', (err) => this.log?.error({ err }, 'notify worker error'));
  }

  /** Handles one notification; exported through the worker, public for direct tests. */
  async process(job: Job<NotifyData>, token: string | undefined): Promise<string> {
    const { transition: t, channel } = job.data;
    const lockToken = randomUUID();
    const lockMs = this.deps.stall?.cardLockMs ?? CARD_LOCK_MS;
    if (!(await this.cards.lock(t.jobId, channel, lockToken, lockMs))) {
      return this.delay(job, token, BUSY_RETRY_MS);
    }
    try {
      return await this.announce(job, token);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      return await this.fail(job, token, err);
    } finally {
      await this.cards.unlock(t.jobId, channel, lockToken);
    }
  }

  private async announce(job: Job<NotifyData>, token: string | undefined): Promise<string> {
    const { transition: t, channel } = job.data;
    const a: Announcement = { ...t, channel, summary: summarize(t) };
    const metadata = announcementMetadata(t);
    const card = await this.cards.get(t.jobId, channel);
    if (!card) {
      await this.pace(job, token);
      const ts = await this.post(channel, this.render.card(a), { metadata });
      await persist(() => this.cards.recordPosted(t.jobId, channel, ts, t.seq));
      if (a.summary.terminal) this.finished(t.jobId, channel, ts);
      return 'card posted';
    }
    let did = 'nothing to do';
    if (t.seq > card.seq) {
      const body = this.render.card(a);
      await this.deps.slack.apiCall('chat.update', { channel, ts: card.ts, ...body, metadata });
      await persist(() => this.cards.recordUpdated(t.jobId, channel, t.seq));
      did = 'card updated';
    }
    if (!card.announced.has(t.seq)) {
      await this.pace(job, token);
      const reply = this.render.reply(a);
      const ts = await this.post(channel, reply, {
        metadata,
        thread_ts: card.ts,
        // A finished job is news for the whole channel, not only the thread's readers.
        ...(a.summary.terminal ? { reply_broadcast: true } : {}),
      });
      await persist(() => this.cards.recordAnnounced(t.jobId, channel, t.seq, ts));
      did = did === 'card updated' ? 'card updated, reply posted' : 'reply posted';
      if (a.summary.terminal) this.finished(t.jobId, channel, card.ts);
    }
    return did;
  }

  /** Tells `afterFinished` of an announced end, without waiting and without failing the post. */
  private finished(jobId: string, channel: string, cardTs: string): void {
    this.deps
      .afterFinished?.(jobId, channel, cardTs)
      .catch((err: unknown) =>
        this.log?.warn({ jobId, channel, err }, 'could not post the final chart'),
      );
  }

  private async post(channel: string, body: MessageBody, extra: Record<string, unknown> = {}) {
    const res = (await this.deps.slack.apiCall('chat.postMessage', {
      channel,
      unfurl_links: false,
      unfurl_media: false,
      ...body,
      ...extra,
    })) as { ts?: string };
    if (!res.ts) throw new Error('chat.postMessage answered without a ts');
    return res.ts;
  }

  /** Waits for the channel's next slot without holding the worker: the job is delayed. */
  private async pace(job: Job<NotifyData>, token: string | undefined): Promise<void> {
    const wait = await this.pacer.take(job.data.channel);
    if (wait > 0) await this.delay(job, token, wait);
  }

  private async delay(job: Job<NotifyData>, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }

  private async fail(
    job: Job<NotifyData>,
    token: string | undefined,
    err: unknown,
  ): Promise<never> {
    const { transition: t, channel } = job.data;
    const f = classifySlackError(err);
    const ctx = { jobId: t.jobId, seq: t.seq, channel };
    switch (f.kind) {
      case 'rate-limited':
        // The message that got 429 was not posted; nothing else on this channel goes out
        // before Retry-After, and this one goes again after it without spending an attempt.
        await this.pacer.hold(channel, f.retryAfterMs);
        this.log?.warn({ ...ctx, retryAfterMs: f.retryAfterMs }, 'Slack rate limit; waiting');
        return this.delay(job, token, f.retryAfterMs);
      case 'channel-gone': {
        const removed = await this.deps.subscriptions.removeChannel(channel);
        this.log?.warn(
          { ...ctx, error: f.error, removed },
          'channel gone; its subscriptions removed',
        );
        throw new UnrecoverableError(`Slack channel ${channel}: ${f.error}`);
      }
      case 'not-in-channel':
        this.log?.warn(
          { ...ctx, error: f.error },
          'ftops is not in the channel; announcement dropped',
        );
        throw new UnrecoverableError(`Slack channel ${channel}: ${f.error}`);
      case 'message-gone':
        // Somebody deleted the card: forget it, and the retry posts a fresh one.
        await this.cards.forget(t.jobId, channel);
        throw new Error(`card of ${t.jobId} in ${channel} is gone (${f.error})`);
      case 'retryable':
        throw err instanceof Error ? err : new Error(f.error);
      default:
        this.log?.error({ ...ctx, error: f.error }, 'announcement failed for good');
        throw new UnrecoverableError(`Slack said ${f.error}`);
    }
  }

  /** Stops taking notifications and waits for the ones in progress. */
  async close(): Promise<void> {
    await this.worker.close();
  }
}

/**
 * Writes a record after Slack confirmed a post, trying a few times: if it never lands, the
 * retry would post again, so a brief Redis hiccup must not lose it.
 */
async function persist(write: () => Promise<void>, tries = 5): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 100 * i));
    }
  }
}

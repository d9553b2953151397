import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';
import { loadScript, runScript } from './scripts.ts';

/**
 * Where each job's live card sits in each channel (channel + message ts), and which
 * transitions it already shows or has a thread reply for. The notify worker writes each step
 * right after Slack confirms it, so a retried or restarted notification skips what was done
 * and updates continue from any worker.
 */

/** A posted card: its message, the newest transition it shows, the transitions announced. */
export interface Card {
  channel: string;
  ts: string;
  /** The transition the card's content reflects. */
  seq: number;
  /** Transitions already announced in this channel (the card itself or a thread reply). */
  announced: Set<number>;
}

/** Card records are dropped a while after their last change; a job that quiet is long done. */
export const CARD_TTL_SECONDS = 30 * 24 * 3600;

const RAISE_SEQ = loadScript('card-raise-seq');

const RELEASE = loadScript('card-lock-release');

/** The card store used by the notify worker. */
export interface CardStore {
  get(jobId: string, channel: string): Promise<Card | null>;
  /** Records a freshly posted card showing transition `seq`. */
  recordPosted(jobId: string, channel: string, ts: string, seq: number): Promise<void>;
  /** Records that the card now shows transition `seq` (ignored when it shows a newer one). */
  recordUpdated(jobId: string, channel: string, seq: number): Promise<void>;
  /** Records the thread reply that announced transition `seq`. */
  recordAnnounced(jobId: string, channel: string, seq: number, ts: string): Promise<void>;
  /** Forgets a card whose message is gone, so the next change posts a fresh one. */
  forget(jobId: string, channel: string): Promise<void>;
  /** Takes the per-card lock; false when another worker holds it. */
  lock(jobId: string, channel: string, token: string, ttlMs: number): Promise<boolean>;
  unlock(jobId: string, channel: string, token: string): Promise<void>;
}

/** Builds the card store over a Redis client and a key builder. */
export function createCardStore(redis: Redis, keys: Keys): CardStore {
  return {
    async get(jobId, channel) {
      const h = await redis.hgetall(keys.card(jobId, channel));
      if (!h.ts) return null;
      const announced = new Set<number>();
      for (const f of Object.keys(h)) if (f.startsWith('a.')) announced.add(Number(f.slice(2)));
      return { channel: h.channel ?? channel, ts: h.ts, seq: Number(h.seq ?? 0), announced };
    },

    async recordPosted(jobId, channel, ts, seq) {
      const key = keys.card(jobId, channel);
      await redis
        .multi()
        .hset(key, 'channel', channel, 'ts', ts, 'seq', seq, `a.${seq}`, ts)
        .expire(key, CARD_TTL_SECONDS)
        .exec();
    },

    async recordUpdated(jobId, channel, seq) {
      const key = keys.card(jobId, channel);
      await runScript(redis, RAISE_SEQ, [key], [String(seq)]);
      await redis.expire(key, CARD_TTL_SECONDS);
    },

    async recordAnnounced(jobId, channel, seq, ts) {
      const key = keys.card(jobId, channel);
      await redis.multi().hset(key, `a.${seq}`, ts).expire(key, CARD_TTL_SECONDS).exec();
    },

    async forget(jobId, channel) {
      await redis.del(keys.card(jobId, channel));
    },

    async lock(jobId, channel, token, ttlMs) {
      return (await redis.set(keys.cardLock(jobId, channel), token, 'PX', ttlMs, 'NX')) === 'OK';
    },

    async unlock(jobId, channel, token) {
      await runScript(redis, RELEASE, [keys.cardLock(jobId, channel)], [token]);
    },
  };
}

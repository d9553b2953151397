import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

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

// KEYS: card hash. ARGV: seq. Raises the card's shown seq, never lowers it.
const RAISE_SEQ = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'seq', ARGV[1]) return 1 end
return 0`;

// KEYS: lock. ARGV: token. Deletes the lock only when we still hold it.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

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
      await redis.eval(RAISE_SEQ, 1, key, String(seq));
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
      await redis.eval(RELEASE, 1, keys.cardLock(jobId, channel), token);
    },
  };
}

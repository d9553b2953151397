import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from './keys.ts';
import { guardRedis } from './redis.ts';

/**
 * What approvers agreed to on a job and is still in effect (a pause), so that undoing it (a
 * resume) goes back through the gate for anyone who is not an approver. One small key per job,
 * gone when the effect is undone and expiring on its own: a job does not stay paused for a month.
 */

/** How long a hold is kept when nothing undoes it. */
const HOLD_TTL_SECONDS = 30 * 24 * 3600;

const HoldSchema = z.object({
  /** The action approvers agreed to: `pause` (or `resume`, when resume is gated). */
  action: z.enum(['pause', 'resume']),
  /** Who approved it (or the approver who ran it on their own authority). */
  by: z.string(),
  /** The request it came from; absent for an approver's own action. */
  requestId: z.string().optional(),
  /** When it was carried out, ms since the epoch. */
  at: z.number(),
});
export type Hold = z.infer<typeof HoldSchema>;

export class ApprovedHolds {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #ttl: number;

  constructor(opts: { redis: Redis; keys: Keys; ttlSeconds?: number }) {
    this.#redis = opts.redis;
    this.#keys = opts.keys;
    this.#ttl = opts.ttlSeconds ?? HOLD_TTL_SECONDS;
  }

  async set(jobId: string, hold: Hold): Promise<void> {
    const value = JSON.stringify(HoldSchema.parse(hold));
    await guardRedis(() => this.#redis.set(this.#keys.approvedHold(jobId), value, 'EX', this.#ttl));
  }

  /** The hold on a job, or null; a value that does not parse counts as a hold by nobody known. */
  async get(jobId: string): Promise<Hold | null> {
    const raw = await guardRedis(() => this.#redis.get(this.#keys.approvedHold(jobId)));
    if (raw === null) return null;
    try {
      return HoldSchema.parse(JSON.parse(raw));
    } catch {
      // Failing closed: a damaged record still holds, so the undo asks an approver.
      return { action: 'pause', by: 'unknown', at: 0 };
    }
  }

  async clear(jobId: string): Promise<void> {
    await guardRedis(() => this.#redis.del(this.#keys.approvedHold(jobId)));
  }
}

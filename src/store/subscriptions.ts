import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';
import { loadScript, runScript } from './scripts.ts';

/**
 * Which channels watch which jobs, kept in Redis so watches survive restarts. Four structures
 * stay in step: per channel (what it watches, for `/ft watching`), per job (who watches it,
 * for announcements), the channels that watch every job, and the set of explicitly watched
 * job IDs (what the poller must read). Every change to them is one MULTI or one Lua script.
 */

/** What a channel watches: one job, or every job (`'all'`). */
export type WatchTarget = string;
export const WATCH_ALL = 'all';

/** Options of a watch: `only` limits announcements to these statuses. */
export interface WatchOptions {
  only?: string[];
}

/** One watch of a channel, as `/ft watching` lists it. */
export interface Subscription {
  target: WatchTarget;
  only?: string[];
}

/** One channel that should hear about a job, with the statuses it wants (none = all). */
export interface Watcher {
  channel: string;
  only?: string[];
}

/** The subscription store the poller and the `/ft watch` verbs share. */
export interface Subscriptions {
  watch(channel: string, target: WatchTarget, opts?: WatchOptions): Promise<void>;
  unwatch(channel: string, target: WatchTarget): Promise<boolean>;
  list(channel: string): Promise<Subscription[]>;
  watchersOf(jobId: string): Promise<Watcher[]>;
  watchedJobIds(): Promise<string[]>;
  /**
   * The explicitly watched job IDs a page at a time (SSCAN), unsorted and possibly with a
   * repeat, so a sweep of 100,000 watches never holds one reply of them all.
   */
  scanWatchedJobIds(pageSize?: number): AsyncIterable<string[]>;
  hasWatchAll(): Promise<boolean>;
  /** Drops every watch of a channel, e.g. after Slack says it is archived or gone. */
  removeChannel(channel: string): Promise<number>;
}

const UNWATCH_JOB = loadScript('unwatch-job');

/** How many members one SSCAN step asks for. */
const SCAN_PAGE = 1_000;

function encode(opts: WatchOptions | undefined): string {
  const only = opts?.only?.filter((s) => s.length > 0);
  return JSON.stringify(only && only.length > 0 ? { only: [...new Set(only)] } : {});
}

function decode(raw: string): WatchOptions {
  try {
    const v = JSON.parse(raw) as { only?: unknown };
    if (Array.isArray(v.only) && v.only.every((s) => typeof s === 'string'))
      return { only: v.only };
  } catch {
    // A record we cannot read is treated as "no filter": announcing too much beats silence.
  }
  return {};
}

/** Merges two filters of the same channel: a status either allows is allowed. */
function mergeOnly(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a || !b) return undefined;
  return [...new Set([...a, ...b])];
}

/** Builds the subscription store over a Redis client and a key builder. */
export function createSubscriptions(redis: Redis, keys: Keys): Subscriptions {
  return {
    async watch(channel, target, opts) {
      const value = encode(opts);
      const tx = redis.multi().hset(keys.subscriptions(channel), target, value);
      if (target === WATCH_ALL) tx.hset(keys.watchAllChannels(), channel, value);
      else tx.hset(keys.jobWatchers(target), channel, value).sadd(keys.watchedJobs(), target);
      await tx.exec();
    },

    async unwatch(channel, target) {
      if (target === WATCH_ALL) {
        const res = await redis
          .multi()
          .hdel(keys.subscriptions(channel), target)
          .hdel(keys.watchAllChannels(), channel)
          .exec();
        return Number(res?.[0]?.[1] ?? 0) > 0;
      }
      const removed = await runScript(
        redis,
        UNWATCH_JOB,
        [keys.subscriptions(channel), keys.jobWatchers(target), keys.watchedJobs()],
        [target, channel],
      );
      return Number(removed) > 0;
    },

    async list(channel) {
      const all = await redis.hgetall(keys.subscriptions(channel));
      return Object.entries(all)
        .map(([target, raw]) => ({ target, ...decode(raw) }))
        .sort((a, b) =>
          a.target === WATCH_ALL
            ? -1
            : b.target === WATCH_ALL
              ? 1
              : a.target.localeCompare(b.target),
        );
    },

    async watchersOf(jobId) {
      const [explicit, everything] = await Promise.all([
        redis.hgetall(keys.jobWatchers(jobId)),
        redis.hgetall(keys.watchAllChannels()),
      ]);
      const byChannel = new Map<string, Watcher>();
      for (const source of [explicit, everything]) {
        for (const [channel, raw] of Object.entries(source)) {
          const { only } = decode(raw);
          const seen = byChannel.get(channel);
          byChannel.set(
            channel,
            seen ? { channel, only: mergeOnly(seen.only, only) } : { channel, only },
          );
        }
      }
      return [...byChannel.values()].map((w) => (w.only ? w : { channel: w.channel }));
    },

    async watchedJobIds() {
      return (await redis.smembers(keys.watchedJobs())).sort();
    },

    async *scanWatchedJobIds(pageSize = SCAN_PAGE) {
      let cursor = '0';
      do {
        const [next, ids] = await redis.sscan(keys.watchedJobs(), cursor, 'COUNT', pageSize);
        cursor = next;
        if (ids.length > 0) yield ids;
      } while (cursor !== '0');
    },

    async hasWatchAll() {
      return (await redis.hlen(keys.watchAllChannels())) > 0;
    },

    async removeChannel(channel) {
      const targets = await redis.hkeys(keys.subscriptions(channel));
      for (const target of targets) await this.unwatch(channel, target);
      await redis.del(keys.subscriptions(channel));
      return targets.length;
    },
  };
}

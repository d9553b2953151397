import type { Redis } from 'ioredis';
import { isFinal } from '../api/schemas.ts';
import type { Keys } from './keys.ts';
import { loadScript, runScript } from './scripts.ts';

/**
 * The last known status of every job the poller reads, and the transitions it has detected
 * but not yet handed on. A change is recorded by one Lua script that compares the status,
 * writes the new one, bumps the job's transition counter and appends the transition to an
 * outbox, all at once: two workers that see the same change record it once, and a crash
 * after the script loses nothing because the outbox is drained again by the next sweep.
 */

/** Who did something to a job through ftops, and when (ms since epoch). */
export interface Actor {
  userId: string;
  action: 'pause' | 'resume' | 'cancel' | (string & {});
  at: number;
}

/** Who a status change is attributed to: a person through ftops, someone outside, or unknown. */
export type Attribution = Actor | 'outside' | null;

/** What Redis knows of one job. */
export interface JobState {
  status: string;
  /** Transitions recorded so far; 0 right after the first sighting. */
  seq: number;
  /** When the current status was first seen (ms). */
  changedAt: number;
  /** The job's `created_at` (Unix s), 0 when the API did not say. */
  createdAt: number;
  by: Attribution;
}

/** A detected change, as it waits in the outbox and travels in notify jobs. */
export interface Transition<Snapshot = Record<string, unknown>> {
  jobId: string;
  seq: number;
  from: string;
  to: string;
  /** When the change was detected (ms). */
  at: number;
  by: Attribution;
  /** The job as read when the change was seen (a compact copy for the card). */
  job: Snapshot;
}

/** How long an actor record is believed; a pause announced days later is not "by" anyone. */
export const ACTOR_TTL_SECONDS = 24 * 3600;

/**
 * How long a finished job is remembered: its watches are dropped after
 * `FINISHED_RETENTION_DAYS`, and its status a few days later, so Redis holds only what can
 * still change or was said recently. Seen again after that, a finished job is recorded
 * silently (a first sight announces nothing).
 */
export const FINISHED_RETENTION_DAYS = 30;
const FINISHED_STATUS_TTL_SECONDS = (FINISHED_RETENTION_DAYS + 5) * 24 * 3600;

const FIRST_SIGHTS = loadScript('status-first-sights');

const GET_MANY = loadScript('status-get-many');

const COMPARE_AND_SET = loadScript('status-compare-and-set');

function encodeBy(by: Attribution): string {
  return by === null ? '' : by === 'outside' ? 'outside' : JSON.stringify(by);
}

function decodeBy(raw: string | null | undefined): Attribution {
  if (!raw) return null;
  if (raw === 'outside') return 'outside';
  try {
    const v = JSON.parse(raw) as Partial<Actor>;
    if (typeof v.userId === 'string' && typeof v.action === 'string' && typeof v.at === 'number') {
      return { userId: v.userId, action: v.action, at: v.at };
    }
  } catch {
    // Unreadable attribution: unknown.
  }
  return null;
}

/** The outbox field of a transition: job IDs never contain `.`, so it splits back uniquely. */
function outboxField(jobId: string, seq: number): string {
  return `${jobId}.${seq}`;
}

/** A job seen for the first time, as recorded (silently: a first sight announces nothing). */
export interface FirstSight {
  jobId: string;
  status: string;
  createdAt: number;
  now: number;
  by?: Attribution;
}

/** Last known statuses, compare-and-set transitions and the transition outbox. */
export interface JobStatusStore {
  getMany(jobIds: string[]): Promise<Map<string, JobState>>;
  /** Records a job seen for the first time; false when it was known already. */
  recordFirstSight(s: FirstSight): Promise<boolean>;
  /** Records several first sights in one atomic step; for each, whether it was recorded. */
  recordFirstSights(sights: readonly FirstSight[]): Promise<boolean[]>;
  /** Moves `expected` → `next` atomically and queues the transition; its seq, or 0 if lost. */
  compareAndSet(t: {
    jobId: string;
    expected: string;
    next: string;
    now: number;
    by: Attribution;
    job: Record<string, unknown>;
  }): Promise<number>;
  /** Transitions recorded but not yet acknowledged, oldest seq first per job. */
  pendingTransitions(): Promise<Transition[]>;
  ackTransition(jobId: string, seq: number): Promise<void>;
  /** Known unfinished jobs with their `created_at`. */
  trackedJobs(): Promise<Array<{ jobId: string; createdAt: number }>>;
  /** The IDs of known unfinished jobs a page at a time (ZSCAN), possibly with a repeat. */
  scanTrackedJobIds(pageSize?: number): AsyncIterable<string[]>;
  /** Forgets a job's status and tracking, once nothing more will be said about it. */
  forget(jobId: string): Promise<void>;
}

const GET_MANY_BATCH = 1_000;

/** Builds the job status store over a Redis client and a key builder. */
export function createJobStatusStore(redis: Redis, keys: Keys): JobStatusStore {
  const recordFirstSights = async (sights: readonly FirstSight[]): Promise<boolean[]> => {
    if (sights.length === 0) return [];
    const args = [String(FINISHED_STATUS_TTL_SECONDS)];
    for (const s of sights)
      args.push(
        s.jobId,
        s.status,
        String(s.now),
        String(s.createdAt),
        encodeBy(s.by ?? null),
        isFinal(s.status) ? '1' : '0',
      );
    const done = (await runScript(
      redis,
      FIRST_SIGHTS,
      [keys.trackedJobs(), ...sights.map((s) => keys.lastStatus(s.jobId))],
      args,
    )) as number[];
    return done.map((d) => Number(d) === 1);
  };
  return {
    async getMany(jobIds) {
      const out = new Map<string, JobState>();
      // One script call per thousand: a pipeline of HMGETs costs a command object, a promise
      // and a reply array per job, which at 100,000 jobs is most of a sweep's memory.
      for (let from = 0; from < jobIds.length; from += GET_MANY_BATCH) {
        const batch = jobIds.slice(from, from + GET_MANY_BATCH);
        const flat = (await runScript(
          redis,
          GET_MANY,
          batch.map((id) => keys.lastStatus(id)),
          [],
        )) as string[];
        batch.forEach((id, i) => {
          const status = flat[i * 5];
          if (!status) return;
          out.set(id, {
            status,
            seq: Number(flat[i * 5 + 1] || 0),
            changedAt: Number(flat[i * 5 + 2] || 0),
            createdAt: Number(flat[i * 5 + 3] || 0),
            by: decodeBy(flat[i * 5 + 4]),
          });
        });
      }
      return out;
    },

    recordFirstSights,

    async recordFirstSight(sight) {
      const [recorded] = await recordFirstSights([sight]);
      return recorded === true;
    },

    async compareAndSet({ jobId, expected, next, now, by, job }) {
      const payload = JSON.stringify({ jobId, from: expected, to: next, at: now, by, job });
      const seq = await runScript(
        redis,
        COMPARE_AND_SET,
        [keys.lastStatus(jobId), keys.trackedJobs(), keys.transitionOutbox()],
        [
          jobId,
          expected,
          next,
          String(now),
          encodeBy(by),
          isFinal(next) ? '1' : '0',
          payload,
          String(FINISHED_STATUS_TTL_SECONDS),
        ],
      );
      return Number(seq);
    },

    async pendingTransitions() {
      const all = await redis.hgetall(keys.transitionOutbox());
      const out: Transition[] = [];
      for (const [field, raw] of Object.entries(all)) {
        const dot = field.lastIndexOf('.');
        const seq = Number(field.slice(dot + 1));
        try {
          const t = JSON.parse(raw) as Omit<Transition, 'seq'>;
          out.push({ ...t, seq, by: t.by ?? null });
        } catch {
          // An entry we cannot read would block nothing but itself; drop it so it cannot loop.
          await redis.hdel(keys.transitionOutbox(), field);
        }
      }
      return out.sort((a, b) => a.jobId.localeCompare(b.jobId) || a.seq - b.seq);
    },

    async ackTransition(jobId, seq) {
      await redis.hdel(keys.transitionOutbox(), outboxField(jobId, seq));
    },

    async trackedJobs() {
      const flat = await redis.zrange(keys.trackedJobs(), 0, -1, 'WITHSCORES');
      const out: Array<{ jobId: string; createdAt: number }> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        out.push({ jobId: flat[i]!, createdAt: Number(flat[i + 1]) });
      }
      return out;
    },

    async *scanTrackedJobIds(pageSize = GET_MANY_BATCH) {
      let cursor = '0';
      do {
        const [next, flat] = await redis.zscan(keys.trackedJobs(), cursor, 'COUNT', pageSize);
        cursor = next;
        const ids: string[] = [];
        for (let i = 0; i < flat.length; i += 2) ids.push(flat[i]!);
        if (ids.length > 0) yield ids;
      } while (cursor !== '0');
    },

    async forget(jobId) {
      await redis.multi().del(keys.lastStatus(jobId)).zrem(keys.trackedJobs(), jobId).exec();
    },
  };
}

/**
 * Notes who paused, resumed or cancelled a job through ftops, so the announcement of the
 * change can name them; the approval and command paths call it right after the API call.
 */
export async function recordActor(
  redis: Redis,
  keys: Keys,
  jobId: string,
  actor: Actor,
): Promise<void> {
  await redis.set(keys.actor(jobId), JSON.stringify(actor), 'EX', ACTOR_TTL_SECONDS);
}

/** The last actor recorded for a job, if still fresh. */
export async function readActor(redis: Redis, keys: Keys, jobId: string): Promise<Actor | null> {
  const by = decodeBy(await redis.get(keys.actor(jobId)));
  return by && by !== 'outside' ? by : null;
}

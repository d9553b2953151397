// What is tried: the run's sizes and limits, the plan of status changes spread over before,
// during and after the outage, and the records kept of each change and command.
import { RedisUnavailableError } from '../../../src/store/redis.ts';
import { pick, shuffle } from '../../lib/campaign.ts';
import { type Answer, TRAINING, type World } from '../../lib/world.ts';

export const UNAVAILABLE = new RedisUnavailableError().message;
/** What must never reach a user: a stack trace, `[object Object]`, a raw connection error. */
export const LEAK = /\n\s+at |\\n\s+at |\[object Object\]|ECONNREFUSED|ECONNRESET/;
/** What must never reach a log line: a stack trace or `[object Object]`. */
export const LOG_LEAK = /\n\s+at |\\n\s+at |"stack"|\[object Object\]|Unhandled error event/;
/** Slack's limit for acknowledging a request. */
export const ACK_LIMIT_MS = 3000;
export const RECOVERY_LIMIT_MS = 10_000;

export type Phase = 'before' | 'stopping' | 'down' | 'starting' | 'back';

export interface Sizes {
  jobs: number;
  channels: number;
  outageMs: number;
  /** Gap between two status commands of the steady stream. */
  gapMs: number;
  /** How long the stream runs before the outage, and after Redis is back. */
  beforeMs: number;
  afterMs: number;
}

export const SHORT: Sizes = {
  jobs: 8,
  channels: 2,
  outageMs: 3000,
  gapMs: 150,
  beforeMs: 1000,
  afterMs: 4000,
};
export const FULL: Sizes = {
  jobs: 40,
  channels: 4,
  outageMs: 8000,
  gapMs: 50,
  beforeMs: 3000,
  afterMs: 12_000,
};

/** One status change made in the emulator, and where it must be announced. */
export interface Change {
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
export interface Sent {
  jobId: string;
  responseUrl: string;
  sentAt: number;
  phaseAtSend: Phase;
  phaseAtAck?: Phase;
  ack?: Answer;
  ackAt?: number;
  failed?: string;
}

export type Verdict = 'normal' | 'unavailable' | 'other' | 'silent';

export const phases = ['before', 'during', 'after'] as const;

/**
 * Jobs, and a plan of status changes: one change for some, a pause and a later resume for
 * others, spread over before, during and after the outage.
 */
export function planChanges(w: World, random: () => number, size: Sizes, channels: string[]) {
  const jobs = Array.from({ length: size.jobs }, (_, i) =>
    w.ft.addJob({ status: 'running', user_provided_suffix: `restart-${i}` }),
  );
  const watcherOf = new Map(jobs.map((j) => [j.id, channels[pick(random, channels.length)]]));
  const changes: Change[] = [];
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
  return { jobs, watcherOf, changes, during, afterDelay };
}

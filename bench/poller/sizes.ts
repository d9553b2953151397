import { DEFAULT_PACE_MS } from '../../src/poller/notify-worker.ts';

/** The size of a poller world: jobs, where the watched ones sit, channels, transitions. */
export interface Scale {
  jobs: number;
  /** Watched jobs among the newest `recentWindow`, and older ones spread over the rest. */
  watchedRecent: number;
  recentWindow: number;
  watchedOld: number;
  channels: number;
  transitions: number;
  /** Target for one sweep's wall time. */
  maxSweepMs: number;
}

/** The bench's world: how many jobs, where the watched ones sit, how many channels. */
export const JOBS = 5_000;
export const WATCHED_RECENT = 490;
export const RECENT_WINDOW = 1_000;
export const WATCHED_OLD = 10;
export const CHANNELS = 50;
export const PAGE_SIZE = 100; // the API's largest page
export const TRANSITIONS = 100;
/** The product's pacing (1.1 s: Slack's 1 message/s plus headroom for network jitter). */
export const PACE_MS = DEFAULT_PACE_MS;
/** Slack's limit exactly, no headroom: the comparison that explains the default. */
export const PACE_MS_EXPERIMENT = 1_000;
export const RSS_SUBSCRIPTIONS = 10_000;
export const RSS_SUBSCRIPTIONS_LARGE = 100_000;
export const RSS_CHANNELS = 100;
export const JOB_SPACING_S = 60;

/** The targets. */
export const MAX_REQUEST_RATIO = 1.05;
export const MAX_SWEEP_MS = 1_000;
export const MAX_DELIVERY_RATIO = 1.1;
export const MAX_RSS_BYTES = 150e6;
export const MAX_RSS_BYTES_LARGE = 200e6;
/** A restarted worker's first sweep, against the fewest requests possible. */
export const MAX_RESTART_RATIO = 1.05;

/** The scale: 5,000 jobs, 500 watched from 50 channels, 100 transitions. */
export const BASE_SCALE: Scale = {
  jobs: JOBS,
  watchedRecent: WATCHED_RECENT,
  recentWindow: RECENT_WINDOW,
  watchedOld: WATCHED_OLD,
  channels: CHANNELS,
  transitions: TRANSITIONS,
  maxSweepMs: MAX_SWEEP_MS,
};

/** Ten times the load (issue 20): 50,000 jobs, 5,000 watched from 500 channels, 1,000 transitions. */
export const TENFOLD_SCALE: Scale = {
  jobs: 50_000,
  watchedRecent: 4_900,
  recentWindow: 10_000,
  watchedOld: 100,
  channels: 500,
  transitions: 1_000,
  maxSweepMs: 2_000,
};

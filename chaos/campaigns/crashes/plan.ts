/** The path every job walks: five changes, no `from → to` pair repeated. */
export const PATH = ['running', 'pausing', 'paused', 'resuming', 'running', 'succeeded'] as const;
export const STEPS = PATH.length - 1;

export interface Size {
  jobs: number;
  channels: number;
  kills: number;
  /** Kills that wait for a post from the victim and land between it and its record. */
  postKills: number;
  /** How long to wait, after the last change, for every announcement and retry to settle. */
  drainMs: number;
}

export const FULL: Size = { jobs: 200, channels: 20, kills: 50, postKills: 20, drainMs: 150_000 };
export const SHORT: Size = { jobs: 12, channels: 4, kills: 3, postKills: 2, drainMs: 80_000 };

/** How long a kill waits for the next announcement post before killing at a random moment. */
export const POST_WAIT_MS = 10_000;
/**
 * How soon a killed worker's announcement goes to the other worker (BullMQ lock duration and
 * stalled-job check). Production keeps BullMQ's 30 s; waiting that long after each of 50 kills
 * would only stretch the run, not test anything more.
 */
export const STALL_MS = 3_000;

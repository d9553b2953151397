/** The emulator's notion of time: milliseconds that move only when `advance` is called. */
export interface VirtualClock {
  now(): number;
  advance(ms: number): void;
}

/**
 * A virtual clock starting at `startMs`; `onAdvance` runs after every move so the job
 * lifecycle catches up with the new time.
 */
export function createVirtualClock(
  startMs: number,
  onAdvance: (now: number) => void,
): VirtualClock {
  let current = startMs;
  return {
    now: () => current,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms}`);
      current += ms;
      onAdvance(current);
    },
  };
}

import type { EventEmitter } from 'node:events';

/**
 * Wakes BullMQ workers when Redis changes under them (a cluster failover, a standalone Redis
 * reconnected), by writing each queue's marker as BullMQ's own `addJob` does
 * (`ZADD <marker> 0 "0"`).
 *
 * Why: a worker waits for work in `BZPOPMIN <marker>`. When the primary it was blocked on dies,
 * BullMQ's `waitForJob` catches the error and answers "nothing before Infinity", so the worker's
 * next `BZPOPMIN` blocks for BullMQ's 10 s ceiling, whatever `drainDelay` says; and the marker
 * that should wake it (the next scheduled sweep's, written before the failover) was popped on the
 * dead primary or lost with it. The sweep due meanwhile waits out the 10 s, and with it every
 * announcement. A marker written once the new primary serves the slot wakes a worker blocked
 * there, or is popped by its next `BZPOPMIN` at once; a worker woken for nothing finds no job
 * and blocks again, so a spare marker costs one round trip.
 */
export interface WakeOptions {
  /** Connections whose topology events say Redis changed: `+node` (cluster), `ready`. */
  sources: readonly EventEmitter[];
  /** Writes the markers (each queue's `ZADD marker 0 "0"`); failures are ignored. */
  wake: () => Promise<unknown>;
  /**
   * When to write, after the latest event: more than once, since the event may come before
   * the new primary serves every client, or a first marker may be popped by a command lost in
   * the failover. Default 200 ms, 1 s, 3 s.
   */
  delaysMs?: readonly number[];
}

/** Starts listening; the returned function stops listening and cancels pending wakes. */
export function wakeOnTopologyChange(opts: WakeOptions): () => void {
  const delays = opts.delaysMs ?? [200, 1000, 3000];
  let timers: NodeJS.Timeout[] = [];
  const schedule = () => {
    for (const t of timers) clearTimeout(t);
    timers = delays.map((ms) => {
      const t = setTimeout(() => {
        opts.wake().catch(() => undefined);
      }, ms);
      t.unref();
      return t;
    });
  };
  const unsubscribe: Array<() => void> = [];
  for (const source of opts.sources) {
    // `ready` the first time is the start-up, not a change.
    let readySeen = false;
    const onReady = () => {
      if (readySeen) schedule();
      readySeen = true;
    };
    const onNode = () => schedule();
    source.on('ready', onReady);
    source.on('+node', onNode);
    unsubscribe.push(() => {
      source.off('ready', onReady);
      source.off('+node', onNode);
    });
  }
  return () => {
    for (const t of timers) clearTimeout(t);
    timers = [];
    for (const u of unsubscribe) u();
  };
}

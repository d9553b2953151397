import type { FineTuningClient } from '../../src/api/types.ts';
import type { FineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import type { Sweeper, SweepReport } from '../../src/poller/sweeper.ts';
import { median } from '../stats.ts';
import { PAGE_SIZE } from './sizes.ts';
import type { PollerWorld } from './world.ts';

interface TimedSweep {
  report: SweepReport;
  ms: number;
  requests: number;
}

export interface SweepFigures {
  /** The first sweep sees every job for the first time and knows no created_at yet. */
  first: TimedSweep;
  /** Median wall time of three steady sweeps. */
  sweepMs: number;
  sweepRequests: number;
  steadyReport: SweepReport;
  /** Baseline: every watched job read on its own, one after another as the sweeper reads. */
  singleMs: number;
  singleRequests: number;
  fewest: { requests: number; pages: number; singles: number };
}

/** Requests and wall time of a first sweep, three steady ones and the single-read baseline. */
export async function measureSweeps(
  ft: FineTuningEmulator,
  client: FineTuningClient,
  sweeper: Sweeper,
  world: PollerWorld,
): Promise<SweepFigures> {
  const timedSweep = async (): Promise<TimedSweep> => {
    const before = ft.requests.length;
    const t0 = performance.now();
    const report = await sweeper.sweep();
    return { report, ms: performance.now() - t0, requests: ft.requests.length - before };
  };
  const first = await timedSweep();
  const steady = [await timedSweep(), await timedSweep(), await timedSweep()];

  const singleBefore = ft.requests.length;
  const s0 = performance.now();
  for (const p of world.watched) await client.getJob(world.ids[p]!);
  const singleMs = performance.now() - s0;
  return {
    first,
    sweepMs: median(steady.map((s) => s.ms)),
    sweepRequests: steady[0]!.requests,
    steadyReport: steady[0]!.report,
    singleMs,
    singleRequests: ft.requests.length - singleBefore,
    fewest: fewestRequests(world.watched, world.scale.jobs),
  };
}

/** The cheapest k pages + single reads of the watched jobs beyond them, knowing every position. */
export function fewestRequests(
  positions: number[],
  jobs: number,
): {
  requests: number;
  pages: number;
  singles: number;
} {
  let best = { requests: positions.length, pages: 0, singles: positions.length };
  const maxPages = Math.ceil(jobs / PAGE_SIZE);
  for (let k = 1; k <= maxPages; k++) {
    const singles = positions.filter((p) => p >= k * PAGE_SIZE).length;
    if (k + singles < best.requests) best = { requests: k + singles, pages: k, singles };
  }
  return best;
}

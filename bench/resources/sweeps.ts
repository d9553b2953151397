import { type BenchChild, forkBench } from '../child.ts';
import { median } from '../stats.ts';
import type { SweepLine, WorkerCommand, WorkerReply } from './worker-target.ts';
import { HANGING, type HangingServer, type Resource } from './world.ts';

/** Steady rounds per world, alternating between the two workers. */
export const SWEEP_ROUNDS = 15;
const ROUND_TIMEOUT_MS = 60_000;

/** One resource's sweep in one round: what the worker logged and what its emulator counted. */
export interface ResourceSweep {
  ms: number;
  requests: number;
  pages: number;
  singleReads: number;
}

/** What one worker's sweeps measured. */
export interface WorldSweeps {
  /** The first sweep of each healthy resource (no created_at known yet). */
  first: Map<string, ResourceSweep>;
  /** Each steady round: every healthy resource's sweep. */
  rounds: Array<Map<string, ResourceSweep>>;
  /** Each steady round's wall time: the sweep jobs queued to the last healthy sweep done. */
  roundMs: number[];
  /** Sweeps of the hanging resource the worker skipped because its previous one still ran. */
  hangingSkipped: number;
  hangingDone: number;
  /** Each round, one resource (the first) swept alone in the baseline worker: the reference. */
  aloneMs: number[];
}

/** Per-resource median over the rounds, and the round-level medians over resources. */
export function summarise(w: WorldSweeps, names: readonly string[]) {
  const perResource = new Map(
    names.map((n) => {
      const rs = w.rounds.map((r) => r.get(n)!);
      return [
        n,
        {
          ms: median(rs.map((s) => s.ms)),
          requests: Math.max(...rs.map((s) => s.requests)),
          pages: Math.max(...rs.map((s) => s.pages)),
          singleReads: Math.max(...rs.map((s) => s.singleReads)),
        },
      ];
    }),
  );
  // A round's figure: the median over the resources of their sweep time in that round.
  const roundMedians = w.rounds.map((r) => median(names.map((n) => r.get(n)!.ms)));
  const roundMax = w.rounds.map((r) => Math.max(...names.map((n) => r.get(n)!.ms)));
  return {
    perResource,
    roundMedians,
    sweepMs: median(roundMedians),
    slowestMs: median(roundMax),
    wallMs: median(w.roundMs),
    firstMs: median(names.map((n) => w.first.get(n)!.ms)),
    aloneMs: median(w.aloneMs),
    firstRequests: names.reduce((s, n) => s + w.first.get(n)!.requests, 0),
    steadyRequests: [...perResource.values()].reduce((s, r) => s + r.requests, 0),
  };
}

/**
 * Two real ftops workers over the same 20 resources, each with its own namespace holding the
 * same watches: one configured with the 20 (the baseline), the other with the hanging
 * resource too. Their first sweeps, then `SWEEP_ROUNDS` rounds each, alternating.
 */
export async function measureSweeps(
  resources: readonly Resource[],
  envs: { baseline: Record<string, string>; hanging: Record<string, string> },
  hangingServer: HangingServer,
): Promise<{ baseline: WorldSweeps; hanging: WorldSweeps }> {
  const names = resources.map((r) => r.name);
  const counts = () => new Map(resources.map((r) => [r.name, r.ft.requests.length]));
  const since = (before: Map<string, number>) =>
    new Map(resources.map((r) => [r.name, r.ft.requests.length - before.get(r.name)!]));
  const sweepsOf = (lines: SweepLine[], requests: Map<string, number>) =>
    new Map(
      names.map((n) => {
        const l = lines.find((x) => x.resource === n && !x.skipped);
        return [
          n,
          {
            ms: (l?.seconds ?? Number.NaN) * 1000,
            requests: requests.get(n) ?? 0,
            pages: l?.pages ?? 0,
            singleReads: l?.singleReads ?? 0,
          },
        ];
      }),
    );

  const children: Array<BenchChild<WorkerReply>> = [];
  try {
    const start = async (env: Record<string, string>, withHanging: boolean) => {
      const before = counts();
      const child = forkBench<WorkerReply>('resources/worker-target.ts', {
        BENCH_ENV: JSON.stringify(env),
      });
      children.push(child);
      await child.next();
      child.send({
        cmd: 'wait',
        resources: names,
        timeoutMs: ROUND_TIMEOUT_MS,
      } satisfies WorkerCommand);
      const { sweeps = [] } = await child.next();
      const world: WorldSweeps = {
        first: sweepsOf(sweeps, since(before)),
        rounds: [],
        roundMs: [],
        hangingSkipped: 0,
        hangingDone: 0,
        aloneMs: [],
      };
      return { child, world, all: withHanging ? [...names, HANGING] : names };
    };
    // One at a time, so each emulator's count is one worker's.
    const baseline = await start(envs.baseline, false);
    const hanging = await start(envs.hanging, true);
    const round = async (w: typeof baseline, queued: string[]) => {
      w.child.send({
        cmd: 'round',
        resources: queued,
        expect: queued.filter((n) => n !== HANGING),
        timeoutMs: ROUND_TIMEOUT_MS,
      } satisfies WorkerCommand);
      return w.child.next();
    };
    // A warm-up round each, not counted: the first steady sweeps still run cold code.
    for (const w of [baseline, hanging]) await round(w, w.all);
    for (let i = 0; i < SWEEP_ROUNDS; i++) {
      // Alternating which goes first, so neither always follows the other's work.
      for (const w of i % 2 === 0 ? [baseline, hanging] : [hanging, baseline]) {
        const before = counts();
        const { sweeps = [], wallMs = Number.NaN } = await round(w, w.all);
        w.world.rounds.push(sweepsOf(sweeps, since(before)));
        w.world.roundMs.push(wallMs);
        w.world.hangingSkipped += sweeps.filter((l) => l.resource === HANGING && l.skipped).length;
        w.world.hangingDone += sweeps.filter((l) => l.resource === HANGING && !l.skipped).length;
      }
      const alone = await round(baseline, [names[0]!]);
      baseline.world.aloneMs.push((alone.sweeps?.[0]?.seconds ?? Number.NaN) * 1000);
    }
    return { baseline: baseline.world, hanging: hanging.world };
  } finally {
    // Its callers' waits end at once, so the hanging worker stops without waiting them out.
    await hangingServer.close();
    // A child that died (a start-up error) has no channel left to be told on.
    for (const c of children)
      if (c.process.connected) c.send({ cmd: 'stop' } satisfies WorkerCommand);
    await Promise.all(children.map((c) => c.exited(20_000)));
  }
}

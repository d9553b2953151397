import { MAX_REQUEST_RATIO } from '../poller/sizes.ts';
import { fewestRequests } from '../poller/sweep.ts';
import type { BenchResult, Target } from '../report.ts';
import { median, ms, percentile, ratio } from '../stats.ts';
import { ACK_CONCURRENCY, ACK_REQUESTS, ACK_ROUNDS, type AckFigures, ackSummary } from './ack.ts';
import { SWEEP_ROUNDS, summarise, type WorldSweeps } from './sweeps.ts';
import { HANGING, JOBS_PER_RESOURCE, RESOURCES, type Resource } from './world.ts';

/** What the bench measured, to be laid out. */
export interface ResourcesFigures {
  resources: readonly Resource[];
  sweeps: { baseline: WorldSweeps; hanging: WorldSweeps };
  acks: { baseline: AckFigures; hanging: AckFigures };
  hangingRequests: { sweep: number; ack: number };
  ack: { pollIntervalS: number; watched: number };
}

/** How much of the baseline a difference may be and still count as ~0 ms on a shared machine. */
const NOISE_SHARE = 0.1;
const PAIRED_GOAL = `adds ~0 ms (paired rounds: median difference ≤ ${NOISE_SHARE * 100} % of the baseline, ≥ a quarter no slower)`;
const signed = (value: number) => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`;
const perRound = (values: readonly number[]) => values.map((v) => v.toFixed(0)).join(' / ');

/**
 * "Adds ~0 ms" on a shared machine: the rounds are paired (the two worlds take turns). Met
 * when the median difference of the pairs is within a tenth of the baseline and there is no
 * consistent shift: at least a quarter of the pairs are no slower (0 at or above the lower
 * quartile), where a real delay would make nearly all of them slower.
 */
function paired(base: readonly number[], other: readonly number[]) {
  const diffs = base.map((b, i) => other[i]! - b);
  const q1 = percentile(diffs, 0.25);
  const q3 = percentile(diffs, 0.75);
  return {
    median: median(diffs),
    q1,
    q3,
    met: q1 <= 0 && median(diffs) <= NOISE_SHARE * median(base),
    text: `${signed(median(diffs))} median of ${diffs.length} paired rounds (middle half ${signed(q1)} … ${signed(q3)})`,
  };
}

/** The tables, targets and notes of the resources bench. */
export function resourcesResult(f: ResourcesFigures): BenchResult {
  const names = f.resources.map((r) => r.name);
  const base = summarise(f.sweeps.baseline, names);
  const hung = summarise(f.sweeps.hanging, names);
  const fewest = new Map(f.resources.map((r) => [r.name, fewestRequests(r.watched, r.ids.length)]));
  const fewestAll = [...fewest.values()].reduce((s, x) => s + x.requests, 0);
  const worst = (s: typeof base) =>
    names
      .map((n) => ({ n, got: s.perResource.get(n)!.requests, best: fewest.get(n)!.requests }))
      .sort((a, b) => b.got / b.best - a.got / a.best)[0]!;
  const worstBase = worst(base);
  const worstHung = worst(hung);
  const watched = f.resources[0]!.watched.length;

  const addedSweep = paired(base.roundMedians, hung.roundMedians);
  const ackBase = ackSummary(f.acks.baseline);
  const ackHung = ackSummary(f.acks.hanging);
  const addedAck = paired(ackBase.p99s, ackHung.p99s);

  const requestTarget = (label: string, s: typeof base, w: ReturnType<typeof worst>): Target => ({
    name: label,
    goal: `≤ ${MAX_REQUEST_RATIO}× fewest possible, each resource`,
    measured: `worst ${w.n}: ${w.got} vs ${w.best} = ${ratio(w.got / w.best)}; all ${RESOURCES}: ${s.steadyRequests} vs ${fewestAll}`,
    met: w.got <= MAX_REQUEST_RATIO * w.best,
  });

  return {
    name: 'resources',
    title: 'Several resources (issue 17)',
    tables: [
      {
        title: `Each resource's steady sweep: ${RESOURCES} resources × ${JOBS_PER_RESOURCE.toLocaleString('en')} jobs, ${watched} running and watched on each, one worker sweeping them together, median of ${SWEEP_ROUNDS} rounds`,
        head: [
          'resource',
          'API requests',
          'made of',
          'fewest possible',
          '÷ fewest',
          'sweep time',
          `sweep time with \`${HANGING}\` hanging`,
          'difference',
        ],
        rows: names.map((n) => {
          const b = base.perResource.get(n)!;
          const h = hung.perResource.get(n)!;
          const best = fewest.get(n)!;
          return [
            n,
            h.requests === b.requests ? String(b.requests) : `${b.requests} (${h.requests} with)`,
            `${b.pages} pages + ${b.singleReads} single`,
            `${best.requests} (${best.pages} + ${best.singles})`,
            ratio(Math.max(b.requests, h.requests) / best.requests),
            ms(b.ms),
            ms(h.ms),
            signed(h.ms - b.ms),
          ];
        }),
      },
      {
        title: `One resource hanging (\`${HANGING}\`: accepts connections, never answers; ${watched} jobs watched on it): the ${RESOURCES} others next to the same world without it, same run`,
        head: [
          'measure',
          `without \`${HANGING}\` (baseline)`,
          `with \`${HANGING}\` hanging`,
          'difference',
          'per round, baseline | with (ms)',
        ],
        rows: [
          [
            `sweep time per resource (median over the ${RESOURCES}, median of ${SWEEP_ROUNDS} rounds)`,
            ms(base.sweepMs),
            ms(hung.sweepMs),
            signed(hung.sweepMs - base.sweepMs),
            `${perRound(base.roundMedians)} | ${perRound(hung.roundMedians)}`,
          ],
          [
            'slowest resource’s sweep (median of rounds)',
            ms(base.slowestMs),
            ms(hung.slowestMs),
            signed(hung.slowestMs - base.slowestMs),
            '',
          ],
          [
            `a round: ${RESOURCES} sweep jobs queued → the last healthy one done`,
            ms(base.wallMs),
            ms(hung.wallMs),
            signed(hung.wallMs - base.wallMs),
            '',
          ],
          [
            `API requests of a round, the ${RESOURCES} healthy resources`,
            `${base.steadyRequests} (fewest ${fewestAll})`,
            `${hung.steadyRequests} (fewest ${fewestAll})`,
            String(hung.steadyRequests - base.steadyRequests),
            '',
          ],
          [
            'first sweeps at start (no created_at known yet): median time, requests of all',
            `${ms(base.firstMs)}, ${base.firstRequests} requests`,
            `${ms(hung.firstMs)}, ${hung.firstRequests} requests`,
            signed(hung.firstMs - base.firstMs),
            '',
          ],
          [
            `reference: ${names[0]} swept alone in the baseline worker`,
            ms(base.aloneMs),
            '',
            '',
            perRound(f.sweeps.baseline.aloneMs),
          ],
        ],
      },
      {
        title: `Ack latency with one resource hanging: ${ACK_REQUESTS} signed /ft help + /ft status ${names[0]}:… per round, concurrency ${ACK_CONCURRENCY}, FT_ROLE=all (each process swept every resource at start; \`${HANGING}\`'s sweep still waiting), median of ${ACK_ROUNDS} rounds`,
        head: [
          'app',
          'p50',
          'p99',
          'p99 ÷ baseline p99',
          'p99 per round (ms)',
          'max',
          'req/s',
          'non-200',
        ],
        rows: [
          [`ftops, ${RESOURCES} resources (baseline)`, ackBase],
          [`ftops, ${RESOURCES} resources + \`${HANGING}\` hanging`, ackHung],
        ].map(([label, s]) => {
          const a = s as typeof ackBase;
          return [
            label as string,
            ms(a.p50),
            ms(a.p99),
            ratio(a.p99 / ackBase.p99),
            a.p99s.map((v) => v.toFixed(1)).join(' / '),
            ms(a.max),
            a.rps.toFixed(0),
            String(a.failed),
          ];
        }),
      },
    ],
    targets: [
      requestTarget('requests per sweep, each resource', base, worstBase),
      requestTarget(`the same with \`${HANGING}\` hanging`, hung, worstHung),
      {
        name: 'one resource hanging: the others’ sweep time',
        goal: PAIRED_GOAL,
        measured: `${ms(hung.sweepMs)} vs ${ms(base.sweepMs)}: ${addedSweep.text}`,
        met: addedSweep.met,
      },
      {
        name: 'one resource hanging: ack p99 on a healthy resource',
        goal: PAIRED_GOAL,
        measured: `${ms(ackHung.p99)} vs ${ms(ackBase.p99)}: ${addedAck.text}`,
        met: addedAck.met && ackHung.failed === 0,
      },
    ],
    notes: [
      `Each resource is its own fine-tuning emulator in the bench process with ${JOBS_PER_RESOURCE.toLocaleString('en')} jobs one minute apart; its ${watched} watched jobs sit as in the poller bench (490 among the newest 1,000, 10 older), each resource its own draw. "Fewest possible" is the poller bench's: the best k pages of 100 plus a single read for each watched job beyond them, every position known in advance. Requests are counted by each emulator; a resource's figure is the largest of its rounds.`,
      `Sweeps run in a real ftops worker (\`startFtops\`, FT_ROLE=worker, the resources from an FT_CONFIG file) in its own process: each round puts one sweep job per resource in the sweep queue, as the schedulers do, and the PollWorker runs them, one slot per resource; times are the worker's own "sweep done" figures. The two workers (with and without \`${HANGING}\`) have their own namespaces holding the same ${(RESOURCES * watched).toLocaleString('en')} watches, and the ${watched} on \`${HANGING}\` in both (the baseline's sweepers pass over them as no resource of theirs), so the one difference is the hanging resource itself; they take turns, one round each, the order alternating, after a warm-up round each that is not counted. "Adds ~0 ms" is judged on the paired rounds, since these shared machines move a round by hundreds of ms: met when the median difference of the pairs is within ${NOISE_SHARE * 100} % of the baseline and at least a quarter of the pairs are no slower with \`${HANGING}\` (a consistent delay would make nearly all of them slower); the ack target alike, on each round's p99.`,
      `Sweep time per resource: the worker runs the ${RESOURCES} sweeps at once on one event loop (a slot each), so each takes about as long as the round, ${ms(base.sweepMs)}, where ${names[0]} swept alone takes ${ms(base.aloneMs)}: the round costs ${ms(base.wallMs / RESOURCES)} a resource${hung.slowestMs < 1000 && base.slowestMs < 1000 ? ", and every resource is still read within the poller bench's 1 s for one sweep of 500 watched among 5,000" : "; the slowest resource's sweep is past the poller bench's 1 s for one sweep of 500 watched among 5,000"}.`,
      `\`${HANGING}\` is a TCP server that accepts, reads and never answers, so its sweep waits on the API timeout (30 s a try, the default). In the hanging worker its first sweep held its slot the whole time: ${f.sweeps.hanging.hangingSkipped} later sweeps of it were skipped as still running, ${f.sweeps.hanging.hangingDone} finished; it was sent ${f.hangingRequests.sweep} request(s).`,
      `Ack: two ftops processes (\`ack-target.ts\`, FT_CONFIG with the ${RESOURCES} resources, one also with \`${HANGING}\`), FT_ROLE=all so that the hung sweep shares the process with the acks; ${f.ack.watched} jobs watched on each resource (and on \`${HANGING}\`), every resource swept once at start (interval ${f.ack.pollIntervalS} s, so the idle process's sweeps take no CPU from the measured one), and measuring starts once those sweeps are done, \`${HANGING}\`'s still waiting on its tries. The load generator is bench/load.ts, as in the ack bench; rounds alternate between the two. ${f.acks.baseline.answered} and ${f.acks.hanging.answered} of ${ACK_ROUNDS * ACK_REQUESTS} commands were answered through response_url; \`${HANGING}\` was sent ${f.hangingRequests.ack} request(s).`,
    ],
  };
}

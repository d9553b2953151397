/**
 * The shape of the ack bench (ack.ts): its workloads, apps, loads and rounds, and the tables
 * and targets built from the rounds it ran.
 */

import type { Workload } from './ack-setup.ts';
import type { BenchChild } from './child.ts';
import type { Target as BenchTarget, Table } from './report.ts';
import { median, ms, percentile, ratio } from './stats.ts';

/** BENCH_SMOKE=1 runs a tenth of the load once: to see the bench work, not to read figures. */
const SMOKE = process.env.BENCH_SMOKE === '1';
const SCALE = SMOKE ? 0.1 : 1;
export const REQUESTS: Record<number, number> = { 1: 200 * SCALE, 20: 1000 * SCALE };
export const CONCURRENCIES = [1, 20] as const;
export const WARMUP = 100 * SCALE;
export const ROUNDS = SMOKE ? 1 : 3;
export const SLOW_API_MS = 10_000;
export const SLOW_REQUESTS = 1000 * SCALE;

/** The issues' targets. */
const MAX_RATIO_TO_BOLT = 1.2;
const MIN_THROUGHPUT_TO_BOLT = 0.8;
const MAX_P99_SLOW_API_MS = 100;

export const WORKLOADS: readonly Workload[] = ['help', 'status', 'approve'];
const WORKLOAD_LABEL: Record<Workload, string> = {
  help: '/ft help',
  status: '/ft status',
  approve: 'Approve click',
};

export type AppKind = 'bolt' | 'bolt+ingress' | 'ftops' | 'split';
export const APPS: ReadonlyArray<{ kind: AppKind; label: string }> = [
  { kind: 'bolt', label: 'bare Bolt (baseline)' },
  { kind: 'bolt+ingress', label: 'bare Bolt + ftops ingress' },
  { kind: 'ftops', label: 'ftops, answering in the web process' },
  { kind: 'split', label: 'ftops, web acks → worker answers' },
];

export interface Round {
  p50: number;
  p99: number;
  max: number;
  failed: number;
  rps: number;
  /** Ack to answer at the response_url, for the apps that answer. */
  answer: number[];
  unanswered: number;
}

export interface App {
  kind: AppKind;
  label: string;
  child: BenchChild<{ port?: number; stopped?: boolean }>;
  url: string;
  answers: boolean;
}

/** The key of one app, workload and concurrency in the results. */
export const keyOf = (app: AppKind, w: Workload, c: number) => `${app}|${w}|${c}`;

/** The median over rounds of each figure (the worst, or the sum, of max and failures). */
function summary(rounds: readonly Round[]) {
  return {
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    perRound: rounds.map((r) => r.p99.toFixed(1)).join(' / '),
    max: Math.max(...rounds.map((r) => r.max)),
    failed: rounds.reduce((s, r) => s + r.failed, 0),
    rps: median(rounds.map((r) => r.rps)),
    answerP50: median(rounds.map((r) => percentile(r.answer, 0.5))),
    answerP99: median(rounds.map((r) => percentile(r.answer, 0.99))),
    unanswered: rounds.reduce((s, r) => s + r.unanswered, 0),
  };
}

/** The tables and targets of the ack bench, from the rounds each app ran. */
export function ackTables(
  apps: readonly App[],
  results: ReadonlyMap<string, Round[]>,
  slowApps: readonly App[],
  slow: ReadonlyMap<AppKind, Round[]>,
): { tables: Table[]; targets: BenchTarget[] } {
  const tables: Table[] = [];
  const targets: BenchTarget[] = [];
  for (const w of WORKLOADS) {
    for (const c of CONCURRENCIES) {
      const bolt = summary(results.get(keyOf('bolt', w, c)) ?? []);
      tables.push({
        title: `${WORKLOAD_LABEL[w]}, concurrency ${c}: ${REQUESTS[c]} signed requests per app and round, median of ${ROUNDS} rounds`,
        head: [
          'app',
          'ack p50',
          'ack p99',
          'p99 ÷ Bolt',
          'p99 per round (ms)',
          'req/s',
          'req/s ÷ Bolt',
          'ack → answer p50',
          'ack → answer p99',
          'non-200',
        ],
        rows: apps.map((app) => {
          const s = summary(results.get(keyOf(app.kind, w, c)) ?? []);
          return [
            app.label,
            ms(s.p50),
            ms(s.p99),
            ratio(s.p99 / bolt.p99),
            s.perRound,
            s.rps.toFixed(0),
            ratio(s.rps / bolt.rps),
            app.answers ? ms(s.answerP50) : '',
            app.answers
              ? `${ms(s.answerP99)}${s.unanswered ? ` (${s.unanswered} unanswered)` : ''}`
              : '',
            String(s.failed),
          ];
        }),
      });
      const split = summary(results.get(keyOf('split', w, c)) ?? []);
      targets.push({
        name: `${WORKLOAD_LABEL[w]}, c=${c}: ack p99 (web → worker)`,
        goal: `≤ ${MAX_RATIO_TO_BOLT}× bare Bolt`,
        measured: `${ms(split.p99)} vs ${ms(bolt.p99)} = ${ratio(split.p99 / bolt.p99)}`,
        met: split.p99 <= MAX_RATIO_TO_BOLT * bolt.p99 && split.failed === 0,
      });
      targets.push({
        name: `${WORKLOAD_LABEL[w]}, c=${c}: throughput (web → worker)`,
        goal: `≥ ${MIN_THROUGHPUT_TO_BOLT}× bare Bolt`,
        measured: `${split.rps.toFixed(0)} vs ${bolt.rps.toFixed(0)} req/s = ${ratio(split.rps / bolt.rps)}`,
        met: split.rps >= MIN_THROUGHPUT_TO_BOLT * bolt.rps,
      });
    }
  }
  const boltSlow = summary(slow.get('bolt') ?? []);
  tables.push({
    title: `Fine-tuning API answering in ${SLOW_API_MS / 1000} s: ${SLOW_REQUESTS} /ft help + /ft status, concurrency 20, acks only`,
    head: ['app', 'ack p50', 'ack p99', 'p99 ÷ Bolt', 'p99 per round (ms)', 'req/s', 'non-200'],
    rows: slowApps.map((app) => {
      const s = summary(slow.get(app.kind) ?? []);
      return [
        app.label,
        ms(s.p50),
        ms(s.p99),
        ratio(s.p99 / boltSlow.p99),
        s.perRound,
        s.rps.toFixed(0),
        String(s.failed),
      ];
    }),
  });
  for (const kind of ['ftops', 'split'] as const) {
    const s = summary(slow.get(kind) ?? []);
    targets.push({
      name: `ack p99 while the API takes 10 s (${kind === 'split' ? 'web → worker' : 'in the web process'})`,
      goal: `< ${MAX_P99_SLOW_API_MS} ms`,
      measured: `${ms(s.p99)} (bare Bolt ${ms(boltSlow.p99)})`,
      met: s.p99 < MAX_P99_SLOW_API_MS && s.failed === 0,
    });
  }

  return { tables, targets };
}

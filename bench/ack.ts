/**
 * Ack latency (issue "The Slack bot"): how long Slack waits for the HTTP answer to a signed
 * `/ft` command, ftops next to a bare Bolt app measured in the same run, first with a healthy
 * fine-tuning API and then with one that takes 10 s per answer.
 *
 * Three processes keep the figures honest on a small machine: this one (the emulators, which
 * stand in for Slack and Azure), the app under test (`ack-target.ts`) and the load generator
 * (`load.ts`). Every request has its own trigger_id and response_url, hence its own signature,
 * so the replay guard lets each one through exactly once.
 */
import { startFineTuningEmulator } from '../src/emulators/fine-tuning/index.ts';
import { startSlackEmulator } from '../src/emulators/slack/index.ts';
import { newTriggerId, signRequest, slashCommandBody } from '../src/emulators/slack-signing.ts';
import type { AckTargetKind } from './ack-target.ts';
import { type BenchChild, forkBench } from './child.ts';
import type { LoadCommand, LoadResult, SignedRequest } from './load.ts';
import { openNamespace, REDIS_URL } from './namespace.ts';
import type { BenchResult, Table } from './report.ts';
import { median, ms, percentile, ratio } from './stats.ts';

const SIGNING_SECRET = 'bench-signing-secret-0123456789';
const CHANNEL = 'C0TRAINING';
const USER = 'U0REQUEST';
const REQUESTS = 1000;
const WARMUP = 100;
const CONCURRENCY = 20;
const ROUNDS = 3;
const SLOW_API_MS = 10_000;

/** The targets. */
const MAX_RATIO_TO_BOLT = 1.2;
const MAX_P99_SLOW_API_MS = 100;

interface Round {
  p50: number;
  p99: number;
  max: number;
  failed: number;
  wallMs: number;
}

interface Target {
  kind: AckTargetKind;
  label: string;
  child: BenchChild<{ port?: number; stopped?: boolean }>;
  url: string;
}

/** Runs the ack bench and returns its tables and targets. */
export async function benchAck(): Promise<BenchResult> {
  const [ft, slack] = await Promise.all([startFineTuningEmulator(), startSlackEmulator()]);
  ft.setFaults({ retryAfterMs: 0 });
  const jobs = Array.from({ length: 20 }, () => ft.addJob({ status: 'running' }).id);
  const ns = openNamespace();
  const env = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    AZURE_OPENAI_ENDPOINT: ft.url,
    AZURE_OPENAI_API_KEY: 'test-key',
    REDIS_URL,
    FT_REDIS_NAMESPACE: ns.namespace,
    FT_APPROVER_IDS: 'U0APPROVE,S0APPROVERS',
    FT_POLL_INTERVAL_SECONDS: '3600',
    FT_ROLE: 'web',
    LOG_LEVEL: 'silent',
  };

  const targets: Target[] = [];
  const load = forkBench<LoadResult>('load.ts');
  try {
    for (const [kind, label] of [
      ['bolt', 'bare Bolt (baseline)'],
      ['bolt+ingress', 'bare Bolt + ftops ingress'],
      ['ftops', 'ftops'],
    ] as const) {
      // BENCH_CPU_PROF=<dir> profiles ftops under this load (a .cpuprofile per process).
      const prof = process.env.BENCH_CPU_PROF;
      const child = forkBench<{ port?: number }>(
        'ack-target.ts',
        { ACK_TARGET: kind, BENCH_ENV: JSON.stringify(env) },
        prof && kind === 'ftops' ? ['--cpu-prof', '--cpu-prof-dir', prof] : [],
      );
      const { port } = await child.next();
      targets.push({ kind, label, child, url: `http://127.0.0.1:${port}` });
    }

    // Unique bodies: a fresh response_url and trigger_id each, mixed help and status.
    let serial = 0;
    const requests = (n: number): SignedRequest[] =>
      Array.from({ length: n }, () => {
        const i = serial++;
        const text = i % 2 === 0 ? 'help' : `status ${jobs[i % jobs.length]}`;
        const body = slashCommandBody({
          text,
          user_id: USER,
          channel_id: CHANNEL,
          response_url: slack.responseUrl(CHANNEL, USER),
          trigger_id: newTriggerId(),
        });
        return { body, headers: { ...signRequest(SIGNING_SECRET, body) } };
      });

    const fire = async (t: Target, n: number): Promise<Round> => {
      const cmd: LoadCommand = {
        cmd: 'run',
        url: t.url,
        path: '/slack/events',
        concurrency: CONCURRENCY,
        requests: requests(n),
      };
      load.send(cmd);
      const r = await load.next();
      const ok = r.statuses['200'] ?? 0;
      return {
        p50: percentile(r.latencies, 0.5),
        p99: percentile(r.latencies, 0.99),
        max: Math.max(...r.latencies),
        failed: r.latencies.length - ok,
        wallMs: r.wallMs,
      };
    };

    // Waits until `n` more response_url answers arrived (ftops answers every command there).
    const answered = async (before: number, n: number, timeoutMs: number) => {
      const t0 = performance.now();
      while (slack.responses.length < before + n && performance.now() - t0 < timeoutMs)
        await new Promise((r) => setTimeout(r, 10));
      return { count: slack.responses.length - before, ms: performance.now() - t0 };
    };

    for (const t of targets) await fire(t, WARMUP);
    await answered(0, WARMUP, 10_000);

    const healthy = new Map<AckTargetKind, Round[]>();
    const answersAfter: number[] = [];
    let answeredHealthy = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const before = slack.responses.length;
        const r = await fire(t, REQUESTS);
        healthy.set(t.kind, [...(healthy.get(t.kind) ?? []), r]);
        if (t.kind === 'ftops') {
          // Let this round's background work finish before the next round is timed.
          const a = await answered(before, REQUESTS, 30_000);
          answeredHealthy += a.count;
          answersAfter.push(a.ms);
        }
      }
    }

    ft.setFaults({ retryAfterMs: 0, latencyMs: SLOW_API_MS });
    const slow = new Map<AckTargetKind, Round[]>();
    const slowStart = slack.responses.length;
    const slowTargets = targets.filter((t) => t.kind !== 'bolt+ingress');
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of slowTargets) {
        const r = await fire(t, REQUESTS);
        slow.set(t.kind, [...(slow.get(t.kind) ?? []), r]);
      }
    }
    const slowAnswered = slack.responses.length - slowStart;

    // Abandon the status answers still waiting on the slow API: closing the emulator destroys
    // its hanging sockets, so each waiting handler fails fast and answers with an error.
    await ft.close();
    for (const t of targets) t.child.send({ cmd: 'stop' });
    await Promise.all(targets.map((t) => t.child.exited()));

    const summary = (rounds: Round[]) => ({
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      max: Math.max(...rounds.map((r) => r.max)),
      failed: rounds.reduce((s, r) => s + r.failed, 0),
      perRound: rounds.map((r) => r.p99.toFixed(1)).join(' / '),
      rps: median(rounds.map((r) => (REQUESTS / r.wallMs) * 1000)),
    });
    const bolt = summary(healthy.get('bolt') ?? []);
    const table = (title: string, data: Map<AckTargetKind, Round[]>): Table => ({
      title,
      head: [
        'app',
        'p50',
        'p99',
        'p99 ÷ Bolt p99',
        'p99 per round (ms)',
        'max',
        'req/s',
        'non-200',
      ],
      rows: targets
        .filter((t) => data.has(t.kind))
        .map((t) => {
          const s = summary(data.get(t.kind) ?? []);
          const base = summary(data.get('bolt') ?? []);
          return [
            t.label,
            ms(s.p50),
            ms(s.p99),
            ratio(s.p99 / base.p99),
            s.perRound,
            ms(s.max),
            s.rps.toFixed(0),
            String(s.failed),
          ];
        }),
    });
    const ftopsHealthy = summary(healthy.get('ftops') ?? []);
    const ftopsSlow = summary(slow.get('ftops') ?? []);
    const boltSlow = summary(slow.get('bolt') ?? []);

    return {
      name: 'ack',
      title: 'Ack latency of /ft (issue "The Slack bot")',
      tables: [
        table(
          `Healthy API: ${REQUESTS} signed /ft help + /ft status per app, concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds`,
          healthy,
        ),
        table(
          `Fine-tuning API answering in ${SLOW_API_MS / 1000} s: same load, ftops next to bare Bolt`,
          slow,
        ),
      ],
      targets: [
        {
          name: 'ack p99 vs bare Bolt',
          goal: `≤ ${MAX_RATIO_TO_BOLT}× bare Bolt's p99`,
          measured: `${ms(ftopsHealthy.p99)} vs ${ms(bolt.p99)} = ${ratio(ftopsHealthy.p99 / bolt.p99)}`,
          met: ftopsHealthy.p99 <= MAX_RATIO_TO_BOLT * bolt.p99 && ftopsHealthy.failed === 0,
        },
        {
          name: 'ack p99 while the API takes 10 s',
          goal: `< ${MAX_P99_SLOW_API_MS} ms`,
          measured: `${ms(ftopsSlow.p99)} (bare Bolt ${ms(boltSlow.p99)})`,
          met: ftopsSlow.p99 < MAX_P99_SLOW_API_MS && ftopsSlow.failed === 0,
        },
      ],
      notes: [
        `Healthy API: ftops answered ${answeredHealthy} of ${ROUNDS * REQUESTS} commands through response_url; the last answer of a round came ${ms(median(answersAfter))} (median) after its last ack.`,
        `Slow API: ${slowAnswered} of ${ROUNDS * REQUESTS} answers arrived while measuring (the help half needs no API call); the status answers still waiting were abandoned by closing the emulator, which fails them fast.`,
        'ftops runs with FT_ROLE=web and a silent pino logger; "bare Bolt + ftops ingress" is bare Bolt behind ftops\'s own front door (strict signature check + Redis SET NX replay claim), to show which part of the gap is the door and which the handlers.',
      ],
    };
  } finally {
    for (const t of targets) if (t.child.process.exitCode === null) t.child.process.kill();
    load.send({ cmd: 'exit' } satisfies LoadCommand);
    await load.exited(5_000);
    await ft.close().catch(() => undefined);
    await slack.close();
    await ns.cleanup();
  }
}

/**
 * Ack latency (issues "The Slack bot" and 20): how long Slack waits for the HTTP answer to a
 * signed `/ft help`, `/ft status` and an Approve click, at concurrency 1 and 20, next to a
 * bare Bolt app measured in the same run; and how long the answer then takes to reach the
 * response_url. ftops runs two ways: answering in the process that acks (FT_ANSWER_IN=web)
 * and as a split deployment (a web process that acks and hands the work to a worker
 * process, FT_ANSWER_IN=worker). Last, the same with a fine-tuning API that takes 10 s.
 *
 * The processes: this one (the emulators, which stand in for Slack and Azure), each app under
 * test (`ack-target.ts`), the worker of the split deployment, and the load generator
 * (`load.ts`). Every request has its own trigger_id and response_url, hence its own
 * signature, so the replay guard lets each one through exactly once.
 */
import { startFineTuningEmulator } from '../src/emulators/fine-tuning/index.ts';
import { startSlackEmulator } from '../src/emulators/slack/index.ts';
import { buttonsOf } from '../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  newTriggerId,
  signRequest,
  slashCommandBody,
} from '../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST } from '../src/views/action-ids.ts';
import type { AckTargetKind } from './ack-target.ts';
import { type BenchChild, forkBench } from './child.ts';
import type { LoadCommand, LoadResult, SignedRequest } from './load.ts';
import { openNamespace, REDIS_URL } from './namespace.ts';
import type { BenchResult, Target as BenchTarget, Table } from './report.ts';
import { median, ms, percentile, ratio } from './stats.ts';

const SIGNING_SECRET = 'bench-signing-secret-0123456789';
const CHANNEL = 'C0TRAINING';
const USER = 'U0REQUEST';
const APPROVER = 'U0APPROVE';
/** BENCH_SMOKE=1 runs a tenth of the load once: to see the bench work, not to read figures. */
const SMOKE = process.env.BENCH_SMOKE === '1';
const SCALE = SMOKE ? 0.1 : 1;
const REQUESTS: Record<number, number> = { 1: 200 * SCALE, 20: 1000 * SCALE };
const CONCURRENCIES = [1, 20] as const;
const WARMUP = 100 * SCALE;
const ROUNDS = SMOKE ? 1 : 3;
const SLOW_API_MS = 10_000;
const SLOW_REQUESTS = 1000 * SCALE;

/** The issues' targets. */
const MAX_RATIO_TO_BOLT = 1.2;
const MIN_THROUGHPUT_TO_BOLT = 0.8;
const MAX_P99_SLOW_API_MS = 100;

type Workload = 'help' | 'status' | 'approve';
const WORKLOADS: readonly Workload[] = ['help', 'status', 'approve'];
const WORKLOAD_LABEL: Record<Workload, string> = {
  help: '/ft help',
  status: '/ft status',
  approve: 'Approve click',
};

type AppKind = 'bolt' | 'bolt+ingress' | 'ftops' | 'split';
const APPS: ReadonlyArray<{ kind: AppKind; label: string }> = [
  { kind: 'bolt', label: 'bare Bolt (baseline)' },
  { kind: 'bolt+ingress', label: 'bare Bolt + ftops ingress' },
  { kind: 'ftops', label: 'ftops, answering in the web process' },
  { kind: 'split', label: 'ftops, web acks → worker answers' },
];

interface Round {
  p50: number;
  p99: number;
  max: number;
  failed: number;
  rps: number;
  /** Ack to answer at the response_url, for the apps that answer. */
  answer: number[];
  unanswered: number;
}

interface App {
  kind: AppKind;
  label: string;
  child: BenchChild<{ port?: number; stopped?: boolean }>;
  url: string;
  answers: boolean;
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
    // Two approvals needed, so the bench's request stays pending however often it is clicked.
    FT_APPROVER_IDS: `${APPROVER},U0APPROVE2,S0APPROVERS`,
    FT_APPROVALS_REQUIRED: '2',
    FT_POLL_INTERVAL_SECONDS: '3600',
    FT_ROLE: 'web',
    LOG_LEVEL: 'silent',
  };

  const apps: App[] = [];
  const helpers: Array<BenchChild<{ port?: number; stopped?: boolean }>> = [];
  const load = forkBench<LoadResult>('load.ts');
  const spawn = async (kind: AckTargetKind, extra: Record<string, string> = {}) => {
    // BENCH_CPU_PROF=<dir> profiles ftops under this load (a .cpuprofile per process).
    const prof = process.env.BENCH_CPU_PROF;
    const child = forkBench<{ port?: number }>(
      'ack-target.ts',
      { ACK_TARGET: kind, BENCH_ENV: JSON.stringify({ ...env, ...extra }) },
      prof && kind.startsWith('ftops') ? ['--cpu-prof', '--cpu-prof-dir', prof] : [],
    );
    const { port } = await child.next();
    return { child, url: `http://127.0.0.1:${port}` };
  };
  try {
    for (const a of APPS) {
      const handoff: Record<string, string> = a.kind === 'split' ? { FT_ANSWER_IN: 'worker' } : {};
      if (a.kind === 'split') helpers.push((await spawn('ftops-worker', handoff)).child);
      const kind: AckTargetKind = a.kind === 'split' ? 'ftops' : a.kind;
      const { child, url } = await spawn(kind, handoff);
      apps.push({ ...a, child, url, answers: a.kind === 'ftops' || a.kind === 'split' });
    }
    const ftopsApp = apps.find((a) => a.kind === 'ftops') as App;

    // One pending request to click Approve on: asked for, then voted once by the approver;
    // from then on each click is the approver's, answered "already approved, waiting".
    const requestId = await pendingRequest(ftopsApp.url, slack, jobs[0] as string);

    let serial = 0;
    // `mixed` alternates help and status, the load of the slow-API table.
    const requests = (
      load: Workload | 'mixed',
      n: number,
    ): Array<SignedRequest & { responseUrl: string }> =>
      Array.from({ length: n }, (_, k) => {
        const i = serial++;
        const w: Workload = load === 'mixed' ? (k % 2 === 0 ? 'help' : 'status') : load;
        if (w === 'approve') {
          const responseUrl = slack.responseUrl(CHANNEL, APPROVER);
          const body = blockActionsBody(
            blockActionsPayload({
              user: APPROVER,
              channel: CHANNEL,
              actionId: APPROVE_REQUEST,
              value: requestId.id,
              blockId: 'ftops.approval',
              responseUrl,
              message: { ts: requestId.ts },
            }),
          );
          return { body, headers: { ...signRequest(SIGNING_SECRET, body) }, responseUrl };
        }
        const responseUrl = slack.responseUrl(CHANNEL, USER);
        const body = slashCommandBody({
          text: w === 'help' ? 'help' : `status ${jobs[i % jobs.length]}`,
          user_id: USER,
          channel_id: CHANNEL,
          response_url: responseUrl,
          trigger_id: newTriggerId(),
        });
        return { body, headers: { ...signRequest(SIGNING_SECRET, body) }, responseUrl };
      });

    const fire = async (
      app: App,
      w: Workload | 'mixed',
      n: number,
      concurrency: number,
    ): Promise<Round> => {
      const ordered = requests(w, n);
      const cmd: LoadCommand = {
        cmd: 'run',
        url: app.url,
        path: '/slack/events',
        concurrency,
        requests: ordered.map(({ body, headers }) => ({ body, headers })),
      };
      load.send(cmd);
      const r = await load.next();
      const ok = r.statuses['200'] ?? 0;
      const round: Round = {
        p50: percentile(r.latencies, 0.5),
        p99: percentile(r.latencies, 0.99),
        max: Math.max(...r.latencies),
        failed: r.latencies.length - ok,
        rps: (n / r.wallMs) * 1000,
        answer: [],
        unanswered: 0,
      };
      if (app.answers && w !== 'mixed') {
        // Each answer against its own ack: the response_url is unique per request.
        const index = new Map(ordered.map((q, i) => [q.responseUrl, i]));
        const seen = await answersFor(slack, index, 30_000);
        for (const [url, at] of seen) {
          const i = index.get(url) as number;
          round.answer.push(at - (r.doneAt[i] ?? at));
        }
        round.unanswered = n - seen.size;
      }
      return round;
    };

    for (const app of apps) for (const w of WORKLOADS) await fire(app, w, WARMUP, 20);

    const results = new Map<string, Round[]>();
    const keyOf = (app: AppKind, w: Workload, c: number) => `${app}|${w}|${c}`;
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of WORKLOADS) {
        for (const c of CONCURRENCIES) {
          // The apps take turns, the order turning each round, so drift hits all alike.
          const order = round % 2 === 0 ? apps : [...apps].reverse();
          for (const app of order) {
            const k = keyOf(app.kind, w, c);
            results.set(k, [...(results.get(k) ?? []), await fire(app, w, REQUESTS[c] ?? 0, c)]);
          }
        }
      }
    }

    // The slow API: the mixed help/status load of the first bench, acks only.
    ft.setFaults({ retryAfterMs: 0, latencyMs: SLOW_API_MS });
    const slowApps = apps.filter((a) => a.kind !== 'bolt+ingress');
    const slow = new Map<AppKind, Round[]>();
    for (let round = 0; round < ROUNDS; round++)
      for (const app of slowApps)
        slow.set(app.kind, [
          ...(slow.get(app.kind) ?? []),
          await fire(app, 'mixed', SLOW_REQUESTS, 20),
        ]);

    // Abandon the status answers still waiting on the slow API: closing the emulator destroys
    // its hanging sockets, so each waiting handler fails fast and answers with an error.
    await ft.close();
    for (const c of [...apps.map((a) => a.child), ...helpers]) c.send({ cmd: 'stop' });
    await Promise.all([...apps.map((a) => a.child), ...helpers].map((c) => c.exited()));

    const summary = (rounds: readonly Round[]) => ({
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      perRound: rounds.map((r) => r.p99.toFixed(1)).join(' / '),
      max: Math.max(...rounds.map((r) => r.max)),
      failed: rounds.reduce((s, r) => s + r.failed, 0),
      rps: median(rounds.map((r) => r.rps)),
      answerP50: median(rounds.map((r) => percentile(r.answer, 0.5))),
      answerP99: median(rounds.map((r) => percentile(r.answer, 0.99))),
      unanswered: rounds.reduce((s, r) => s + r.unanswered, 0),
    });

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

    return {
      name: 'ack',
      title: 'Ack latency of /ft and of an Approve click (issues "The Slack bot" and 20)',
      tables,
      targets,
      notes: [
        'Ack is the time from the first byte sent to the whole HTTP answer (what Slack waits for); "ack → answer" runs from that moment to the answer reaching the response_url (the Slack emulator, in the bench process), per request.',
        '"ftops, answering in the web process" is FT_ROLE=web with FT_ANSWER_IN=web: the process that acks also reads the API, renders and answers. "web acks → worker answers" is FT_ROLE=web with FT_ANSWER_IN=worker plus a second process, FT_ROLE=worker, that takes the handed-off work from Redis (BullMQ) and answers through the response_url. All processes share this machine’s two cores with the load generator and the emulators.',
        `The Approve click is the approver’s, on one request that needs two approvals and already has theirs: each click loads the request, checks the role (cached user group), finds the vote counted and answers so; nothing is decided.`,
        '"bare Bolt + ftops ingress" is bare Bolt behind ftops’s own front door (strict signature check + Redis SET NX replay claim), to show which part of a gap is the door and which the handlers. Every ftops process logs at level silent.',
      ],
    };
  } finally {
    for (const c of [...apps.map((a) => a.child), ...helpers])
      if (c.process.exitCode === null) c.process.kill();
    load.send({ cmd: 'exit' } satisfies LoadCommand);
    await load.exited(5_000);
    await ft.close().catch(() => undefined);
    await slack.close();
    await ns.cleanup();
  }
}

/** Waits until every response URL in `index` got an answer (or the time is up); url → when. */
async function answersFor(
  slack: Awaited<ReturnType<typeof startSlackEmulator>>,
  index: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let from = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (; from < slack.responses.length; from++) {
      const r = slack.responses[from];
      if (r && index.has(r.url) && !seen.has(r.url)) seen.set(r.url, r.at);
    }
    if (seen.size >= index.size || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Asks to pause `job` through the app and votes once as the approver; the pending request. */
async function pendingRequest(
  url: string,
  slack: Awaited<ReturnType<typeof startSlackEmulator>>,
  job: string,
): Promise<{ id: string; ts: string }> {
  const send = async (body: string) => {
    const res = await fetch(`${url}/slack/events`, {
      method: 'POST',
      body,
      headers: { ...signRequest(SIGNING_SECRET, body) },
    });
    await res.text();
  };
  await send(
    slashCommandBody({
      text: `pause ${job} bench`,
      user_id: USER,
      channel_id: CHANNEL,
      response_url: slack.responseUrl(CHANNEL, USER),
      trigger_id: newTriggerId(),
    }),
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const message = (slack.messages.get(CHANNEL) ?? []).find(
      (m) => !m.ephemeral && m.text.includes(job) && m.blocks,
    );
    const approve = message
      ? buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST)
      : undefined;
    if (message && approve?.value) {
      const responseUrl = slack.responseUrl(CHANNEL, APPROVER);
      await send(
        blockActionsBody(
          blockActionsPayload({
            user: APPROVER,
            channel: CHANNEL,
            actionId: APPROVE_REQUEST,
            value: approve.value,
            blockId: 'ftops.approval',
            responseUrl,
            message: { ts: message.ts },
          }),
        ),
      );
      return { id: approve.value, ts: message.ts };
    }
    if (Date.now() > deadline) throw new Error('the approval request was never posted');
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
import {
  APPROVER,
  answersFor,
  pendingRequest,
  SIGNING_SECRET,
  signedRequests,
  type Workload,
} from './ack-setup.ts';
import {
  APPS,
  type App,
  type AppKind,
  ackTables,
  CONCURRENCIES,
  keyOf,
  REQUESTS,
  ROUNDS,
  type Round,
  SLOW_API_MS,
  SLOW_REQUESTS,
  WARMUP,
  WORKLOADS,
} from './ack-tables.ts';
import type { AckTargetKind } from './ack-target.ts';
import { type BenchChild, forkBench } from './child.ts';
import type { LoadCommand, LoadResult } from './load.ts';
import { openNamespace, REDIS_URL } from './namespace.ts';
import type { BenchResult } from './report.ts';
import { percentile } from './stats.ts';

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

    const requests = signedRequests(slack, requestId, jobs);

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

    const { tables, targets } = ackTables(apps, results, slowApps, slow);

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

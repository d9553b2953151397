import type { SlackEmulator } from '../../src/emulators/slack/index.ts';
import { newTriggerId, signRequest, slashCommandBody } from '../../src/emulators/slack-signing.ts';
import { jobKey } from '../../src/vocabulary/index.ts';
import { type BenchChild, forkBench } from '../child.ts';
import type { LoadCommand, LoadResult, SignedRequest } from '../load.ts';
import { median, percentile } from '../stats.ts';
import { type HangingServer, type Resource, SIGNING_SECRET } from './world.ts';

/** Like the ack bench: a closed loop of 20, mixed help and status, rounds alternating. */
export const ACK_REQUESTS = 1000;
export const ACK_CONCURRENCY = 20;
export const ACK_ROUNDS = 15;
const WARMUP = 100;
const SETTLE_MS = 3_000;
const CHANNEL = 'C0TRAINING';
const USER = 'U0REQUEST';

/** One round of one app. */
export interface AckRound {
  p50: number;
  p99: number;
  max: number;
  failed: number;
  wallMs: number;
}

/** What the ack half measured for one app. */
export interface AckFigures {
  rounds: AckRound[];
  /** response_url answers that arrived for this app's measured commands. */
  answered: number;
}

/**
 * The ack latency of `/ft help` and `/ft status <healthy resource>:<job>` on two ftops
 * processes (`ack-target.ts`, FT_ROLE=all so each also sweeps every resource): one configured
 * with the healthy resources (the baseline), one with the hanging resource too, whose first
 * sweep holds its slot and a connection, try after try of 30 s (the API timeout), all along.
 */
export async function measureAcks(
  slack: SlackEmulator,
  healthy: Resource,
  envs: { baseline: Record<string, string>; hanging: Record<string, string> },
  hangingServer: HangingServer,
): Promise<{ baseline: AckFigures; hanging: AckFigures }> {
  const jobs = healthy.watched.slice(0, 20).map((p) => jobKey(healthy.name, healthy.ids[p]!));
  const load = forkBench<LoadResult>('load.ts');
  const apps: Array<{ child: BenchChild<{ port?: number }>; url: string }> = [];
  try {
    for (const env of [envs.baseline, envs.hanging]) {
      const child = forkBench<{ port?: number }>('ack-target.ts', {
        ACK_TARGET: 'ftops',
        BENCH_ENV: JSON.stringify(env),
      });
      apps.push({ child, url: '' });
      const { port } = await child.next();
      apps[apps.length - 1]!.url = `http://127.0.0.1:${port}`;
    }
    let serial = 0;
    const requests = (n: number): SignedRequest[] =>
      Array.from({ length: n }, () => {
        const i = serial++;
        const body = slashCommandBody({
          text: i % 2 === 0 ? 'help' : `status ${jobs[i % jobs.length]}`,
          user_id: USER,
          channel_id: CHANNEL,
          response_url: slack.responseUrl(CHANNEL, USER),
          trigger_id: newTriggerId(),
        });
        return { body, headers: { ...signRequest(SIGNING_SECRET, body) } };
      });
    const fire = async (url: string, n: number): Promise<AckRound> => {
      load.send({
        cmd: 'run',
        url,
        path: '/slack/events',
        concurrency: ACK_CONCURRENCY,
        requests: requests(n),
      } satisfies LoadCommand);
      const r = await load.next();
      return {
        p50: percentile(r.latencies, 0.5),
        p99: percentile(r.latencies, 0.99),
        max: Math.max(...r.latencies),
        failed: r.latencies.length - (r.statuses['200'] ?? 0),
        wallMs: r.wallMs,
      };
    };
    // Waits until `n` more response_url answers arrived, so no round's work spills into the next.
    const answered = async (before: number, n: number) => {
      const t0 = performance.now();
      while (slack.responses.length < before + n && performance.now() - t0 < 30_000)
        await new Promise((r) => setTimeout(r, 10));
      return slack.responses.length - before;
    };

    // The first sweeps of the healthy resources (one page each) are done well within this.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    for (const app of apps) {
      const before = slack.responses.length;
      await fire(app.url, WARMUP);
      await answered(before, WARMUP);
    }
    const figures = apps.map((): AckFigures => ({ rounds: [], answered: 0 }));
    for (let round = 0; round < ACK_ROUNDS; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const before = slack.responses.length;
        figures[i]!.rounds.push(await fire(apps[i]!.url, ACK_REQUESTS));
        figures[i]!.answered += await answered(before, ACK_REQUESTS);
      }
    }
    return { baseline: figures[0]!, hanging: figures[1]! };
  } finally {
    await hangingServer.close();
    // A child that died (a start-up error) has no channel left to be told on.
    for (const app of apps) if (app.child.process.connected) app.child.send({ cmd: 'stop' });
    await Promise.all(apps.map((a) => a.child.exited(20_000)));
    if (load.process.connected) load.send({ cmd: 'exit' } satisfies LoadCommand);
    await load.exited(5_000);
  }
}

/** Median of the rounds' p50 and p99, and the rounds' p99s. */
export function ackSummary(f: AckFigures) {
  return {
    p50: median(f.rounds.map((r) => r.p50)),
    p99: median(f.rounds.map((r) => r.p99)),
    p99s: f.rounds.map((r) => r.p99),
    max: Math.max(...f.rounds.map((r) => r.max)),
    failed: f.rounds.reduce((s, r) => s + r.failed, 0),
    rps: median(f.rounds.map((r) => (ACK_REQUESTS / r.wallMs) * 1000)),
  };
}

/**
 * Child process: a real ftops worker (`startFtops`, FT_ROLE=worker, resources from FT_CONFIG)
 * whose sweeps the resources bench times, alone on its event loop. BullMQ runs each
 * resource's `every` schedule once at start (the first sweeps); after that the bench asks for
 * rounds: one sweep job per resource put in the sweep queue, as the schedulers put them, run
 * by the real PollWorker (one slot per resource, overlapping sweeps of a resource skipped).
 * What each sweep took is read from the worker's own "sweep done" log line.
 * `BENCH_ENV` holds the environment as JSON.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import { secretsOf, startFtops } from '../../src/bot/compose.ts';
import { loadConfig } from '../../src/bot/config/index.ts';
import { createLogger } from '../../src/bot/logger.ts';
import { SWEEP_QUEUE } from '../../src/poller/poll-scheduler.ts';
import { createKeys } from '../../src/store/keys.ts';
import { fromParent, tellParent } from '../child.ts';

/** One sweep as the worker logged it. */
export interface SweepLine {
  resource: string;
  seconds: number;
  pages: number;
  singleReads: number;
  /** The resource's previous sweep was still running, so this one did nothing. */
  skipped?: boolean;
  failed?: boolean;
}

/** What the parent asks: wait for sweeps already under way, or put a round in the queue. */
export type WorkerCommand =
  | { cmd: 'wait'; resources: string[]; timeoutMs: number }
  | { cmd: 'round'; resources: string[]; expect: string[]; timeoutMs: number }
  | { cmd: 'stop' };

/** What the child answers. */
export interface WorkerReply {
  ready?: boolean;
  sweeps?: SweepLine[];
  wallMs?: number;
  stopped?: boolean;
}

const env = JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>;
const config = loadConfig(env);
const lines: SweepLine[] = [];
let wake: (() => void) | undefined;
const logger = createLogger({
  level: 'info',
  secrets: secretsOf(config),
  destination: {
    write(text: string) {
      for (const raw of text.split('\n')) {
        if (!raw.startsWith('{')) continue;
        const l = JSON.parse(raw) as Partial<SweepLine> & { msg?: string };
        if (typeof l.resource !== 'string') continue;
        const skipped = l.msg?.includes('skipped') ?? false;
        if (!skipped && l.msg !== 'sweep done' && l.msg !== 'sweep failed') continue;
        lines.push({
          resource: l.resource,
          seconds: l.seconds ?? 0,
          pages: l.pages ?? 0,
          singleReads: l.singleReads ?? 0,
          ...(skipped ? { skipped } : {}),
          ...(l.msg === 'sweep failed' ? { failed: true } : {}),
        });
        wake?.();
      }
    },
  },
});

/** Resolves once every resource in `expect` logged a sweep that ran, from line `since` on. */
async function sweptSince(since: number, expect: string[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const done = new Set(
      lines
        .slice(since)
        .filter((l) => !l.skipped)
        .map((l) => l.resource),
    );
    if (expect.every((r) => done.has(r)) || performance.now() > deadline) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 50);
    });
  }
}

const ftops = await startFtops({
  config,
  logger,
  port: 0,
  host: '127.0.0.1',
  retryPolicy: noDelayRetryPolicy,
});
const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
const queue = new Queue(SWEEP_QUEUE, {
  connection,
  prefix: createKeys(config.redis.namespace).bullPrefix,
});
tellParent({ ready: true } satisfies WorkerReply);

for (;;) {
  const c = await fromParent<WorkerCommand>();
  if (c.cmd === 'stop') break;
  if (c.cmd === 'wait') {
    await sweptSince(0, c.resources, c.timeoutMs);
    tellParent({ sweeps: [...lines] } satisfies WorkerReply);
    continue;
  }
  const since = lines.length;
  const t0 = performance.now();
  await queue.addBulk(
    c.resources.map((resource) => ({
      name: 'sweep',
      data: { resource },
      opts: { removeOnComplete: 50, removeOnFail: 50 },
    })),
  );
  await sweptSince(since, c.expect, c.timeoutMs);
  tellParent({ sweeps: lines.slice(since), wallMs: performance.now() - t0 } satisfies WorkerReply);
}
await queue.close();
await connection.quit();
await ftops.stop();
tellParent({ stopped: true } satisfies WorkerReply);
process.disconnect?.();

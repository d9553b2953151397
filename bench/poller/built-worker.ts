import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FineTuningEmulator } from '../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../src/emulators/slack/index.ts';
import { freePort } from '../../src/sandbox/ports.ts';
import { createKeys } from '../../src/store/keys.ts';
import { createSubscriptions } from '../../src/store/subscriptions.ts';
import { REDIS_URL } from '../namespace.ts';

/**
 * The production worker as it runs: `node dist/bot/main.js` with `FT_ROLE=worker`, the built
 * code under plain node, nothing of the bench loaded into it. Its RSS is read from
 * /proc/<pid>/status once its first sweep has finished (the sweep counter in /metrics), so the
 * figure is what a container's memory limit sees.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BuiltWorkerFigure {
  subscriptions: number;
  /** VmRSS after the first sweep, and the peak (VmHWM) up to then. */
  rss: number;
  peak: number;
  /** Wall time from the process's start to its first completed sweep. */
  firstSweepMs: number;
  /** Fine-tuning API requests of that sweep. */
  requests: number;
}

/** The environment a built ftops process runs with against the bench's emulators and Redis. */
export function builtEnv(
  ft: FineTuningEmulator,
  slack: SlackEmulator,
  namespace: string,
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789',
    SLACK_API_URL: slack.apiUrl,
    AZURE_OPENAI_ENDPOINT: ft.url,
    AZURE_OPENAI_API_KEY: 'test-key',
    REDIS_URL,
    FT_REDIS_NAMESPACE: namespace,
    FT_APPROVER_IDS: 'U0APPROVE',
    LOG_LEVEL: 'error',
  };
}

/** Builds dist/ when it is missing or older than the sources (as `npm start` does). */
export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('npm run build failed; the built worker cannot be measured');
}

/** Bare `node` with nothing loaded: the floor any Node process starts from. */
export function bareNodeRss(): number {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      'const s=require("fs").readFileSync("/proc/self/status","utf8");console.log(/VmRSS:\\s+(\\d+)/.exec(s)[1])',
    ],
    { encoding: 'utf8' },
  );
  return Number(r.stdout.trim()) * 1024;
}

const kib = (status: string, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;

/**
 * Starts the built worker on `namespace` with `jobIds` watched (`channels` share them), waits
 * for its first sweep and reports its memory. With `watch: false` the namespace's earlier
 * subscriptions and statuses are used as they are: a restart.
 */
export async function measureBuiltWorker(
  ft: FineTuningEmulator,
  slack: SlackEmulator,
  opts: {
    namespace: string;
    jobIds: string[];
    channels: string[];
    watch?: boolean;
    /** NODE_OPTIONS for the worker (a deployment's tuning); none by default. */
    nodeOptions?: string;
  },
): Promise<BuiltWorkerFigure> {
  const ns = opts.namespace;
  if (opts.watch ?? true) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL);
    const subs = createSubscriptions(redis, createKeys(ns));
    for (let i = 0; i < opts.jobIds.length; i += 1000)
      await Promise.all(
        opts.jobIds
          .slice(i, i + 1000)
          .map((id, k) => subs.watch(opts.channels[(i + k) % opts.channels.length]!, id)),
      );
    await redis.quit();
  }
  const port = await freePort();
  const before = ft.requests.length;
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['dist/bot/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}),
      FT_ROLE: 'worker',
      PORT: String(port),
      ...builtEnv(ft, slack, ns),
      FT_POLL_INTERVAL_SECONDS: '5',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the built worker exited (${child.exitCode})`);
      if (Date.now() > deadline)
        throw new Error('the built worker did not finish a sweep in 180 s');
      const text = await fetch(`http://127.0.0.1:${port}/metrics`)
        .then((r) => r.text())
        .catch(() => '');
      const count = Number(
        /ftops_sweep_duration_seconds_count\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0,
      );
      if (count >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const firstSweepMs = performance.now() - t0;
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return {
      subscriptions: opts.jobIds.length,
      rss: kib(status, 'VmRSS'),
      peak: kib(status, 'VmHWM'),
      firstSweepMs,
      requests: ft.requests.length - before,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

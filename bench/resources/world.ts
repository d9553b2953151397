import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../src/emulators/slack/index.ts';
import { createSubscriptions } from '../../src/store/subscriptions.ts';
import { jobKey } from '../../src/vocabulary/index.ts';
import { type BenchNamespace, REDIS_URL } from '../namespace.ts';
import {
  JOB_SPACING_S,
  JOBS,
  RECENT_WINDOW,
  WATCHED_OLD,
  WATCHED_RECENT,
} from '../poller/sizes.ts';

/** Issue 17's scale: 20 resources of 5,000 jobs each, 10 % of them watched. */
export const RESOURCES = 20;
export const JOBS_PER_RESOURCE = JOBS;
/** The resource that accepts connections and never answers. */
export const HANGING = 'stuck';
export const SIGNING_SECRET = 'bench-signing-secret-0123456789';
const KEY_VARIABLE = 'BENCH_FT_KEY';
const CHANNELS = Array.from({ length: 50 }, (_, i) => `C0RES${String(i).padStart(3, '0')}`);

/** One healthy resource: its emulator, its jobs newest first and where the watched ones sit. */
export interface Resource {
  name: string;
  ft: FineTuningEmulator;
  /** Every job's bare ID, newest first: position p is the p-th newest. */
  ids: string[];
  /** Positions of the watched jobs, in order. */
  watched: number[];
}

/**
 * `RESOURCES` emulators, each with 5,000 jobs one minute apart and 500 running ones to watch
 * where the poller bench puts them (490 among the newest 1,000, 10 older), each resource its
 * own draw.
 */
export async function startResources(random: () => number, startMs: number): Promise<Resource[]> {
  const nowS = Math.floor(startMs / 1000);
  const emulators = await Promise.all(
    Array.from({ length: RESOURCES }, () => startFineTuningEmulator({ startTime: startMs })),
  );
  return emulators.map((ft, i) => {
    ft.setFaults({ retryAfterMs: 0 });
    const positions = new Set<number>();
    while (positions.size < WATCHED_RECENT) positions.add(Math.floor(random() * RECENT_WINDOW));
    while (positions.size < WATCHED_RECENT + WATCHED_OLD)
      positions.add(RECENT_WINDOW + Math.floor(random() * (JOBS_PER_RESOURCE - RECENT_WINDOW)));
    const ids: string[] = [];
    for (let p = 0; p < JOBS_PER_RESOURCE; p++) {
      const status = positions.has(p)
        ? 'running'
        : (['succeeded', 'succeeded', 'succeeded', 'failed', 'cancelled', 'running'] as const)[
            Math.floor(random() * 6)
          ];
      ids.push(ft.addJob({ status, created_at: nowS - p * JOB_SPACING_S }).id);
    }
    const watched = [...positions].sort((a, b) => a - b);
    return { name: `r${String(i).padStart(2, '0')}`, ft, ids, watched };
  });
}

/** A server that accepts every connection, reads what it is sent and never answers. */
export interface HangingServer {
  url: string;
  /** HTTP requests it was sent (request lines seen). */
  requests(): number;
  /** Destroys the connections it holds, so the callers' waits end at once, and stops. */
  close(): Promise<void>;
}

export async function startHangingServer(): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      requests += chunk.toString('latin1').split(' HTTP/1.1\r\n').length - 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes an FT_CONFIG file naming the healthy resources and, when given, the hanging one. */
export function writeConfigFile(
  dir: string,
  file: string,
  resources: readonly Resource[],
  hanging: HangingServer | undefined,
  pollIntervalSeconds: number,
): string {
  const entry = (name: string, url: string) =>
    `  ${name}:\n    kind: azure\n    endpoint: ${url}\n    auth: { api_key_env: ${KEY_VARIABLE} }\n`;
  const text = [
    `defaults:\n  poll_interval_seconds: ${pollIntervalSeconds}\nresources:\n`,
    ...resources.map((r) => entry(r.name, r.ft.url)),
    ...(hanging ? [entry(HANGING, hanging.url)] : []),
  ].join('');
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

/** The environment of an ftops process reading `configPath`, in namespace `ns`. */
export function ftopsEnv(
  slack: SlackEmulator,
  ns: BenchNamespace,
  configPath: string,
  role: 'all' | 'worker' | 'web',
): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL,
    FT_REDIS_NAMESPACE: ns.namespace,
    FT_APPROVER_IDS: 'U0APPROVE',
    FT_CONFIG: configPath,
    FT_ROLE: role,
    LOG_LEVEL: 'silent',
    [KEY_VARIABLE]: 'test-key',
  };
}

/**
 * Watches, in `ns`, the first `perResource` watched jobs of each resource (all when absent)
 * and as many jobs on the hanging resource when `hangingJobs` is set; from 50 channels.
 */
export async function watchJobs(
  ns: BenchNamespace,
  resources: readonly Resource[],
  opts: { perResource?: number; hangingJobs?: number } = {},
): Promise<void> {
  const subs = createSubscriptions(ns.redis, ns.keys);
  const keys: string[] = [];
  for (const r of resources)
    for (const p of r.watched.slice(0, opts.perResource ?? r.watched.length))
      keys.push(jobKey(r.name, r.ids[p]!));
  for (let i = 0; i < (opts.hangingJobs ?? 0); i++)
    keys.push(jobKey(HANGING, `ftjob-stuck${String(i).padStart(5, '0')}`));
  // In batches: thousands of watches at once would open as many transactions.
  for (let from = 0; from < keys.length; from += 500)
    await Promise.all(
      keys
        .slice(from, from + 500)
        .map((key, k) => subs.watch(CHANNELS[(from + k) % CHANNELS.length]!, key)),
    );
}

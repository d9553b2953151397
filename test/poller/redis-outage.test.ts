import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFineTuningClient } from '../../src/api/client.ts';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import { createLogger } from '../../src/bot/logger.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../../src/emulators/slack/index.ts';
import { type Poller, startPoller } from '../../src/poller/index.ts';
import { createKeys } from '../../src/store/keys.ts';
import { waitFor } from './harness.ts';

/**
 * Regression (chaos campaign 5, Redis restart): while Redis was down, the poller's BullMQ
 * queues had no `error` listener, so BullMQ printed every reconnect failure with its stack
 * trace to stderr, and the workers' error handlers logged the whole error (stack included).
 * The poller must say what is wrong in one line, never print a stack, and sweep again once
 * Redis is back. Runs on a private redis-server of its own, never the shared one.
 */

interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

async function privateRedis(): Promise<PrivateRedis> {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
  const dir = await mkdtemp(join(tmpdir(), 'ftops-poller-outage-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  return {
    url: `redis://127.0.0.1:${port}`,
    start() {
      const proc = spawn(
        'redis-server',
        // Persistent, as ftops requires: the sweep schedule lives in Redis.
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      child = proc;
      exited = new Promise((r) => proc.once('exit', () => r()));
      return new Promise((resolve, reject) => {
        proc.once('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
        proc.stdout?.on('data', (d) => {
          if (String(d).includes('Ready to accept connections')) resolve();
        });
      });
    },
    async stop() {
      child?.kill('SIGTERM');
      await exited;
    },
    async destroy() {
      child?.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('the poller through a Redis outage', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const c of cleanups) await c().catch(() => undefined);
    cleanups.length = 0;
  });

  it('logs one line per error, prints no stack trace, and sweeps again once Redis is back', async () => {
    const redis = await privateRedis();
    await redis.start();
    const [ft, slack]: [FineTuningEmulator, SlackEmulator] = await Promise.all([
      startFineTuningEmulator(),
      startSlackEmulator(),
    ]);
    cleanups.push(() => Promise.all([ft.close(), slack.close()]));
    cleanups.push(() => redis.destroy());
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      secrets: [],
      destination: new Writable({
        write(chunk, _enc, cb) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          cb();
        },
      }),
    });
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(
        args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '),
      );
    });
    const sweeps: Array<{ at: number; ok: boolean }> = [];
    const poller: Poller = await startPoller({
      redis: redis.url,
      keys: createKeys('outage-test'),
      client: createFineTuningClient({
        baseUrl: ft.azureBaseUrl,
        auth: { type: 'api-key', key: 'test-key' },
        retryPolicy: noDelayRetryPolicy,
      }),
      slack: new WebClient(slack.botToken, {
        slackApiUrl: slack.apiUrl,
        retryConfig: { retries: 0 },
        logLevel: LogLevel.ERROR,
      }),
      intervalSeconds: 1,
      logger,
      events: { sweep: ({ report }) => sweeps.push({ at: Date.now(), ok: report !== undefined }) },
    });
    // Closing waits for Redis; a failed test may leave it down, so do not wait for ever.
    cleanups.unshift(() => Promise.race([poller.close(), new Promise((r) => setTimeout(r, 5000))]));
    await waitFor(() => sweeps.some((s) => s.ok), 10_000);

    await redis.stop();
    const linesBefore = lines.length;
    await new Promise((r) => setTimeout(r, 2000));
    const outageLines = lines.slice(linesBefore);

    // The outage was noticed and reported …
    expect(outageLines.some((l) => l.includes('ECONNREFUSED'))).toBe(true);
    // … without a stack trace in the log or on stderr.
    expect(outageLines.filter((l) => l.includes('"stack"') || l.includes('\\n    at '))).toEqual(
      [],
    );
    expect(printed).toEqual([]);

    const backAt = Date.now();
    await redis.start();
    await waitFor(() => sweeps.some((s) => s.ok && s.at > backAt), 10_000);
    expect(printed).toEqual([]);
  }, 40_000);
});

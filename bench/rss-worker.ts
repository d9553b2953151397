/**
 * Child process: a poller worker as `startPoller` builds one (sweeper, notify queue, an idle
 * notify worker, a Slack client), minus the schedule. It watches the job IDs the parent sends
 * (`channels` channels sharing them round-robin), runs one sweep and reports its RSS, so the
 * figure is this process's alone and not the emulators'. With no IDs it is the baseline.
 */
import { LogLevel, WebClient } from '@slack/web-api';
import { Redis } from 'ioredis';
import { createFineTuningClient } from '../src/api/client.ts';
import { noDelayRetryPolicy } from '../src/api/retry.ts';
import { NotifyQueue } from '../src/poller/notify-queue.ts';
import { NotifyWorker } from '../src/poller/notify-worker.ts';
import { Sweeper, type SweepReport } from '../src/poller/sweeper.ts';
import { createJobStatusStore, readActor } from '../src/store/job-status.ts';
import { createKeys } from '../src/store/keys.ts';
import { createSubscriptions } from '../src/store/subscriptions.ts';
import { fromParent, tellParent } from './child.ts';

/** What the parent sends. */
export interface RssJob {
  apiBaseUrl: string;
  slackApiUrl: string;
  redisUrl: string;
  namespace: string;
  jobIds: string[];
  channels: string[];
}

/** What the child reports. */
export interface RssReport {
  /** Right after the sweep, garbage included (what a dashboard shows). */
  rss: number;
  heapUsed: number;
  /** After a full GC: what the process retains (needs `--expose-gc`, else equal to `rss`). */
  rssAfterGc: number;
  heapAfterGc: number;
  subscriptions: number;
  sweepMs: number;
  sweep: SweepReport;
}

const job = await fromParent<RssJob>();
const keys = createKeys(job.namespace);
const connect = () => new Redis(job.redisUrl, { maxRetriesPerRequest: null });
const [commands, notifyConn] = [connect(), connect()];
const client = createFineTuningClient({
  baseUrl: job.apiBaseUrl,
  auth: { type: 'api-key', key: 'test-key' },
  retryPolicy: noDelayRetryPolicy,
});
const slack = new WebClient('xoxb-ftops-test', {
  slackApiUrl: job.slackApiUrl,
  retryConfig: { retries: 0 },
  rejectRateLimitedCalls: true,
  logLevel: LogLevel.ERROR,
});
const subscriptions = createSubscriptions(commands, keys);
const notify = new NotifyQueue({ connection: commands, keys });
const worker = new NotifyWorker({
  connection: notifyConn,
  redis: commands,
  keys,
  slack,
  subscriptions,
});
const sweeper = new Sweeper({
  client,
  subscriptions,
  statuses: createJobStatusStore(commands, keys),
  actorOf: (id) => readActor(commands, keys, id),
  notify,
});

// Watch in batches: each watch is one MULTI, and ioredis pipelines the batch.
for (let i = 0; i < job.jobIds.length; i += 500) {
  await Promise.all(
    job.jobIds
      .slice(i, i + 500)
      .map((id, k) => subscriptions.watch(job.channels[(i + k) % job.channels.length]!, id)),
  );
}
const t0 = performance.now();
const sweep = await sweeper.sweep();
const sweepMs = performance.now() - t0;
const mem = process.memoryUsage();
(globalThis as { gc?: () => void }).gc?.();
const kept = process.memoryUsage();
tellParent({
  rss: mem.rss,
  heapUsed: mem.heapUsed,
  rssAfterGc: kept.rss,
  heapAfterGc: kept.heapUsed,
  subscriptions: job.jobIds.length,
  sweepMs,
  sweep,
} satisfies RssReport);
await worker.close();
await notify.close();
await client.close();
await Promise.all([commands.quit(), notifyConn.quit()]);
process.disconnect?.();

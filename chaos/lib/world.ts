import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../../src/emulators/slack/index.ts';
import { signRequest } from '../../src/emulators/slack-signing.ts';
import { createKeys } from '../../src/store/keys.ts';
import { deleteNamespace } from '../../src/store/redis.ts';
import { type BotProcess, spawnBot } from './bot-process.ts';
import type { Evidence } from './evidence.ts';

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';
export const REQUESTER = 'U0REQUEST';
export const APPROVER = 'U0APPROVE';
export const OUTSIDER = 'U0OUTSIDE';
export const TRAINING = 'C0TRAINING';
export const APPROVALS = 'C0APPROVALS';

/** Knobs of one bot process; see bot-child.ts. */
export interface BotKnobs {
  role?: 'all' | 'web' | 'worker';
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  apiTimeoutMs?: number;
  fastRetry?: boolean;
  paceMs?: number;
  /** BullMQ lock and stalled-check interval of the notify worker, in ms. */
  stallMs?: number;
  /** How long an approved request may go without an outcome before the worker takes it over. */
  recoveryGraceMs?: number;
  /** How often the worker expires and recovers approval requests, in ms. */
  approvalSweepMs?: number;
}

/** What a signed request got back. */
export interface Answer {
  status: number;
  body: string;
  ms: number;
}

/**
 * One campaign's world: both emulators on loopback in this process, a Redis namespace of its
 * own, and bots as child processes configured with the battery's canary secrets. `close()`
 * stops everything, hands logs, Slack bodies and the namespace's Redis contents to the
 * evidence, then deletes the keys.
 */
export interface World {
  ft: FineTuningEmulator;
  slack: SlackEmulator;
  namespace: string;
  redisUrl: string;
  /** A plain client on the world's Redis, for checking state. */
  redis: Redis;
  keys: ReturnType<typeof createKeys>;
  bots: BotProcess[];
  /** The environment a bot of this world runs with. */
  env(knobs?: BotKnobs): Record<string, string>;
  /** Starts a bot process (tracked, so close() stops it). */
  startBot(name: string, knobs?: BotKnobs): Promise<BotProcess>;
  /** POSTs `body` to a bot's /slack/events signed with the battery's signing secret. */
  signed(bot: BotProcess, body: string, timestamp?: number): Promise<Answer>;
  /** POSTs `body` with exactly the given headers. */
  post(bot: BotProcess, body: string, headers: Record<string, string>): Promise<Answer>;
  close(): Promise<void>;
}

export interface WorldOptions {
  evidence: Evidence;
  /** Default: the machine's shared Redis. The Redis-restart campaign passes its private one. */
  redisUrl?: string;
  /**
   * A Redis Cluster instead (the failover and reshard campaigns' private one): its seed URLs,
   * given to the bots as REDIS_URL with REDIS_CLUSTER=true; `redis` is then a Cluster client.
   */
  clusterSeeds?: readonly string[];
  /** The namespace (hash tag) to use; default a fresh `chaos-<uuid>`. */
  namespace?: string;
}

export async function startWorld(opts: WorldOptions): Promise<World> {
  const { evidence } = opts;
  const c = evidence.canaries;
  const [ft, slack] = await Promise.all([
    startFineTuningEmulator({ apiKey: c.AZURE_OPENAI_API_KEY }),
    startSlackEmulator({ botToken: c.SLACK_BOT_TOKEN, appToken: c.SLACK_APP_TOKEN }),
  ]);
  const namespace = opts.namespace ?? `chaos-${randomUUID()}`;
  const seeds = opts.clusterSeeds;
  const redisUrl = seeds ? seeds.join(',') : (opts.redisUrl ?? SHARED_REDIS_URL);
  const keys = createKeys(namespace);
  // On a cluster the checking client follows failovers and slot moves as ioredis does (its
  // commands wait in the offline queue while the cluster is down); it is typed as Redis as
  // src/store/redis.ts types its own cluster clients.
  const redis = seeds
    ? (new Cluster(
        seeds.map((u) => {
          const url = new URL(u);
          return { host: url.hostname, port: Number(url.port) };
        }),
        { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 1 } },
      ) as unknown as Redis)
    : new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined); // the Redis-restart campaign stops it on purpose
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    await Promise.all([ft.close(), slack.close()]);
    throw err;
  }
  const bots: BotProcess[] = [];

  const env = (knobs: BotKnobs = {}): Record<string, string> => ({
    SLACK_BOT_TOKEN: c.SLACK_BOT_TOKEN,
    SLACK_SIGNING_SECRET: c.SLACK_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    AZURE_OPENAI_ENDPOINT: ft.url,
    AZURE_OPENAI_API_KEY: c.AZURE_OPENAI_API_KEY,
    // Azure wins when both are set; the OpenAI key is there only to be a canary.
    OPENAI_API_KEY: c.OPENAI_API_KEY,
    REDIS_URL: redisUrl,
    ...(seeds ? { REDIS_CLUSTER: 'true' } : {}),
    FT_REDIS_NAMESPACE: namespace,
    FT_APPROVER_IDS: `${APPROVER},S0APPROVERS`,
    FT_APPROVAL_CHANNEL: APPROVALS,
    FT_POLL_INTERVAL_SECONDS: '3600',
    FT_ROLE: knobs.role ?? 'all',
    LOG_LEVEL: 'info',
    ...(knobs.apiTimeoutMs ? { CHAOS_API_TIMEOUT_MS: String(knobs.apiTimeoutMs) } : {}),
    ...(knobs.fastRetry ? { CHAOS_RETRY: 'fast' } : {}),
    ...(knobs.paceMs !== undefined ? { CHAOS_PACE_MS: String(knobs.paceMs) } : {}),
    ...(knobs.stallMs ? { CHAOS_STALL_MS: String(knobs.stallMs) } : {}),
    ...(knobs.recoveryGraceMs !== undefined
      ? { CHAOS_RECOVERY_GRACE_MS: String(knobs.recoveryGraceMs) }
      : {}),
    ...(knobs.approvalSweepMs ? { CHAOS_APPROVAL_SWEEP_MS: String(knobs.approvalSweepMs) } : {}),
    ...knobs.env,
  });

  const post = async (
    bot: BotProcess,
    body: string,
    headers: Record<string, string>,
  ): Promise<Answer> => {
    const t0 = performance.now();
    const res = await fetch(`${bot.url}/slack/events`, { method: 'POST', body, headers });
    const text = await res.text();
    return { status: res.status, body: text, ms: performance.now() - t0 };
  };

  return {
    ft,
    slack,
    namespace,
    redisUrl,
    redis,
    keys,
    bots,
    env,
    async startBot(name, knobs = {}) {
      const bot = await spawnBot({
        name,
        env: env(knobs),
        onLine: (line) => evidence.addLogLine(line),
      });
      bots.push(bot);
      return bot;
    },
    signed(bot, body, timestamp) {
      return post(bot, body, { ...signRequest(c.SLACK_SIGNING_SECRET, body, timestamp) });
    },
    post,
    async close() {
      await Promise.all(bots.map((b) => b.stop()));
      // An emulator that fails to close must not keep the namespace from being deleted.
      await Promise.allSettled([ft.close(), slack.close()]);
      for (const call of slack.calls) evidence.addSlackBody(call.args);
      for (const r of slack.responses) evidence.addSlackBody(r.body);
      for (const msgs of slack.messages.values()) for (const m of msgs) evidence.addSlackBody(m);
      for (const v of slack.views.values()) evidence.addSlackBody(v);
      try {
        await evidence.dumpRedis(redis, `${keys.bullPrefix}*`);
        await deleteNamespace(redis, keys.bullPrefix);
      } finally {
        redis.disconnect();
      }
    },
  };
}

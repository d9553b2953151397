import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import { type Ftops, secretsOf, startFtops } from '../../src/bot/compose.ts';
import { type Config, loadConfig } from '../../src/bot/config/index.ts';
import { createLogger } from '../../src/bot/logger.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import {
  type SlackEmulator,
  type SlackMessage,
  type SlackResponse,
  startSlackEmulator,
} from '../../src/emulators/slack/index.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  signRequest,
  slashCommandBody,
  viewSubmissionBody,
  viewSubmissionPayload,
} from '../../src/emulators/slack-signing.ts';
import { createKeys } from '../../src/store/keys.ts';
import { createBullConnection } from '../../src/store/redis.ts';
import { keysMatching, REDIS_ENV, TEST_REDIS } from '../support/redis.ts';

export const SIGNING_SECRET = 'e2e-signing-secret-0123456789';
export const REQUESTER = 'U0REQUEST';
export const APPROVER = 'U0APPROVE';
export const OUTSIDER = 'U0OUTSIDE';
export const TRAINING = 'C0TRAINING';
export const APPROVALS = 'C0APPROVALS';

/**
 * The whole bot as Slack and Azure would see it: both emulators on loopback, real Redis under
 * a namespace of its own, and the real app started from an environment like `npm start`'s.
 * Requests go in signed exactly as Slack signs them.
 */
export interface App {
  ft: FineTuningEmulator;
  slack: SlackEmulator;
  /** The running ftops; a new object after `restart()`. */
  ftops: Ftops;
  redis: Redis;
  namespace: string;
  config: Config;
  /** Everything the app logged, one JSON line each (across restarts). */
  logs: string[];
  /** Sends a signed `/ft` command; resolves with the ack and the response_url it carried. */
  command(text: string, opts?: { user?: string; channel?: string }): Promise<Sent>;
  /** Sends a signed button click; `messageTs` names the message the button sat on. */
  click(input: ClickInput): Promise<Sent>;
  /** Sends a signed modal submission. */
  submitView(input: {
    user?: string;
    callbackId: string;
    privateMetadata: string;
    values: Record<string, Record<string, { type: string; value: string }>>;
  }): Promise<Ack>;
  /** Posts a raw body with the given headers to /slack/events. */
  post(body: string, headers: Record<string, string>): Promise<Ack>;
  /** Waits until `predicate` holds for the answers posted to response URLs. */
  waitForResponse(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Waits for the first answer posted to `sent.responseUrl` and returns its text. */
  answer(sent: { responseUrl: string }, timeoutMs?: number): Promise<string>;
  /** The bodies posted so far to one response URL. */
  answersTo(url: string): SlackResponse[];
  /** Messages of a channel (posted, updated or ephemeral) as the emulator holds them. */
  messagesIn(channel: string): SlackMessage[];
  /** Every Redis key in the app's namespace. */
  redisKeys(): Promise<string[]>;
  /** Moves the app's clock (approval expiry, "just now") forward; signatures keep wall time. */
  advanceClock(ms: number): void;
  /** Stops ftops and starts a fresh one on the same emulators, Redis namespace and config. */
  restart(): Promise<void>;
  /** Reloads the configuration from the same environment (and FT_CONFIG file), as SIGHUP does. */
  reload(): ReturnType<Ftops['reload']>;
  close(): Promise<void>;
}

export interface Ack {
  status: number;
  body: string;
  ms: number;
}

/** An ack plus the response_url the request carried, to find its answer by. */
export interface Sent extends Ack {
  responseUrl: string;
}

export interface ClickInput {
  actionId: string;
  value: string;
  user?: string;
  channel?: string;
  blockId?: string;
  messageTs?: string;
}

export interface StartAppOptions {
  /** Connect over Socket Mode with the emulator's app token instead of serving HTTP. */
  socketMode?: boolean;
  /** Writes an FT_CONFIG file naming the harness's emulator (and any others); its path. */
  configFile?: (ft: FineTuningEmulator) => string;
  /** Per-attempt timeout of the fine-tuning clients (30 s otherwise). */
  apiTimeoutMs?: number;
  /** The port ftops listens on, for a sender that must know it first (webhooks); any free one otherwise. */
  port?: number;
  /**
   * Also start a worker process's ftops (FT_ROLE=worker, same namespace) next to the app,
   * as a split deployment runs: with FT_ANSWER_IN=worker it answers what the web side acks.
   */
  worker?: boolean;
}

export async function startApp(
  env: Record<string, string> = {},
  opts: StartAppOptions = {},
): Promise<App> {
  const [ft, slack] = await Promise.all([startFineTuningEmulator(), startSlackEmulator()]);
  ft.setFaults({ retryAfterMs: 0 });
  const namespace = `test-${randomUUID()}`;
  const loadEnv = {
    SLACK_BOT_TOKEN: slack.botToken,
    ...(opts.socketMode
      ? { SLACK_APP_TOKEN: slack.appToken }
      : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    SLACK_API_URL: slack.apiUrl,
    AZURE_OPENAI_ENDPOINT: ft.url,
    AZURE_OPENAI_API_KEY: 'test-key',
    // FT_TEST_REDIS=cluster: the local Redis Cluster's seeds and REDIS_CLUSTER=true.
    ...REDIS_ENV,
    FT_REDIS_NAMESPACE: namespace,
    FT_APPROVER_IDS: `${APPROVER},S0APPROVERS`,
    FT_POLL_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'debug',
    ...(opts.configFile ? { FT_CONFIG: opts.configFile(ft) } : {}),
    ...env,
  };
  const config = loadConfig(loadEnv);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', secrets: secretsOf(config), destination: sink });
  let clockOffsetMs = 0;
  const bootAs = (c: typeof config, port: number) =>
    startFtops({
      config: c,
      logger,
      port,
      host: '127.0.0.1',
      retryPolicy: noDelayRetryPolicy,
      ...(opts.apiTimeoutMs ? { apiTimeoutMs: opts.apiTimeoutMs } : {}),
      clock: () => Date.now() + clockOffsetMs,
    });
  const boot = () => bootAs(config, opts.port ?? 0);
  let worker = opts.worker ? await bootAs({ ...config, role: 'worker' }, 0) : undefined;
  const redis = createBullConnection(TEST_REDIS);

  const post = async (body: string, headers: Record<string, string>): Promise<Ack> => {
    const t0 = performance.now();
    const res = await fetch(`${app.ftops.url}/slack/events`, { method: 'POST', body, headers });
    const text = await res.text();
    return { status: res.status, body: text, ms: performance.now() - t0 };
  };
  const signed = (body: string) => post(body, { ...signRequest(SIGNING_SECRET, body) });
  const answersTo = (url: string) => slack.responses.filter((r) => r.url === url);

  const app: App = {
    ft,
    slack,
    ftops: await boot(),
    redis,
    namespace,
    config,
    logs,
    post,
    async command(text, o = {}) {
      const channel = o.channel ?? TRAINING;
      const user = o.user ?? REQUESTER;
      const responseUrl = slack.responseUrl(channel, user);
      const ack = await signed(
        slashCommandBody({ text, user_id: user, channel_id: channel, response_url: responseUrl }),
      );
      return { ...ack, responseUrl };
    },
    async click(i) {
      const responseUrl = slack.responseUrl(
        i.channel ?? TRAINING,
        i.user ?? REQUESTER,
        i.messageTs,
      );
      const ack = await signed(blockActionsBody(clickPayload(i, responseUrl)));
      return { ...ack, responseUrl };
    },
    submitView(i) {
      return signed(
        viewSubmissionBody(
          viewSubmissionPayload({
            user: i.user ?? REQUESTER,
            callbackId: i.callbackId,
            privateMetadata: i.privateMetadata,
            values: i.values,
          }),
        ),
      );
    },
    async waitForResponse(predicate, timeoutMs = 5000) {
      const texts = () => slack.responses.map((r) => responseText(r.body));
      return poll(
        () => texts().find(predicate),
        timeoutMs,
        () => texts().join(' | '),
      );
    },
    async answer(sent, timeoutMs = 5000) {
      const first = () => answersTo(sent.responseUrl)[0];
      const hit = await poll(first, timeoutMs, () => 'nothing posted to that response_url');
      return responseText(hit.body);
    },
    answersTo,
    messagesIn: (channel) => slack.messages.get(channel) ?? [],
    redisKeys: () => keysMatching(redis, `${createKeys(namespace).bullPrefix}*`),
    advanceClock(ms) {
      clockOffsetMs += ms;
    },
    reload: () => app.ftops.reload(() => loadConfig(loadEnv)),
    async restart() {
      await app.ftops.stop();
      app.ftops = await boot();
    },
    async close() {
      await app.ftops.stop();
      await worker?.stop();
      worker = undefined;
      await Promise.all([ft.close(), slack.close()]);
      const keys = await app.redisKeys();
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
  return app;
}

/** The block_actions payload of a click whose answers go to `responseUrl`. */
export function clickPayload(i: ClickInput, responseUrl: string): Record<string, unknown> {
  return blockActionsPayload({
    user: i.user ?? REQUESTER,
    channel: i.channel ?? TRAINING,
    actionId: i.actionId,
    value: i.value,
    blockId: i.blockId ?? 'ftops.e2e',
    responseUrl,
    ...(i.messageTs ? { message: { ts: i.messageTs } } : {}),
  });
}

/** Polls `get` every 20 ms until it returns something, or fails with `describe()`. */
export async function poll<T>(
  get: () => T | undefined,
  timeoutMs = 5000,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = get();
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`timed out waiting; ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** All text of a posted body: the fallback plus every text in its blocks. */
export function responseText(body: Record<string, unknown>): string {
  return JSON.stringify({ text: body.text, blocks: body.blocks ?? [] });
}

export { buttonsOf, visibleText } from '../../src/emulators/slack/inspect.ts';

import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { noDelayRetryPolicy } from '../../src/api/retry.ts';
import { type Ftops, startFtops } from '../../src/bot/compose.ts';
import { loadConfig } from '../../src/bot/config.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning.ts';
import { type SlackEmulator, startSlackEmulator } from '../../src/emulators/slack.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  signRequest,
  slashCommandBody,
  viewSubmissionBody,
  viewSubmissionPayload,
} from '../../src/emulators/slack-signing.ts';
import { createKeys } from '../../src/store/keys.ts';

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
  ftops: Ftops;
  redis: Redis;
  namespace: string;
  /** Everything the app logged, one JSON line each. */
  logs: string[];
  /** Sends a signed `/ft` command; resolves with the HTTP status and body of the ack. */
  command(text: string, opts?: { user?: string; channel?: string }): Promise<Ack>;
  /** Sends a signed button click. */
  click(input: {
    actionId: string;
    value: string;
    user?: string;
    channel?: string;
    blockId?: string;
    messageTs?: string;
  }): Promise<Ack>;
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
  close(): Promise<void>;
}

export interface Ack {
  status: number;
  body: string;
  ms: number;
}

export async function startApp(env: Record<string, string> = {}): Promise<App> {
  const [ft, slack] = await Promise.all([startFineTuningEmulator(), startSlackEmulator()]);
  ft.setFaults({ retryAfterMs: 0 });
  const namespace = `test-${randomUUID()}`;
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    AZURE_OPENAI_ENDPOINT: ft.url,
    AZURE_OPENAI_API_KEY: 'test-key',
    REDIS_URL: 'redis://127.0.0.1:6379',
    FT_REDIS_NAMESPACE: namespace,
    FT_APPROVER_IDS: `${APPROVER},S0APPROVERS`,
    FT_POLL_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const { createLogger } = await import('../../src/bot/logger.ts');
  const { secretsOf } = await import('../../src/bot/compose.ts');
  const logger = createLogger({ level: 'debug', secrets: secretsOf(config), destination: sink });
  const ftops = await startFtops({
    config,
    logger,
    port: 0,
    host: '127.0.0.1',
    retryPolicy: noDelayRetryPolicy,
  });
  const redis = new Redis('redis://127.0.0.1:6379');

  const post = async (body: string, headers: Record<string, string>): Promise<Ack> => {
    const t0 = performance.now();
    const res = await fetch(`${ftops.url}/slack/events`, { method: 'POST', body, headers });
    const text = await res.text();
    return { status: res.status, body: text, ms: performance.now() - t0 };
  };
  const signed = (body: string) => post(body, signRequest(SIGNING_SECRET, body));

  return {
    ft,
    slack,
    ftops,
    redis,
    namespace,
    logs,
    post,
    command(text, opts = {}) {
      const channel = opts.channel ?? TRAINING;
      const user = opts.user ?? REQUESTER;
      return signed(
        slashCommandBody({
          text,
          user_id: user,
          channel_id: channel,
          response_url: slack.responseUrl(channel, user),
        }),
      );
    },
    click(i) {
      const channel = i.channel ?? TRAINING;
      const user = i.user ?? REQUESTER;
      return signed(
        blockActionsBody(
          blockActionsPayload({
            user,
            channel,
            actionId: i.actionId,
            value: i.value,
            ...(i.blockId ? { blockId: i.blockId } : {}),
            responseUrl: slack.responseUrl(channel, user, i.messageTs),
            ...(i.messageTs ? { messageTs: i.messageTs } : {}),
          } as never),
        ),
      );
    },
    submitView(i) {
      return signed(
        viewSubmissionBody(
          viewSubmissionPayload({
            user: i.user ?? REQUESTER,
            callbackId: i.callbackId,
            privateMetadata: i.privateMetadata,
            values: i.values,
          } as never),
        ),
      );
    },
    async waitForResponse(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = slack.responses.map((r) => responseText(r.body)).find(predicate);
        if (hit !== undefined) return hit;
        if (Date.now() > deadline) {
          throw new Error(
            `no matching response; got: ${slack.responses.map((r) => responseText(r.body)).join(' | ')}`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await ftops.stop();
      await Promise.all([ft.close(), slack.close()]);
      const keys = await redis.keys(`${createKeys(namespace).bullPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** All text of a posted body: the fallback plus every text in its blocks. */
export function responseText(body: Record<string, unknown>): string {
  return JSON.stringify({ text: body.text, blocks: body.blocks ?? [] });
}

export { pino };

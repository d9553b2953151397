import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { signWebhook } from '../../bot/webhooks/standard-webhooks.ts';
import { randomAlnum } from './random.ts';

/**
 * The OpenAI platform's fine-tuning webhooks, sent by the emulator when a job finishes:
 * Standard Webhooks headers over real HTTP, one attempt each, never awaited by the job's
 * lifecycle, and a receiver that is down or slow only leaves a failed attempt behind.
 */

/** Where the emulator sends its webhooks, and the secret it signs them with. */
export interface WebhookTarget {
  url: string;
  /** `whsec_` followed by base64, as the platform shows it. */
  secret: string;
}

/** One try at a delivery. */
export interface WebhookAttempt {
  /** The `webhook-timestamp` sent (wall-clock Unix seconds). */
  timestamp: number;
  /** The receiver's HTTP status; 0 while in flight or when it never answered. */
  status: number;
  /** Why no answer came (refused, timed out); absent once answered. */
  error?: string;
}

/** One event, sent once and maybe again (`redeliver`) under the same `webhook-id`. */
export interface WebhookDelivery {
  webhookId: string;
  type: string;
  jobId: string;
  /** The exact body signed and sent. */
  body: string;
  attempts: WebhookAttempt[];
}

const EVENT_TYPES: Readonly<Record<string, string>> = {
  succeeded: 'fine_tuning.job.succeeded',
  failed: 'fine_tuning.job.failed',
  cancelled: 'fine_tuning.job.cancelled',
};
/** The platform expects an answer within seconds; the emulator gives up after this. */
const TIMEOUT_MS = 5_000;

export interface WebhookSender {
  deliveries: WebhookDelivery[];
  /** Sends the event for a job that entered `status`; other statuses send nothing. */
  jobFinished(jobId: string, status: string, finishedAt: number): void;
  /** Sends delivery `webhookId` again, signed anew, as a sender retries; resolves when answered. */
  redeliver(webhookId: string): Promise<WebhookAttempt>;
  /** Resolves once every attempt in flight has been answered or has failed. */
  settled(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

/** `wallSeconds` is the signing clock: receivers check it against theirs, not the virtual one. */
export function createWebhookSender(
  target: WebhookTarget,
  wallSeconds: () => number = () => Math.floor(Date.now() / 1000),
): WebhookSender {
  const agent = new Agent({ headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  const deliveries: WebhookDelivery[] = [];
  const inFlight = new Set<Promise<void>>();

  const attempt = (delivery: WebhookDelivery): Promise<WebhookAttempt> => {
    const timestamp = wallSeconds();
    const tried: WebhookAttempt = { timestamp, status: 0 };
    delivery.attempts.push(tried);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)',
      'webhook-id': delivery.webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook({
        id: delivery.webhookId,
        timestamp,
        body: delivery.body,
        secret: target.secret,
      }),
    };
    const sent = request(target.url, {
      method: 'POST',
      headers,
      body: delivery.body,
      dispatcher: agent,
    })
      .then(async (res) => {
        await res.body.dump();
        tried.status = res.statusCode;
      })
      .catch((err: unknown) => {
        tried.error = err instanceof Error ? err.message || err.name : String(err);
      })
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
    return sent.then(() => tried);
  };

  return {
    deliveries,
    jobFinished(jobId, status, finishedAt) {
      const type = EVENT_TYPES[status];
      if (type === undefined) return;
      const body = JSON.stringify({
        object: 'event',
        id: `evt_${randomBytes(16).toString('hex')}`,
        type,
        created_at: finishedAt,
        data: { id: jobId },
      });
      const delivery: WebhookDelivery = {
        webhookId: `msg_${randomAlnum(27)}`,
        type,
        jobId,
        body,
        attempts: [],
      };
      deliveries.push(delivery);
      void attempt(delivery);
    },
    redeliver(webhookId) {
      const delivery = deliveries.find((d) => d.webhookId === webhookId);
      if (!delivery) return Promise.reject(new Error(`no webhook delivery ${webhookId}`));
      return attempt(delivery);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    reset() {
      deliveries.length = 0;
    },
    async close() {
      // Attempts still waiting end with an error instead of holding the process open.
      await agent.destroy();
      await Promise.all(inFlight);
    },
  };
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { isValidJobId } from '../../api/job-id.ts';

/**
 * Standard Webhooks (https://www.standardwebhooks.com/), as the OpenAI platform sends them:
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated
 * list of `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${rawBody}`, keyed with the
 * base64-decoded part of a `whsec_…` secret. Pure functions: the caller brings the clock.
 */

/** OpenAI's own SDK allows five minutes either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Header values as node's `IncomingMessage.headers` or a fetch `Headers` hold them. */
export type WebhookHeaders = Headers | Readonly<Record<string, string | string[] | undefined>>;

export type WebhookVerdict =
  | { ok: true; id: string; timestamp: number }
  | {
      ok: false;
      reason: 'missing_headers' | 'bad_timestamp' | 'stale' | 'bad_signature' | 'bad_secret';
    };

export interface VerifyWebhookInput {
  headers: WebhookHeaders;
  body: string | Buffer;
  secret: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}

/** A webhook ID becomes part of a Redis key; anything longer than this is not a sender's. */
const MAX_ID_LENGTH = 256;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Checks a delivery's signature and timestamp. `missing_headers` also covers an empty or
 * oversized `webhook-id`; a timestamp more than `toleranceSeconds` away from `nowSeconds` in
 * either direction is `stale`, so a captured delivery cannot be pre-dated to outlive the window.
 */
export function verifyWebhook(input: VerifyWebhookInput): WebhookVerdict {
  const key = secretKey(input.secret);
  if (key === undefined) return { ok: false, reason: 'bad_secret' };
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signatures = header(input.headers, 'webhook-signature');
  if (!id || id.length > MAX_ID_LENGTH || !timestamp || !signatures)
    return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const ts = Number(timestamp);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(input.nowSeconds - ts) > tolerance) return { ok: false, reason: 'stale' };
  // The raw header text is signed, not the number: `0123` and `123` are different deliveries.
  const expected = Buffer.from(hmac(key, id, timestamp, input.body));
  let matched = false;
  for (const entry of signatures.split(' ')) {
    if (!entry.startsWith('v1,')) continue; // other schemes (v1a: asymmetric) are not ours
    // Comparing the base64 text, not decoded bytes: a decoder that ignores stray characters
    // or padding bits would let an altered signature through.
    const given = Buffer.from(entry.slice(3));
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched ? { ok: true, id, timestamp: ts } : { ok: false, reason: 'bad_signature' };
}

/** The `webhook-signature` value a sender puts on a delivery (one `v1,` entry). */
export function signWebhook(input: {
  id: string;
  timestamp: number;
  body: string | Buffer;
  secret: string;
}): string {
  const key = secretKey(input.secret);
  if (key === undefined) throw new Error('a webhook secret is whsec_ followed by base64');
  return `v1,${hmac(key, input.id, String(input.timestamp), input.body)}`;
}

/** True for a secret `verifyWebhook` can use; config checks it once at start-up. */
export function isWebhookSecret(secret: string): boolean {
  return secretKey(secret) !== undefined;
}

function secretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith('whsec_')) return undefined;
  const encoded = secret.slice('whsec_'.length);
  if (encoded.length === 0 || !BASE64.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64');
}

function hmac(key: Buffer, id: string, timestamp: string, body: string | Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value =
    headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  // A header sent twice arrives as an array (or joined): neither is one sender's value.
  return typeof value === 'string' ? value : undefined;
}

/** The event types that end a fine-tuning job, the ones ftops acts on. */
export const FINE_TUNING_EVENT_TYPES = [
  'fine_tuning.job.succeeded',
  'fine_tuning.job.failed',
  'fine_tuning.job.cancelled',
] as const;
export type FineTuningEventType = (typeof FINE_TUNING_EVENT_TYPES)[number];

/** Any event the platform may send (batches, responses, evals…); only its shape is checked. */
export const WebhookEventEnvelopeSchema = z.looseObject({
  object: z.literal('event').optional(),
  id: z.string().min(1),
  type: z.string().min(1),
  created_at: z.number().optional(),
  data: z.unknown(),
});

/** A fine-tuning job event; its job ID must pass the same gate as one typed in Slack. */
export const FineTuningWebhookEventSchema = WebhookEventEnvelopeSchema.extend({
  type: z.enum(FINE_TUNING_EVENT_TYPES),
  data: z.looseObject({ id: z.string().refine(isValidJobId, { error: 'not a job ID' }) }),
});
export type FineTuningWebhookEvent = z.infer<typeof FineTuningWebhookEventSchema>;

export type ParsedWebhookEvent =
  | { kind: 'fine_tuning'; event: FineTuningWebhookEvent }
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid' };

/**
 * Sorts a parsed JSON body: a fine-tuning event, another event type (subscribed to elsewhere
 * on the same endpoint; not an error), or not an event at all. A fine-tuning type with a
 * malformed `data` is invalid, not ignored, so a broken sender is noticed.
 */
export function parseWebhookEvent(json: unknown): ParsedWebhookEvent {
  const envelope = WebhookEventEnvelopeSchema.safeParse(json);
  if (!envelope.success) return { kind: 'invalid' };
  if (!(FINE_TUNING_EVENT_TYPES as readonly string[]).includes(envelope.data.type))
    return { kind: 'ignored', type: envelope.data.type };
  const event = FineTuningWebhookEventSchema.safeParse(json);
  return event.success ? { kind: 'fine_tuning', event: event.data } : { kind: 'invalid' };
}

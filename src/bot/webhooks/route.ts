import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { sendJson } from '../http-server.ts';
import { readBody } from '../read-body.ts';
import { isWebhookSecret, parseWebhookEvent, verifyWebhook } from './standard-webhooks.ts';

/** OpenAI's event bodies are a few hundred bytes; anything near this is not one. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 64 * 1024;
/** A sender writes a delivery at once; one still arriving after this holds a socket for nothing. */
const BODY_TIMEOUT_MS = 10_000;
export const WEBHOOK_PATH_PREFIX = '/webhooks/openai/';

export interface WebhookRouteOptions {
  /** Resource name (the last path segment) → its `whsec_…` signing secret. */
  resources: ReadonlyMap<string, string>;
  /** Resolves true the first time a `webhook-id` is seen; rejects when it cannot tell. */
  claimDelivery: (webhookId: string) => Promise<boolean>;
  /**
   * Told of each verified, first-seen fine-tuning event. Not awaited: the sender wants its
   * answer within seconds, so slow work belongs in a queue this hands the event to.
   */
  onJobEvent: (resource: string, jobId: string, type: string) => void | Promise<void>;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Milliseconds since the epoch, as `Date.now`. */
  clock?: () => number;
  maxBodyBytes?: number;
}

/**
 * `POST /webhooks/openai/<resource>`: reads the body, verifies it against that resource's
 * secret, drops a delivery already claimed, and tells `onJobEvent` of a fine-tuning event.
 * Answers carry a short reason and never the body or the secret. A 5xx makes the sender
 * retry, so it is kept for what a retry can fix (our Redis, our configuration).
 */
export function createWebhookRoute(
  opts: WebhookRouteOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  for (const [name, secret] of opts.resources) {
    // Refused here rather than on every delivery: a typo would otherwise show up as 401s only.
    if (!isWebhookSecret(secret))
      throw new Error(`the webhook secret of resource ${name} is not whsec_ followed by base64`);
  }
  const clock = opts.clock ?? Date.now;
  const maxBytes = opts.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  const log = opts.logger;

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    const resource = path.startsWith(WEBHOOK_PATH_PREFIX)
      ? path.slice(WEBHOOK_PATH_PREFIX.length)
      : '';
    const secret = opts.resources.get(resource);
    if (secret === undefined) {
      req.resume();
      return sendJson(res, 404, { ok: false, error: 'unknown_resource' });
    }
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('allow', 'POST');
      return sendJson(res, 405, { ok: false, error: 'method_not_allowed' });
    }
    const read = await readBody(req, { maxBytes, timeoutMs: BODY_TIMEOUT_MS });
    if (!read.ok) {
      if (read.reason === 'aborted') return;
      // The rest of the body is never read: close the connection once answered.
      res.setHeader('connection', 'close');
      res.on('finish', () => req.socket.destroy());
      const tooLarge = read.reason === 'too_large';
      return sendJson(res, tooLarge ? 413 : 408, {
        ok: false,
        error: tooLarge ? 'body_too_large' : 'body_timeout',
      });
    }
    const verdict = verifyWebhook({
      headers: req.headers,
      body: read.body,
      secret,
      nowSeconds: Math.floor(clock() / 1000),
    });
    if (!verdict.ok) {
      log?.warn({ resource, reason: verdict.reason }, 'refused a webhook that failed verification');
      if (verdict.reason === 'bad_secret')
        return sendJson(res, 500, { ok: false, error: 'misconfigured' });
      return sendJson(res, 401, { ok: false, error: verdict.reason });
    }
    let json: unknown;
    try {
      json = JSON.parse(read.body.toString('utf8'));
    } catch {
      return sendJson(res, 400, { ok: false, error: 'malformed_body' });
    }
    const parsed = parseWebhookEvent(json);
    if (parsed.kind === 'invalid') return sendJson(res, 400, { ok: false, error: 'not_an_event' });
    if (parsed.kind === 'ignored') return sendJson(res, 200, { ok: true, ignored: true });
    let first: boolean;
    try {
      first = await opts.claimDelivery(verdict.id);
    } catch {
      // Acting without the record could act twice; refusing makes the sender try again later.
      log?.warn({ resource }, 'webhook dedupe failed: Redis is not answering');
      return sendJson(res, 503, { ok: false, error: 'store_unavailable' });
    }
    const { type, data } = parsed.event;
    if (!first) {
      log?.info({ resource, webhookId: verdict.id }, 'dropped a webhook delivered before');
      return sendJson(res, 200, { ok: true, duplicate: true });
    }
    log?.info({ resource, webhookId: verdict.id, type, jobId: data.id }, 'webhook accepted');
    tell(
      () => opts.onJobEvent(resource, data.id, type),
      (err) => log?.warn({ resource, jobId: data.id, type, err }, 'acting on a webhook failed'),
    );
    sendJson(res, 200, { ok: true });
  };

  return (req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal' });
    });
  };
}

/** Runs `work` without waiting for it; a throw or a rejection goes to `failed`. */
function tell(work: () => void | Promise<void>, failed: (err: unknown) => void): void {
  try {
    Promise.resolve(work()).catch(failed);
  } catch (err) {
    failed(err);
  }
}

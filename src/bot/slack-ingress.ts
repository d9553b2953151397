import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import type { Logger } from 'pino';
import { RedisUnavailableError } from '../store/redis.ts';
import type { RequestClaim } from '../store/replay.ts';
import { deliveryIdOf } from './delivery-dedupe.ts';
import { sendJson } from './http-server.ts';
import { readBody } from './read-body.ts';
import { verifySlackSignature } from './verify-signature.ts';

/** Slack's own limit for interactive payloads is far below this; larger bodies are refused. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Slack sends a whole request at once; a body still arriving after this is not Slack. */
const BODY_TIMEOUT_MS = 10_000;

export interface SlackIngressOptions {
  signingSecret: string;
  /** Bolt's HTTP receiver listener; it finds the buffered body we leave on `req.rawBody`. */
  boltListener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Claims the signature and the delivery ID (when there is one) in one round trip. */
  claim: (signature: string, deliveryId: string | undefined) => Promise<RequestClaim>;
  /**
   * Posts a message to a response_url: how a request acked before its claim is told that
   * Redis is down. Without it, commands and clicks are acked only after the claim.
   */
  answerLater?: (responseUrl: string, text: string) => Promise<void>;
  /**
   * Whether a command or click may be acked before Bolt sees it (ftops: when it comes from
   * the home workspace, already known); otherwise Bolt's middleware answers it in the ack.
   */
  mayAckEarly?: (body: Readonly<Record<string, unknown>>) => boolean;
  logger: Logger;
  nowSeconds?: () => number;
  /** Told of every refused request, for metrics. */
  onRefused?: (reason: string) => void;
  /** Told how long each accepted request took to be answered (Bolt answers at `ack()`). */
  onAnswered?: (seconds: number, kind: 'command' | 'action' | 'view') => void;
}

/**
 * `POST /slack/events`: buffers the body, checks the signature and timestamp strictly, refuses
 * replays of a signature already seen and redeliveries of a trigger or event already handled
 * (one Redis round trip), tags the request with a correlation ID, then hands it to Bolt.
 * Nothing reaches a listener unless all of that passed.
 *
 * A slash command or a button click is acked (an empty 200, all Slack needs) as soon as its
 * signature holds, before the Redis claim: a replay or a redelivery would get the same empty
 * 200 anyway, and Slack's wait is then only the CPU of the check. Bolt then runs on a response
 * that writes nowhere. Modal submissions and events keep Bolt's own ack, since theirs may
 * carry a body.
 */
export function createSlackIngress(opts: SlackIngressOptions) {
  const now = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    readBody(req, { maxBytes: MAX_BODY_BYTES, timeoutMs: BODY_TIMEOUT_MS }).then(
      async (read) => {
        if (!read.ok) {
          opts.onRefused?.(read.reason);
          if (read.reason === 'aborted') return;
          // Close the connection: the rest of the body is never read.
          res.setHeader('connection', 'close');
          sendJson(res, read.reason === 'too_large' ? 413 : 408, {
            ok: false,
            error: read.reason === 'too_large' ? 'body_too_large' : 'body_timeout',
          });
          res.on('finish', () => req.socket.destroy());
          return;
        }
        const body = read.body.toString('utf8');
        const verdict = verifySlackSignature({
          secret: opts.signingSecret,
          body,
          signature: header(req, 'x-slack-signature'),
          timestamp: header(req, 'x-slack-request-timestamp'),
          nowSeconds: now(),
        });
        if (!verdict.ok) {
          opts.onRefused?.(verdict.reason);
          opts.logger.warn(
            { reason: verdict.reason },
            'refused a Slack request that failed verification',
          );
          sendJson(res, 401, { ok: false, error: 'invalid_signature' });
          return;
        }
        if (parsesToNull(body, header(req, 'content-type'))) {
          // Bolt reads a property of the parsed body without a null check, outside any
          // try: a signed `payload=null` would end the process with an unhandled rejection.
          opts.onRefused?.('malformed');
          opts.logger.warn('refused a signed Slack request whose body is null');
          sendJson(res, 400, { ok: false, error: 'malformed_body' });
          return;
        }
        const fields = earlyFields(body, header(req, 'content-type'));
        const early =
          opts.answerLater !== undefined &&
          fields.ackAtOnce &&
          (opts.mayAckEarly?.(fields.parsed) ?? true);
        if (early) {
          res.writeHead(200).end();
          if (opts.onAnswered) opts.onAnswered((performance.now() - started) / 1000, fields.kind);
        }
        let claim: RequestClaim;
        try {
          claim = await opts.claim(verdict.signature, fields.deliveryId);
        } catch {
          // Without the replay record we cannot tell a replay from a first request: refuse both.
          opts.onRefused?.('store_unavailable');
          opts.logger.error('replay check failed: Redis is not answering');
          const text = new RedisUnavailableError().message;
          if (!early) sendJson(res, 200, { response_type: 'ephemeral', text });
          else if (fields.responseUrl)
            await opts.answerLater?.(fields.responseUrl, text).catch(() => undefined);
          return;
        }
        if (!claim.freshSignature || !claim.firstDelivery) {
          const replay = !claim.freshSignature;
          opts.onRefused?.(replay ? 'replay' : 'redelivery');
          if (replay)
            opts.logger.warn('ignored a replayed Slack request (same signature seen before)');
          else opts.logger.info('dropped a Slack delivery already handled (a redelivery or retry)');
          if (!early) res.writeHead(200).end();
          return;
        }
        const buffered = req as IncomingMessage & {
          rawBody?: Buffer;
          correlationId?: string;
          deliveryClaimed?: boolean;
        };
        buffered.rawBody = read.body;
        buffered.correlationId = newCorrelationId();
        buffered.deliveryClaimed = true;
        if (early) {
          opts.boltListener(req, ANSWERED);
          return;
        }
        if (opts.onAnswered) {
          const kind = fields.kind;
          res.once('finish', () => opts.onAnswered?.((performance.now() - started) / 1000, kind));
        }
        opts.boltListener(req, res);
      },
      () => {
        if (!res.headersSent) sendJson(res, 400, { ok: false, error: 'unreadable_body' });
      },
    );
  };
}

/** A short random ID that ties a user's error message to the log line about it. */
export function newCorrelationId(): string {
  return randomBytes(6).toString('base64url');
}

/** What the door needs of a request before Bolt parses it: its kind, delivery and reply URL. */
interface EarlyFields {
  kind: 'command' | 'action' | 'view';
  /** A slash command or a button click: an empty ack is all Slack waits for. */
  ackAtOnce: boolean;
  deliveryId: string | undefined;
  responseUrl: string | undefined;
  /** The body as Bolt will see it. */
  parsed: Readonly<Record<string, unknown>>;
}

/** Reads the fields as Bolt will (node:querystring, then the `payload` JSON). */
function earlyFields(body: string, contentType: string | undefined): EarlyFields {
  let parsed: Record<string, unknown> = {};
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const form = parseForm(body);
      parsed =
        typeof form.payload === 'string'
          ? (JSON.parse(form.payload) as Record<string, unknown>)
          : (form as Record<string, unknown>);
    } else parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // Bolt answers a body it cannot parse with a 400 itself.
  }
  if (typeof parsed !== 'object' || parsed === null) parsed = {};
  const type = parsed.type;
  const isCommand = typeof parsed.command === 'string';
  const kind = isCommand ? 'command' : type === 'view_submission' ? 'view' : 'action';
  const responseUrl = typeof parsed.response_url === 'string' ? parsed.response_url : undefined;
  return {
    kind,
    ackAtOnce: isCommand || type === 'block_actions',
    deliveryId: deliveryIdOf(parsed),
    responseUrl,
    parsed,
  };
}

/**
 * The response Bolt writes to once the door acked: it takes every write and sends nothing,
 * as the real one has been answered.
 */
const ANSWERED = {
  headersSent: true,
  statusCode: 200,
  writeHead() {
    return this;
  },
  setHeader() {
    return this;
  },
  getHeader: () => undefined,
  end() {
    return this;
  },
  once() {
    return this;
  },
  on() {
    return this;
  },
} as unknown as ServerResponse;

/** True when Bolt would parse `body` (as its receiver does: node:querystring, then JSON) to `null`. */
export function parsesToNull(body: string, contentType: string | undefined): boolean {
  let json: string = body;
  if (contentType === 'application/x-www-form-urlencoded') {
    const { payload } = parseForm(body);
    if (typeof payload !== 'string') return false;
    json = payload;
  }
  try {
    return JSON.parse(json) === null;
  } catch {
    return false; // Bolt answers a body it cannot parse with a 400 itself
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

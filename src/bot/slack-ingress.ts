import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import type { Logger } from 'pino';
import { RedisUnavailableError } from '../store/redis.ts';
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
  /** Resolves true the first time a signature is seen, false for a replay. */
  claimSignature: (signature: string) => Promise<boolean>;
  logger: Logger;
  nowSeconds?: () => number;
  /** Told of every refused request, for metrics. */
  onRefused?: (reason: string) => void;
  /** Told how long each accepted request took to be answered (Bolt answers at `ack()`). */
  onAnswered?: (seconds: number, kind: 'command' | 'action' | 'view') => void;
}

/**
 * `POST /slack/events`: buffers the body, checks the signature and timestamp strictly, refuses
 * replays of a signature already seen, tags the request with a correlation ID, then hands it to
 * Bolt. Nothing reaches a listener unless all of that passed.
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
        let fresh: boolean;
        try {
          fresh = await opts.claimSignature(verdict.signature);
        } catch {
          // Without the replay record we cannot tell a replay from a first request: refuse both.
          opts.onRefused?.('store_unavailable');
          opts.logger.error('replay check failed: Redis is not answering');
          sendJson(res, 200, {
            response_type: 'ephemeral',
            text: new RedisUnavailableError().message,
          });
          return;
        }
        if (!fresh) {
          opts.onRefused?.('replay');
          opts.logger.warn('ignored a replayed Slack request (same signature seen before)');
          res.writeHead(200).end();
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
        const buffered = req as IncomingMessage & { rawBody?: Buffer; correlationId?: string };
        buffered.rawBody = read.body;
        buffered.correlationId = newCorrelationId();
        if (opts.onAnswered) {
          const kind = requestKind(body);
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

/** Slash commands are plain forms; interactivity comes as a `payload` field. */
function requestKind(body: string): 'command' | 'action' | 'view' {
  if (!body.startsWith('payload=') && !body.includes('&payload=')) return 'command';
  return body.includes('view_submission') ? 'view' : 'action';
}

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

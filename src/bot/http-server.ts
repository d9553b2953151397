import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `GET /readyz` reports: every check by name, and whether all passed. */
export interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface HttpServerOptions {
  /** Handles `POST /slack/events`; absent in Socket Mode and in worker-only processes. */
  slackEvents?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Handles `POST /webhooks/openai/<resource>` (OpenAI platform webhooks); absent when none are set up. */
  webhooks?: (req: IncomingMessage, res: ServerResponse) => void;
  readiness: () => Promise<Readiness>;
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Extra routes (the sandbox serves its page this way). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * The process's one HTTP listener: Slack's endpoint next to the operator routes, so health and
 * metrics stay reachable on `PORT` in every mode, Socket Mode included.
 */
export function createHttpServer(opts: HttpServerOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/slack/events' && opts.slackEvents) {
      opts.slackEvents(req, res);
      return;
    }
    if (req.method === 'POST' && path?.startsWith('/webhooks/openai/') && opts.webhooks) {
      opts.webhooks(req, res);
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      sendJson(res, 200, { ok: true });
      return;
    }
    if (req.method === 'GET' && path === '/readyz') {
      opts.readiness().then(
        (r) => sendJson(res, r.ok ? 200 : 503, r),
        () => sendJson(res, 503, { ok: false, checks: { readiness: { ok: false } } }),
      );
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && opts.metrics) {
      opts.metrics().then(
        (m) => {
          res.writeHead(200, { 'content-type': m.contentType });
          res.end(m.body);
        },
        () => sendJson(res, 500, { ok: false }),
      );
      return;
    }
    if (opts.fallback?.(req, res)) return;
    sendJson(res, 404, { ok: false, error: 'not_found' });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

/** Starts listening on 127.0.0.1 or all interfaces and resolves with the bound port. */
export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

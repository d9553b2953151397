import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VirtualClock } from './clock.ts';
import type { HeldRequest, RecordedRequest, RequestHook } from './emulator-types.ts';
import type { FaultPlan } from './faults.ts';
import { type ApiContext, type ApiResponse, azureError, handleApiRequest } from './routes.ts';

const API_PREFIXES = ['/openai/v1', '/v1'];

/** What a request needs from the emulator: its API state, faults, clock and records. */
export interface RequestHandlerDeps {
  ctx: ApiContext;
  faults: FaultPlan;
  clock: VirtualClock;
  /** Every request is recorded here as it arrives. */
  requests: RecordedRequest[];
  hooks: Set<RequestHook>;
  /** Latency-fault timers in flight, for close() to clear. */
  timers: Set<NodeJS.Timeout>;
  /** Run first for every request (the real-time clock catches up with wall time). */
  beforeRequest?: () => void;
}

/**
 * The HTTP handler: records the request, holds it for the hooks, applies the fault plan,
 * answers from the API routes, and writes the answer (after the latency fault, if any).
 */
export function createRequestHandler(
  deps: RequestHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { ctx, faults, clock, requests, hooks, timers, beforeRequest } = deps;

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    const write = () => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (faults.latencyMs <= 0) return write();
    const timer = setTimeout(() => {
      timers.delete(timer);
      write();
    }, faults.latencyMs);
    timers.add(timer);
  };

  /** Runs the hooks on `record` at `stage`; false when the client went away meanwhile. */
  const hold = async (
    stage: HeldRequest['stage'],
    record: RecordedRequest,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<boolean> => {
    if (hooks.size === 0) return true;
    const clientGone = () => res.destroyed || req.socket.destroyed;
    const held: HeldRequest = {
      stage,
      method: record.method,
      path: record.path,
      query: record.query,
      status: record.status,
      clientGone,
    };
    await Promise.allSettled([...hooks].map(async (hook) => hook(held)));
    return !clientGone();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    req.resume(); // no route reads a body; drain it so keep-alive works
    const requestId = randomUUID();
    res.setHeader('apim-request-id', requestId);
    res.setHeader('x-request-id', requestId);
    beforeRequest?.();
    const url = new URL(req.url ?? '/', 'http://emulator');
    const prefix = API_PREFIXES.find((p) => url.pathname === p || url.pathname.startsWith(`${p}/`));
    const method = req.method ?? 'GET';
    const record: RecordedRequest = {
      method,
      path: prefix ? url.pathname.slice(prefix.length) : url.pathname,
      query: url.search.slice(1),
      status: 0,
      at: clock.now(),
    };
    requests.push(record);
    // Held before anything happens; a caller that died meanwhile had no effect.
    if (!(await hold('received', record, req, res))) return;
    const fault = prefix ? faults.next() : null;
    if (fault === 'timeout') return; // accepted, never answered; close() destroys the socket
    let result: ApiResponse;
    let headers: Record<string, string> = {};
    if (!prefix) result = azureError(404, '404', 'Resource not found');
    else if (fault === 'malformed') {
      record.status = 200;
      return send(res, 200, '{"object":"fine_tuning.job","id":"ftjob-');
    } else if (fault === '429') {
      const ms = faults.retryAfterMs;
      headers = { 'retry-after-ms': String(ms), 'retry-after': String(Math.ceil(ms / 1000)) };
      result = azureError(
        429,
        faults.errorText ?? '429',
        faults.errorText ??
          `Requests to the fine-tuning API have exceeded the rate limit of your current pricing tier. Please retry after ${Math.ceil(ms / 1000)} second(s).`,
      );
    } else if (fault === '500') result = serverError(faults.errorText);
    else {
      const path = record.path;
      result = handleApiRequest(ctx, {
        method,
        path,
        query: url.searchParams,
        headers: req.headers,
      });
      // The effect above has happened; only the answer is lost.
      if (fault === '500-after-effect') result = serverError(faults.errorText);
    }
    record.status = result.status;
    // Held after the effect; a caller that died meanwhile never hears the answer.
    if (!(await hold('handled', record, req, res))) return;
    if (result.contentType && typeof result.body === 'string') {
      send(res, result.status, result.body, { ...headers, 'content-type': result.contentType });
    } else send(res, result.status, JSON.stringify(result.body), headers);
  };

  return handle;
}

function serverError(text?: string): ApiResponse {
  return azureError(
    500,
    text ?? 'InternalServerError',
    text ?? 'The server had an error while processing your request. Sorry about that!',
  );
}

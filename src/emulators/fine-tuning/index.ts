import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FineTuningJob } from '../../api/schemas.ts';
import { createVirtualClock, type VirtualClock } from './clock.ts';
import { demoJobs } from './demo.ts';
import { type FaultConfig, type FaultKind, FaultPlan } from './faults.ts';
import { JobStore } from './job-store.ts';
import { type ApiContext, type ApiResponse, azureError, handleApiRequest } from './routes.ts';
import type { AddJobInput, PauseMode, ResultFileFormat, ResumeMode } from './sim-types.ts';
import { setStatusByHand } from './transitions.ts';
import {
  createWebhookSender,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookTarget,
} from './webhooks.ts';

export type { FaultConfig, FaultKind } from './faults.ts';
export type {
  AddJobInput,
  JobDurations,
  JobFailure,
  PauseMode,
  ResultFileFormat,
  ResumeMode,
  TrainingCurve,
} from './sim-types.ts';
export type { WebhookAttempt, WebhookDelivery, WebhookTarget } from './webhooks.ts';

/**
 * A local stand-in of the Azure AI Foundry / OpenAI fine-tuning jobs API over real HTTP on
 * 127.0.0.1, for tests, the sandbox and `npm run emulator`. Jobs move along a virtual clock
 * that only the caller advances (or wall time, with `realTime`); faults are injected per run.
 * See docs/CONTRACTS.md ("Fine-tuning emulator") for the contract.
 */

export interface FineTuningEmulatorOptions {
  /** 0 (default) = a free port on 127.0.0.1. */
  port?: number;
  /** Accepted as `api-key: <key>`; default 'test-key'. */
  apiKey?: string;
  /** Accepted as `Authorization: Bearer <t>`: a list, or a predicate (Entra tokens are arbitrary); default ['test-token']. */
  bearerTokens?: string[] | ((token: string) => boolean);
  pauseMode?: PauseMode;
  resumeMode?: ResumeMode;
  seedDemoJobs?: boolean;
  /** Move the virtual clock with wall time (for demos); tests leave it off. */
  realTime?: boolean;
  /** Virtual clock start in ms; default Date.now(). */
  startTime?: number;
  /**
   * Send the OpenAI platform's signed `fine_tuning.job.{succeeded,failed,cancelled}` webhook
   * to `url` whenever a job finishes (not for jobs added already finished).
   */
  webhooks?: WebhookTarget;
  /**
   * How result files (`GET /files/{id}/content`) are written: Azure's columns (default) or
   * OpenAI's, plain (default) or base64-encoded as some Azure deployments send them. A job's
   * own `resultFile` wins.
   */
  resultFiles?: ResultFileFormat;
}

/** One request as the emulator saw it; `status` 0 means it was never answered (timeout fault). */
export interface RecordedRequest {
  method: string;
  /** Without the `/openai/v1` or `/v1` prefix. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  status: number;
  /** Virtual clock ms when it arrived. */
  at: number;
}

/**
 * A request as an `onRequest` hook sees it: at `received` (before any fault or effect) and at
 * `handled` (its effect applied and `status` known, before the answer is written).
 */
export interface HeldRequest {
  stage: 'received' | 'handled';
  method: string;
  path: string;
  query: string;
  /** 0 at `received`. */
  status: number;
  /** True once the client's connection has closed (e.g. the caller was killed). */
  clientGone(): boolean;
}

/**
 * Called for every request at both stages; the request waits until every hook settles. A
 * request whose client went away while held at `received` is dropped unhandled (status 0),
 * and one held at `handled` is not answered.
 */
export type RequestHook = (req: HeldRequest) => void | Promise<void>;

export interface FineTuningEmulator {
  url: string;
  azureBaseUrl: string;
  openaiBaseUrl: string;
  clock: VirtualClock;
  addJob(partial?: AddJobInput): FineTuningJob;
  getJob(id: string): FineTuningJob | undefined;
  /** Deletes a job: from then on the API answers 404 for it and lists it no more. */
  removeJob(id: string): void;
  setStatus(id: string, status: string, extra?: Partial<FineTuningJob>): void;
  setFaults(f: FaultConfig | null): void;
  failNext(n: number, kind: FaultKind): void;
  requests: RecordedRequest[];
  /** Adds a hook that holds each request at `received` and `handled`; returns its removal. */
  onRequest(hook: RequestHook): () => void;
  /** Every webhook sent, oldest first; always empty without the `webhooks` option. */
  webhookDeliveries: WebhookDelivery[];
  /** Sends a delivery again with its `webhook-id` and body, signed anew; resolves when answered. */
  redeliverWebhook(webhookId: string): Promise<WebhookAttempt>;
  /** Resolves once every webhook in flight has been answered or has failed. */
  webhooksSettled(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const API_PREFIXES = ['/openai/v1', '/v1'];

/** Starts the emulator; resolves once it listens. */
export async function startFineTuningEmulator(
  opts: FineTuningEmulatorOptions = {},
): Promise<FineTuningEmulator> {
  const webhooks = opts.webhooks ? createWebhookSender(opts.webhooks) : undefined;
  const store = new JobStore(
    webhooks &&
      ((sim) => webhooks.jobFinished(sim.job.id, sim.job.status, sim.job.finished_at ?? 0)),
  );
  const faults = new FaultPlan();
  const clock = createVirtualClock(opts.startTime ?? Date.now(), (now) => store.advance(now));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const hooks = new Set<RequestHook>();
  const bearer = opts.bearerTokens ?? ['test-token'];
  const ctx: ApiContext = {
    store,
    now: () => clock.now(),
    apiKey: opts.apiKey ?? 'test-key',
    acceptBearer: typeof bearer === 'function' ? bearer : (t) => bearer.includes(t),
    pauseMode: opts.pauseMode ?? 'two-step',
    resumeMode: opts.resumeMode ?? 'two-step',
    ...(opts.resultFiles ? { resultFiles: opts.resultFiles } : {}),
  };

  let wall = Date.now();
  const followWallTime = () => {
    const w = Date.now();
    if (w > wall) clock.advance(w - wall);
    wall = w;
  };
  const ticker = opts.realTime ? setInterval(followWallTime, 250) : undefined;
  ticker?.unref();

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
    if (opts.realTime) followWallTime();
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

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const emulator: FineTuningEmulator = {
    url,
    azureBaseUrl: `${url}/openai/v1`,
    openaiBaseUrl: `${url}/v1`,
    clock,
    requests,
    addJob: (partial = {}) => wireCopy(store.add(partial, clock.now()).job),
    getJob: (id) => {
      const sim = store.get(id);
      return sim ? wireCopy(sim.job) : undefined;
    },
    removeJob(id) {
      if (!store.remove(id)) throw new Error(`no emulated job ${id}`);
    },
    setStatus(id, status, extra = {}) {
      const sim = store.get(id);
      if (!sim) throw new Error(`no emulated job ${id}`);
      const createdAt = sim.job.created_at;
      setStatusByHand(sim, status, extra, clock.now());
      store.changed(sim, createdAt);
    },
    setFaults: (f) => faults.set(f),
    failNext: (n, kind) => faults.failNext(n, kind),
    onRequest(hook) {
      hooks.add(hook);
      return () => void hooks.delete(hook);
    },
    webhookDeliveries: webhooks?.deliveries ?? [],
    async redeliverWebhook(webhookId) {
      if (!webhooks) throw new Error('the emulator was started without webhooks');
      return webhooks.redeliver(webhookId);
    },
    webhooksSettled: () => webhooks?.settled() ?? Promise.resolve(),
    reset() {
      hooks.clear();
      store.clear();
      faults.reset();
      requests.length = 0;
      webhooks?.reset();
    },
    async close() {
      if (ticker) clearInterval(ticker);
      await webhooks?.close();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive and hanging (timeout-fault) sockets would hold close() open; end them now.
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
  if (opts.seedDemoJobs) for (const job of demoJobs(clock.now())) emulator.addJob(job);
  return emulator;
}

/** The job as a client would get it over the wire (and a copy the caller cannot mutate). */
function wireCopy(job: FineTuningJob): FineTuningJob {
  return JSON.parse(JSON.stringify(job)) as FineTuningJob;
}

function serverError(text?: string): ApiResponse {
  return azureError(
    500,
    text ?? 'InternalServerError',
    text ?? 'The server had an error while processing your request. Sorry about that!',
  );
}

import type { IncomingHttpHeaders } from 'node:http';
import { isValidJobId } from '../../api/job-id.ts';
import { listCheckpoints, listEvents } from './history.ts';
import type { JobStore, MetadataFilter } from './job-store.ts';
import type { PauseMode, ResultFileFormat, ResumeMode, SimJob } from './sim-types.ts';
import { resultFileContent } from './training.ts';
import { cancelJob, pauseJob, resumeJob, type TransitionResult } from './transitions.ts';

/** What the routes need: the jobs, the virtual time, who may call, how pause/resume answer. */
export interface ApiContext {
  store: JobStore;
  now: () => number;
  apiKey: string;
  acceptBearer: (token: string) => boolean;
  pauseMode: PauseMode;
  resumeMode: ResumeMode;
  /** How result files are written unless a job says otherwise; default Azure's columns, plain. */
  resultFiles?: ResultFileFormat;
}

/** One API request, its path already stripped of `/openai/v1` or `/v1`. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  /** Set for a body sent as it is (a file's content, a string); else the body is JSON. */
  contentType?: string;
}

const API_VERSIONS = new Set(['v1', 'preview']);
const MAX_LIMIT = 100;

/** Azure's body for a bad key or token, word for word. */
export const ACCESS_DENIED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

/** An error in the Azure shape `{ error: { code, message, param? } }`. */
export function azureError(status: number, code: string, message: string, param?: string) {
  return { status, body: { error: { code, message, ...(param ? { param } : {}) } } };
}

/** Authenticates, validates and serves one fine-tuning API request. */
export function handleApiRequest(ctx: ApiContext, req: ApiRequest): ApiResponse {
  if (!authorized(ctx, req.headers)) return azureError(401, '401', ACCESS_DENIED);
  const version = req.query.get('api-version');
  if (version !== null && !API_VERSIONS.has(version)) {
    return azureError(
      400,
      'BadRequest',
      `API version '${version}' is not supported; use 'v1' or 'preview'.`,
      'api-version',
    );
  }
  const parts = req.path.split('/').filter(Boolean);
  if (parts[0] === 'files') return serveFile(ctx, req, parts);
  if (parts[0] !== 'fine_tuning' || parts[1] !== 'jobs' || parts.length > 4) return notFound();
  if (parts.length === 2) return only(req, 'GET', () => listJobs(ctx, req.query));
  const id = decodeSegment(parts[2]!);
  const sim = id !== null && isValidJobId(id) ? ctx.store.get(id) : undefined;
  const action = parts[3];
  const method = action === 'pause' || action === 'resume' || action === 'cancel' ? 'POST' : 'GET';
  if (
    action !== undefined &&
    !['pause', 'resume', 'cancel', 'events', 'checkpoints'].includes(action)
  ) {
    return notFound();
  }
  return only(req, method, () => {
    if (!sim)
      return azureError(404, 'NotFound', `Fine-tuning job ${id ?? parts[2]} was not found.`);
    return serveJob(ctx, req.query, sim, action);
  });
}

function serveJob(
  ctx: ApiContext,
  query: URLSearchParams,
  sim: SimJob,
  action: string | undefined,
): ApiResponse {
  const now = ctx.now();
  switch (action) {
    case undefined:
      return { status: 200, body: sim.job };
    case 'pause':
      return transition(sim, pauseJob(sim, now, ctx.pauseMode), ctx);
    case 'resume':
      return transition(sim, resumeJob(sim, now, ctx.resumeMode), ctx);
    case 'cancel':
      return transition(sim, cancelJob(sim, now), ctx);
    case 'events':
      return paged(query, 20, (after, limit) => listEvents(sim.history, after, limit));
    default:
      return paged(query, 10, (after, limit) => listCheckpoints(sim.history, after, limit));
  }
}

/**
 * `GET /files/{id}` (the file object) and `GET /files/{id}/content`: result files only, the
 * CSV of the job's trained steps, written when asked so it always matches the job's curve.
 */
function serveFile(ctx: ApiContext, req: ApiRequest, parts: string[]): ApiResponse {
  if (parts.length < 2 || parts.length > 3 || (parts.length === 3 && parts[2] !== 'content')) {
    return notFound();
  }
  const id = decodeSegment(parts[1]!);
  return only(req, 'GET', () => {
    const sim = id === null ? undefined : ctx.store.fileOwner(id);
    if (!sim || id === null) {
      return azureError(404, 'NotFound', `File ${id ?? parts[1]} was not found.`);
    }
    const format = { ...ctx.resultFiles, ...sim.resultFile };
    const content = resultFileContent(sim, format);
    if (parts.length === 3) {
      return { status: 200, body: content, contentType: 'application/octet-stream' };
    }
    return {
      status: 200,
      body: {
        object: 'file',
        id,
        purpose: 'fine-tune-results',
        filename: 'step_metrics.csv',
        bytes: Buffer.byteLength(content),
        created_at: sim.job.finished_at ?? sim.job.created_at,
        status: 'processed',
        status_details: null,
      },
    };
  });
}

function transition(sim: SimJob, result: TransitionResult, ctx: ApiContext): ApiResponse {
  if (!result.ok) return azureError(400, 'invalidJobState', result.message);
  ctx.store.touch(sim);
  return { status: 200, body: sim.job };
}

function listJobs(ctx: ApiContext, query: URLSearchParams): ApiResponse {
  let metadata: MetadataFilter | undefined;
  for (const [key, value] of query) {
    const m = /^metadata\[(.+)\]$/.exec(key);
    if (m) metadata = { ...metadata, [m[1]!]: value };
    // `metadata=` (what `metadata: null` becomes on the wire) asks for jobs without metadata.
    else if (key === 'metadata' && value === '' && metadata === undefined) metadata = null;
  }
  return paged(query, 20, (after, limit) => ctx.store.list(after, limit, metadata));
}

/** Parses `after` and `limit` (1..100; anything else is a 400, not clamped) and serves a page. */
function paged(
  query: URLSearchParams,
  defaultLimit: number,
  page: (after: string | undefined, limit: number) => unknown,
): ApiResponse {
  const raw = query.get('limit');
  const limit = raw === null ? defaultLimit : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    return azureError(
      400,
      'BadRequest',
      `Invalid value for 'limit': ${raw}. It must be an integer from 1 to ${MAX_LIMIT}.`,
      'limit',
    );
  }
  return { status: 200, body: page(query.get('after') ?? undefined, limit) };
}

function only(req: ApiRequest, method: string, serve: () => ApiResponse): ApiResponse {
  if (req.method === method) return serve();
  return azureError(405, 'MethodNotAllowed', `${req.method} is not allowed here; use ${method}.`);
}

function notFound(): ApiResponse {
  return azureError(404, '404', 'Resource not found');
}

function authorized(ctx: ApiContext, headers: IncomingHttpHeaders): boolean {
  const key = headers['api-key'];
  if (typeof key === 'string' && key === ctx.apiKey) return true;
  const m = /^Bearer (.+)$/i.exec(headers.authorization ?? '');
  return m !== null && ctx.acceptBearer(m[1]!);
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { alreadyDone } from './actions.ts';
import { createAuthProvider } from './auth.ts';
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  BadRequestError,
  type ClientAction,
  ConflictError,
  CredentialUnavailableError,
  describeAction,
  type ErrorContext,
  FineTuningError,
  InvalidResponseError,
  redact,
  requestIdOf,
  safeCause,
} from './errors.ts';
import { createTransport, type HttpResponse, TransportError } from './http.ts';
import { jobPath } from './path.ts';
import { DEFAULT_MAX_RETRIES, defaultRetryPolicy, retryDelayMs, shouldRetry } from './retry.ts';
import {
  type FineTuningJob,
  FineTuningJobCheckpointSchema,
  FineTuningJobEventSchema,
  FineTuningJobSchema,
  listSchema,
} from './schemas.ts';
import type { CallOptions, ClientOptions, FineTuningClient, ListOptions, Page } from './types.ts';

/** Per-attempt timeout when the caller sets none. */
export const DEFAULT_TIMEOUT_MS = 30_000;

const JobListSchema = listSchema(FineTuningJobSchema);
const EventListSchema = listSchema(FineTuningJobEventSchema);
const CheckpointListSchema = listSchema(FineTuningJobCheckpointSchema);

interface CallSpec<S extends z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  query?: URLSearchParams;
  schema: S;
  action: ClientAction;
  jobId?: string;
  signal?: AbortSignal | undefined;
}

/** Describes why a body could not be understood, e.g. "no `id`" or "not JSON (starts with …)". */
function describeParseProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const where = issue.path.map(String).join('.');
  if (where === '') return 'not a JSON object';
  if (/received undefined/.test(issue.message)) return `no \`${where}\``;
  return `\`${where}\`: ${issue.message}`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function preview(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t === '') return 'an empty body';
  return `not JSON (starts with ${JSON.stringify(t.slice(0, 40))})`;
}

function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Builds the fine-tuning client: one keep-alive connection pool, retries, typed answers. */
export function createFineTuningClient(options: ClientOptions): FineTuningClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const host = new URL(baseUrl).host;
  const auth = createAuthProvider(options.auth);
  const transport = createTransport();
  const policy = options.retryPolicy ?? defaultRetryPolicy;
  const maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const report = (
    method: string,
    path: string,
    status: number,
    started: number,
    attempt: number,
  ) => {
    try {
      options.onRequest?.({
        method,
        path,
        status,
        durationMs: performance.now() - started,
        attempt,
      });
    } catch {
      // An observer's bug must not fail the call it observes.
    }
  };

  const urlFor = (path: string, query?: URLSearchParams) => {
    const q = new URLSearchParams(query);
    if (options.apiVersion) q.set('api-version', options.apiVersion);
    const qs = q.toString();
    return `${baseUrl}${path}${qs ? `?${qs}` : ''}`;
  };

  const parseSuccess = <S extends z.ZodType>(
    res: HttpResponse,
    spec: CallSpec<S>,
    ctx: ErrorContext,
  ): z.infer<S> => {
    const json = parseJson(res.body);
    const parsed = json.ok ? spec.schema.safeParse(json.value) : undefined;
    if (parsed?.success) return parsed.data;
    const problem = parsed ? describeParseProblem(parsed.error) : preview(res.body);
    const requestId = requestIdOf(res.headers);
    const tried = (ctx.attempts ?? 1) > 1 ? `, tried ${ctx.attempts} times` : '';
    throw new InvalidResponseError(
      redact(
        `The fine-tuning API sent an answer ftops could not understand when asked to ${describeAction(ctx)}: ${problem}${tried}${requestId ? `, request ID ${requestId}` : ''}.`,
        ctx.secrets,
      ),
      {
        status: res.status,
        code: 'invalid_response',
        requestId,
        attempts: ctx.attempts,
        jobId: ctx.jobId,
        cause: parsed ? parsed.error : undefined,
      },
    );
  };

  async function call<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.infer<S>> {
    const { signal } = spec;
    const url = urlFor(spec.path, spec.query);
    const ctxFor = (attempts: number): ErrorContext => ({
      action: spec.action,
      jobId: spec.jobId,
      authType: auth.type,
      attempts,
      secrets: auth.secrets(),
    });
    const aborted = (attempts: number) =>
      new APIUserAbortError(`The request to ${describeAction(ctxFor(attempts))} was cancelled.`, {
        attempts,
        jobId: spec.jobId,
      });

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw aborted(attempt - 1);
      let authHeaders: Record<string, string>;
      try {
        authHeaders = await auth.headers(signal);
      } catch (err) {
        if (signal?.aborted) throw aborted(attempt - 1);
        if (err instanceof FineTuningError) throw err;
        throw new CredentialUnavailableError(safeCause(err).message, safeCause(err));
      }

      const started = performance.now();
      let failure: FineTuningError;
      let responseHeaders: HttpResponse['headers'] | undefined;
      try {
        const res = await transport.send({
          method: spec.method,
          url,
          headers: { accept: 'application/json', 'user-agent': 'ftops', ...authHeaders },
          timeoutMs,
          signal,
        });
        report(spec.method, spec.path, res.status, started, attempt);
        responseHeaders = res.headers;
        const ctx = ctxFor(attempt);
        if (res.status >= 200 && res.status < 300) {
          try {
            return parseSuccess(res, spec, ctx);
          } catch (err) {
            if (!(err instanceof InvalidResponseError)) throw err;
            failure = err;
          }
        } else {
          // A rejected token may have been revoked early: fetch a new one next time.
          if (res.status === 401) auth.invalidate();
          const json = parseJson(res.body);
          failure = APIError.generate(
            res.status,
            json.ok ? json.value : res.body,
            res.headers,
            ctx,
          );
        }
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        report(spec.method, spec.path, 0, started, attempt);
        if (err.kind === 'abort') throw aborted(attempt);
        const secrets = auth.secrets();
        const tried = attempt > 1 ? `tried ${attempt} times` : 'tried once';
        const what = describeAction(ctxFor(attempt));
        failure =
          err.kind === 'timeout'
            ? new APITimeoutError(
                `The fine-tuning API did not answer within ${timeoutMs / 1000} s when asked to ${what}, ${tried}.`,
                { code: 'timeout', attempts: attempt, jobId: spec.jobId },
              )
            : new APIConnectionError(
                `ftops could not reach the fine-tuning API at ${host} to ${what} (${networkCode(err.cause) ?? 'network error'}), ${tried}.`,
                {
                  code: networkCode(err.cause) ?? 'connection_error',
                  attempts: attempt,
                  jobId: spec.jobId,
                  cause: safeCause(err.cause, secrets),
                },
              );
      }

      if (attempt > maxRetries || !shouldRetry(failure)) throw failure;
      const wait = retryDelayMs(attempt, responseHeaders, policy);
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        throw aborted(attempt);
      }
    }
  }

  const listQuery = (opts: ListOptions & { metadata?: Record<string, string> }) => {
    const q = new URLSearchParams();
    if (opts.after !== undefined) q.set('after', opts.after);
    if (opts.limit !== undefined) q.set('limit', String(opts.limit));
    // OpenAI's metadata filter: metadata[key]=value.
    for (const [k, v] of Object.entries(opts.metadata ?? {})) q.set(`metadata[${k}]`, v);
    return q;
  };

  const page = <T>(p: { data: T[]; has_more: boolean }): Page<T> => ({
    data: p.data,
    hasMore: p.has_more,
  });

  const getJob = async (id: string, opts: CallOptions = {}): Promise<FineTuningJob> =>
    call({
      method: 'GET',
      path: jobPath(id),
      schema: FineTuningJobSchema,
      action: 'get',
      jobId: id,
      signal: opts.signal,
    });

  /**
   * Pause/resume/cancel. When an attempt may have worked without its answer arriving (a 5xx,
   * a timeout, a garbled body), a retry refused because of it succeeds, and so does a call whose
   * every attempt failed that way if the job now shows the change: it is not reported failed.
   */
  const changeState = async (
    id: string,
    action: 'pause' | 'resume' | 'cancel',
    opts: CallOptions = {},
  ): Promise<FineTuningJob> => {
    const path = jobPath(id, action);
    try {
      return await call({
        method: 'POST',
        path,
        schema: FineTuningJobSchema,
        action,
        jobId: id,
        signal: opts.signal,
      });
    } catch (err) {
      const refusedOnRetry =
        (err instanceof BadRequestError || err instanceof ConflictError) && (err.attempts ?? 1) > 1;
      // A transient failure may have hidden an effect; the caller's abort has not.
      const mayHaveWorked = shouldRetry(err) && !opts.signal?.aborted;
      if (!refusedOnRetry && !mayHaveWorked) throw err;
      const job = await getJob(id, opts).catch(() => undefined);
      if (job && alreadyDone(action, job.status)) return job;
      throw err;
    }
  };

  const listJobs: FineTuningClient['listJobs'] = async (opts = {}) =>
    page(
      await call({
        method: 'GET',
        path: '/fine_tuning/jobs',
        query: listQuery(opts),
        schema: JobListSchema,
        action: 'list',
        signal: opts.signal,
      }),
    );

  return {
    listJobs,
    async *jobs(opts = {}) {
      let after = opts.after;
      for (;;) {
        const { data, hasMore } = await listJobs({ ...opts, after });
        yield* data;
        const last = data.at(-1);
        if (!hasMore || !last) return;
        after = last.id;
      }
    },
    getJob,
    pauseJob: (id, opts) => changeState(id, 'pause', opts),
    resumeJob: (id, opts) => changeState(id, 'resume', opts),
    cancelJob: (id, opts) => changeState(id, 'cancel', opts),
    listEvents: async (id, opts = {}) =>
      page(
        await call({
          method: 'GET',
          path: jobPath(id, 'events'),
          query: listQuery(opts),
          schema: EventListSchema,
          action: 'events',
          jobId: id,
          signal: opts.signal,
        }),
      ),
    listCheckpoints: async (id, opts = {}) =>
      page(
        await call({
          method: 'GET',
          path: jobPath(id, 'checkpoints'),
          query: listQuery(opts),
          schema: CheckpointListSchema,
          action: 'checkpoints',
          jobId: id,
          signal: opts.signal,
        }),
      ),
    close: () => transport.close(),
  };
}

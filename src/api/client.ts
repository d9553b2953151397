import type { z } from 'zod';
import { alreadyDone } from './actions.ts';
import { createAuthProvider } from './auth.ts';
import { BadRequestError, type ClientAction, ConflictError } from './errors.ts';
import { createFilesResource, type FilesClient } from './files.ts';
import { createTransport } from './http.ts';
import { jobPath } from './path.ts';
import { createRequester } from './request.ts';
import { DEFAULT_MAX_RETRIES, defaultRetryPolicy, shouldRetry } from './retry.ts';
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

type ListQuery = ListOptions & { metadata?: Record<string, string> };

function listQuery(opts: ListQuery): URLSearchParams {
  const q = new URLSearchParams();
  if (opts.after !== undefined) q.set('after', opts.after);
  if (opts.limit !== undefined) q.set('limit', String(opts.limit));
  // OpenAI's metadata filter: metadata[key]=value.
  for (const [k, v] of Object.entries(opts.metadata ?? {})) q.set(`metadata[${k}]`, v);
  return q;
}

const page = <T>(p: { data: T[]; has_more: boolean }): Page<T> => ({
  data: p.data,
  hasMore: p.has_more,
});

/**
 * Builds the fine-tuning client: one keep-alive connection pool, retries, typed answers; the
 * files resource (a job's result file) rides on the same pool.
 */
export function createFineTuningClient(options: ClientOptions): FineTuningClient & FilesClient {
  const transport = createTransport();
  const call = createRequester({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    apiVersion: options.apiVersion,
    auth: createAuthProvider(options.auth),
    transport,
    policy: options.retryPolicy ?? defaultRetryPolicy,
    maxRetries: Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    onRequest: options.onRequest,
    headers: options.headers,
  });

  const get = <S extends z.ZodType>(
    path: string,
    schema: S,
    action: ClientAction,
    jobId: string | undefined,
    opts: CallOptions,
    query?: URLSearchParams,
  ) => call({ method: 'GET', path, query, schema, action, jobId, signal: opts.signal });

  // async, so a malformed ID rejects like every other failure instead of throwing.
  const getJob = async (id: string, opts: CallOptions = {}): Promise<FineTuningJob> =>
    get(jobPath(id), FineTuningJobSchema, 'get', id, opts);

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
    try {
      return await call({
        method: 'POST',
        path: jobPath(id, action),
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

  const listJobs = async (opts: ListQuery = {}) =>
    page(await get('/fine_tuning/jobs', JobListSchema, 'list', undefined, opts, listQuery(opts)));

  return {
    ...createFilesResource(call),
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
      page(await get(jobPath(id, 'events'), EventListSchema, 'events', id, opts, listQuery(opts))),
    listCheckpoints: async (id, opts = {}) =>
      page(
        await get(
          jobPath(id, 'checkpoints'),
          CheckpointListSchema,
          'checkpoints',
          id,
          opts,
          listQuery(opts),
        ),
      ),
    close: () => transport.close(),
  };
}

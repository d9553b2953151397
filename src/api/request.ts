import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import type { AuthProvider } from './auth.ts';
import {
  APIError,
  APIUserAbortError,
  type ClientAction,
  CredentialUnavailableError,
  describeAction,
  type ErrorContext,
  FineTuningError,
  InvalidResponseError,
  safeCause,
} from './errors.ts';
import { type HttpResponse, type Transport, TransportError } from './http.ts';
import { networkFailure } from './network-errors.ts';
import { parseJson, parseSuccess } from './response-body.ts';
import { retryDelayMs, shouldRetry } from './retry.ts';
import type { ClientOptions, RetryPolicy } from './types.ts';

/** One call to the API: what to send, how to read the answer, what to call it in errors. */
export interface CallSpec<S extends z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  query?: URLSearchParams;
  schema: S;
  action: ClientAction;
  jobId?: string;
  /** The file a `file` call reads, for its error messages. */
  fileId?: string;
  signal?: AbortSignal | undefined;
  /**
   * `text`: the body is returned as it came (a file's content), checked by `schema` as a
   * string; `json` (default) parses it first.
   */
  body?: 'json' | 'text';
  /** Refuse an answer longer than this many bytes (a file's content). */
  maxBodyBytes?: number;
}

export interface RequesterOptions {
  baseUrl: string;
  apiVersion?: ClientOptions['apiVersion'];
  auth: AuthProvider;
  transport: Transport;
  policy: RetryPolicy;
  maxRetries: number;
  timeoutMs: number;
  onRequest?: ClientOptions['onRequest'];
  headers?: ClientOptions['headers'];
}

/**
 * The one place a request is sent, retried and turned into a typed answer or a typed error:
 * auth headers per attempt, a 401 drops the cached token, `retry-after(-ms)` honoured, the
 * caller's abort ends the wait at once.
 */
export function createRequester(o: RequesterOptions) {
  const host = new URL(o.baseUrl).host;

  const report = (
    method: string,
    path: string,
    status: number,
    started: number,
    attempt: number,
  ) => {
    try {
      o.onRequest?.({ method, path, status, durationMs: performance.now() - started, attempt });
    } catch {
      // An observer's bug must not fail the call it observes.
    }
  };

  const urlFor = (path: string, query?: URLSearchParams) => {
    const q = new URLSearchParams(query);
    if (o.apiVersion) q.set('api-version', o.apiVersion);
    const qs = q.toString();
    return `${o.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  };

  return async function call<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.infer<S>> {
    const { signal } = spec;
    const url = urlFor(spec.path, spec.query);
    const ctxFor = (attempts: number): ErrorContext => ({
      action: spec.action,
      jobId: spec.jobId,
      fileId: spec.fileId,
      authType: o.auth.type,
      attempts,
      secrets: o.auth.secrets(),
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
        authHeaders = await o.auth.headers(signal);
      } catch (err) {
        if (signal?.aborted) throw aborted(attempt - 1);
        if (err instanceof FineTuningError) throw err;
        throw new CredentialUnavailableError(safeCause(err).message, safeCause(err));
      }

      const started = performance.now();
      let failure: FineTuningError;
      let responseHeaders: HttpResponse['headers'] | undefined;
      try {
        const res = await o.transport.send({
          method: spec.method,
          url,
          headers: {
            accept: spec.body === 'text' ? '*/*' : 'application/json',
            'user-agent': 'ftops',
            ...o.headers,
            ...authHeaders,
          },
          timeoutMs: o.timeoutMs,
          signal,
          ...(spec.maxBodyBytes === undefined ? {} : { maxBodyBytes: spec.maxBodyBytes }),
        });
        report(spec.method, spec.path, res.status, started, attempt);
        responseHeaders = res.headers;
        const ctx = ctxFor(attempt);
        if (res.status >= 200 && res.status < 300) {
          try {
            return spec.body === 'text'
              ? spec.schema.parse(res.body)
              : parseSuccess(res, spec.schema, ctx);
          } catch (err) {
            if (!(err instanceof InvalidResponseError)) throw err;
            failure = err;
          }
        } else {
          // A rejected token may have been revoked early: fetch a new one next time.
          if (res.status === 401) o.auth.invalidate();
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
        if (err.kind === 'too-large') throw tooLarge(spec, ctxFor(attempt));
        failure = networkFailure(err, ctxFor(attempt), { host, timeoutMs: o.timeoutMs });
      }

      if (attempt > o.maxRetries || !shouldRetry(failure)) throw failure;
      const wait = retryDelayMs(attempt, responseHeaders, o.policy);
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        throw aborted(attempt);
      }
    }
  };
}

/** An answer over `maxBodyBytes`: refused at once, since asking again gets the same. */
function tooLarge(spec: CallSpec<z.ZodType>, ctx: ErrorContext): InvalidResponseError {
  const mb = Math.round((spec.maxBodyBytes ?? 0) / (1024 * 1024));
  return new InvalidResponseError(
    `The answer to the request to ${describeAction(ctx)} is larger than ${mb} MB, more than ftops reads.`,
    { code: 'response_too_large', attempts: ctx.attempts, jobId: spec.jobId },
  );
}

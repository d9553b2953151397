import {
  APIConnectionError,
  APITimeoutError,
  describeAction,
  type ErrorContext,
  safeCause,
} from './errors.ts';
import type { TransportError } from './http.ts';

function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A timeout or a connection failure as the typed error a user reads ("could not reach …"). */
export function networkFailure(
  err: TransportError,
  ctx: ErrorContext,
  where: { host: string; timeoutMs: number },
): APITimeoutError | APIConnectionError {
  const attempts = ctx.attempts ?? 1;
  const tried = attempts > 1 ? `tried ${attempts} times` : 'tried once';
  const what = describeAction(ctx);
  if (err.kind === 'timeout')
    return new APITimeoutError(
      `The fine-tuning API did not answer within ${where.timeoutMs / 1000} s when asked to ${what}, ${tried}.`,
      { code: 'timeout', attempts, jobId: ctx.jobId },
    );
  const code = networkCode(err.cause);
  return new APIConnectionError(
    `ftops could not reach the fine-tuning API at ${where.host} to ${what} (${code ?? 'network error'}), ${tried}.`,
    {
      code: code ?? 'connection_error',
      attempts,
      jobId: ctx.jobId,
      cause: safeCause(err.cause, ctx.secrets),
    },
  );
}

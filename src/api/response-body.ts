import type { z } from 'zod';
import {
  describeAction,
  type ErrorContext,
  InvalidResponseError,
  redact,
  requestIdOf,
} from './errors.ts';
import type { HttpResponse } from './http.ts';

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Why a body could not be understood, e.g. "no `id`" or "`status`: Invalid input". */
function describeParseProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected shape';
  const where = issue.path.map(String).join('.');
  if (where === '') return 'not a JSON object';
  if (/received undefined/.test(issue.message)) return `no \`${where}\``;
  return `\`${where}\`: ${issue.message}`;
}

function preview(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  if (t === '') return 'an empty body';
  return `not JSON (starts with ${JSON.stringify(t.slice(0, 40))})`;
}

/**
 * The typed body of a 2xx answer, or an InvalidResponseError that says what was wrong with it
 * in words a user can pass on (never the body itself, which may hold anything).
 */
export function parseSuccess<S extends z.ZodType>(
  res: HttpResponse,
  schema: S,
  ctx: ErrorContext,
): z.infer<S> {
  const json = parseJson(res.body);
  const parsed = json.ok ? schema.safeParse(json.value) : undefined;
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
}

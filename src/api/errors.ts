import { isJobAction, pastTense } from './actions.ts';
import { ErrorBodySchema } from './schemas.ts';

/**
 * One error hierarchy for the fine-tuning client, modelled on openai-node's core/error.ts.
 * Every `message` is written for the person in Slack who asked: it names the job where one
 * is known and says what to do. Secrets the client holds are scrubbed from every text that
 * came from outside, and `toJSON` shows only the safe fields.
 */

/** What the client was doing when a request failed: used to word the message. */
export type ClientAction =
  | 'list'
  | 'get'
  | 'pause'
  | 'resume'
  | 'cancel'
  | 'events'
  | 'checkpoints';

/** Where an error happened, so its message can name the job and the fix. */
export interface ErrorContext {
  action?: ClientAction;
  jobId?: string;
  /** How the client authenticates; picks the 401/403 advice. */
  authType?: 'api-key' | 'bearer' | 'entra';
  /** HTTP attempts made, the failing one included. */
  attempts?: number;
  /** Values that must never appear in an error (keys, tokens). */
  secrets?: readonly string[];
}

/** Fields every error of the hierarchy may carry. */
export interface FineTuningErrorInit {
  status?: number;
  code?: string;
  param?: string;
  requestId?: string;
  attempts?: number;
  jobId?: string;
  cause?: unknown;
}

/** Base of every error the client throws; `message` is fit to show a Slack user. */
export class FineTuningError extends Error {
  readonly status?: number;
  readonly code?: string;
  readonly param?: string;
  readonly requestId?: string;
  readonly attempts?: number;
  readonly jobId?: string;

  constructor(message: string, init: FineTuningErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    if (init.param !== undefined) this.param = init.param;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.attempts !== undefined) this.attempts = init.attempts;
    if (init.jobId !== undefined) this.jobId = init.jobId;
  }

  /** Only the fields that are safe to log or show; never headers or bodies. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      param: this.param,
      requestId: this.requestId,
      attempts: this.attempts,
      jobId: this.jobId,
    };
  }
}

/** A job ID failed `isValidJobId`; no request was made. */
export class InvalidJobIdError extends FineTuningError {
  constructor(id: string) {
    const shown = id.length > 60 ? `${id.slice(0, 60)}…` : id;
    super(
      `${JSON.stringify(shown)} is not a fine-tuning job ID: expected ftjob- followed by letters, digits, _ or - (for example ftjob-abc123).`,
      { code: 'invalid_job_id' },
    );
  }
}

/** Header lookup over undici's lower-cased header record or a fetch `Headers`. */
export type ResponseHeaders = Headers | Record<string, string | string[] | undefined> | undefined;

/** Reads one header from either header shape (first value when repeated). */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The request ID Azure (`apim-request-id`) or OpenAI (`x-request-id`) stamped on a response. */
export function requestIdOf(headers: ResponseHeaders): string | undefined {
  return (
    headerValue(headers, 'apim-request-id') ??
    headerValue(headers, 'x-request-id') ??
    headerValue(headers, 'x-ms-request-id')
  );
}

/** Replaces every secret in `text` with a marker, so a body echoing a key never leaks it. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length > 0) out = out.split(s).join('[redacted]');
  }
  return out;
}

/** "list fine-tuning jobs", "read ftjob-abc", ...: what the user asked for, in words. */
export function describeAction(ctx: ErrorContext): string {
  const job = ctx.jobId ?? 'the job';
  switch (ctx.action) {
    case 'list':
      return 'list fine-tuning jobs';
    case 'get':
      return `read ${job}`;
    case 'pause':
    case 'resume':
    case 'cancel':
      return `${ctx.action} ${job}`;
    case 'events':
      return `list the events of ${job}`;
    case 'checkpoints':
      return `list the checkpoints of ${job}`;
    default:
      return 'call the fine-tuning API';
  }
}

function triedText(attempts: number | undefined): string {
  if (!attempts || attempts <= 1) return 'tried once';
  return `tried ${attempts} times`;
}

function authAdvice(status: 401 | 403, authType: ErrorContext['authType']): string {
  switch (authType) {
    case 'entra':
      return status === 401
        ? 'Its Microsoft Entra ID token was rejected: check that the identity belongs to the resource’s tenant and has the "Cognitive Services OpenAI Contributor" role on the Azure OpenAI resource.'
        : 'Grant the bot’s identity the "Cognitive Services OpenAI Contributor" role on the Azure OpenAI resource.';
    case 'api-key':
      return status === 401
        ? 'Check that AZURE_OPENAI_API_KEY is a current key of this Azure OpenAI resource and that AZURE_OPENAI_ENDPOINT points at the same resource.'
        : 'Check that the API key belongs to this resource and that the resource allows key access.';
    case 'bearer':
      return status === 401
        ? 'Check that OPENAI_API_KEY is a current key.'
        : 'Check that the key’s project and organization may use fine-tuning.';
    default:
      return 'Check the credentials ftops is configured with.';
  }
}

interface ParsedErrorBody {
  code?: string;
  message?: string;
  param?: string;
  type?: string;
}

/** Reads the Azure `{error:{code,message,param,type,inner_error}}` or OpenAI error shape. */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    const out: ParsedErrorBody = {};
    if (e.code !== null && e.code !== undefined) out.code = String(e.code);
    if (e.message) out.message = e.message;
    if (e.param) out.param = e.param;
    if (e.type) out.type = e.type;
    return out;
  }
  // Some gateways answer `{ "message": "..." }` or `{ "error": "text" }`.
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'string') return { message: b.error };
    if (typeof b.message === 'string') {
      const out: ParsedErrorBody = { message: b.message };
      if (typeof b.code === 'string' || typeof b.code === 'number') out.code = String(b.code);
      return out;
    }
  }
  if (typeof body === 'string' && body.trim() !== '') {
    const text = body.trim().replace(/\s+/g, ' ');
    return { message: text.length > 200 ? `${text.slice(0, 200)}…` : text };
  }
  return {};
}

/** An error answer from the API (any HTTP status outside 2xx). */
export class APIError extends FineTuningError {
  /** The service's own message, secrets removed. */
  readonly serviceMessage?: string;
  readonly type?: string;

  constructor(
    message: string,
    init: FineTuningErrorInit & { serviceMessage?: string; type?: string },
  ) {
    super(message, init);
    if (init.serviceMessage !== undefined) this.serviceMessage = init.serviceMessage;
    if (init.type !== undefined) this.type = init.type;
  }

  /** Maps an HTTP status and body to its class, with a message fit for Slack. */
  static generate(
    status: number,
    body: unknown,
    headers: ResponseHeaders,
    context: ErrorContext = {},
  ): APIError {
    const parsed = parseErrorBody(body);
    const serviceMessage =
      parsed.message === undefined ? undefined : redact(parsed.message, context.secrets);
    const init = {
      status,
      requestId: requestIdOf(headers),
      attempts: context.attempts,
      jobId: context.jobId,
      code: parsed.code === undefined ? undefined : redact(parsed.code, context.secrets),
      param: parsed.param === undefined ? undefined : redact(parsed.param, context.secrets),
      serviceMessage,
      type: parsed.type,
    };
    const said = serviceMessage ? `: ${serviceMessage}` : '';
    const ref = init.requestId ? `, request ID ${init.requestId}` : '';
    const what = describeAction(context);
    const mutating =
      context.jobId &&
      (context.action === 'pause' || context.action === 'resume' || context.action === 'cancel');
    const past = context.action && isJobAction(context.action) ? pastTense(context.action) : '';

    switch (true) {
      case status === 400:
        return new BadRequestError(
          mutating
            ? `${context.jobId} cannot be ${past}${said || ' in its current state'}`
            : `The fine-tuning API refused to ${what} (400)${said}`,
          init,
        );
      case status === 401:
        return new AuthenticationError(
          `The bot’s identity could not sign in to the fine-tuning API (401) to ${what}. ${authAdvice(401, context.authType)}${serviceMessage ? ` The service said: ${serviceMessage}` : ''}`,
          init,
        );
      case status === 403:
        return new PermissionDeniedError(
          `The bot’s identity lacks access to ${what} (403). ${authAdvice(403, context.authType)}${serviceMessage ? ` The service said: ${serviceMessage}` : ''}`,
          init,
        );
      case status === 404:
        return new NotFoundError(
          context.jobId
            ? `${context.jobId} was not found`
            : `The fine-tuning API has no such endpoint (404): check the API base URL${said}`,
          init,
        );
      case status === 409:
        return new ConflictError(
          mutating
            ? `${context.jobId} cannot be ${past} right now${said || ' (conflict)'}`
            : `Could not ${what}: conflict (409)${said}`,
          init,
        );
      case status === 422:
        return new UnprocessableEntityError(
          mutating
            ? `${context.jobId} cannot be ${past}${said || ' (request not accepted)'}`
            : `The fine-tuning API could not process the request to ${what} (422)${said}`,
          init,
        );
      case status === 429:
        return new RateLimitError(
          `The fine-tuning API is rate limiting ftops (429), ${triedText(context.attempts)}${ref}. Try again in a minute.`,
          init,
        );
      case status >= 500:
        return new InternalServerError(
          `The fine-tuning API is unavailable (${status}), ${triedText(context.attempts)}${ref}. Try again in a few minutes.`,
          init,
        );
      default:
        return new APIError(
          `The fine-tuning API answered ${status} when asked to ${what}${said}${ref}`,
          init,
        );
    }
  }
}

/** HTTP 400: the request was refused, e.g. pausing a job that is not running. */
export class BadRequestError extends APIError {}
/** HTTP 401: the key or token was not accepted. */
export class AuthenticationError extends APIError {}
/** HTTP 403: the identity may not do this. */
export class PermissionDeniedError extends APIError {}
/** HTTP 404: no such job (or endpoint). */
export class NotFoundError extends APIError {}
/** HTTP 409: the job's state conflicts with the request. */
export class ConflictError extends APIError {}
/** HTTP 422: the request was understood but not accepted. */
export class UnprocessableEntityError extends APIError {}
/** HTTP 429 after every retry. */
export class RateLimitError extends APIError {}
/** HTTP 5xx after every retry. */
export class InternalServerError extends APIError {}

/** No credential could be obtained (Microsoft Entra ID): no HTTP request to the API was made. */
export class CredentialUnavailableError extends FineTuningError {
  constructor(detail: string, cause?: unknown) {
    super(
      `ftops could not get a Microsoft Entra ID token for the fine-tuning API: ${detail}. Check the bot’s managed identity or Azure login, or set AZURE_OPENAI_API_KEY.`,
      { code: 'credential_unavailable', cause },
    );
  }
}

/** The API could not be reached (DNS, refused, reset). */
export class APIConnectionError extends FineTuningError {}

/** An attempt got no answer within the per-attempt timeout. */
export class APITimeoutError extends APIConnectionError {}

/** A 2xx answer the client could not understand (not JSON, no `id`, ...). */
export class InvalidResponseError extends FineTuningError {}

/** The caller's `AbortSignal` fired; never retried. */
export class APIUserAbortError extends FineTuningError {
  constructor(
    message = 'The request to the fine-tuning API was cancelled.',
    init: FineTuningErrorInit = {},
  ) {
    super(message, init);
  }
}

/**
 * A copy of a low-level error with only its name, code and message (secrets removed), so a
 * cause chain can never carry request options or headers.
 */
export function safeCause(err: unknown, secrets: readonly string[] = []): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redact(e.message, secrets));
  copy.name = e.name;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  return copy;
}

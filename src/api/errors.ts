import { parseErrorBody } from './error-body.ts';
import { apiErrorMessage } from './error-wording.ts';
import { type ResponseHeaders, requestIdOf } from './headers.ts';
import { redact } from './redact.ts';

export { parseErrorBody } from './error-body.ts';
export { apiErrorMessage, describeAction } from './error-wording.ts';
export { headerValue, type ResponseHeaders, requestIdOf } from './headers.ts';
export { redact, safeCause } from './redact.ts';

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
  | 'checkpoints'
  | 'file';

/** Where an error happened, so its message can name the job and the fix. */
export interface ErrorContext {
  action?: ClientAction;
  jobId?: string;
  /** The file asked for (a job's result file). */
  fileId?: string | undefined;
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
    const Class = classForStatus(status);
    return new Class(
      apiErrorMessage(status, context, { serviceMessage, requestId: init.requestId }),
      init,
    );
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

/** The class of an error answer by HTTP status: one flat ladder, as openai-node has it. */
function classForStatus(
  status: number,
): new (
  message: string,
  init: ConstructorParameters<typeof APIError>[1],
) => APIError {
  if (status === 400) return BadRequestError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 422) return UnprocessableEntityError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return InternalServerError;
  return APIError;
}

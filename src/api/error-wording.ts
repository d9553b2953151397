import { isJobAction, pastTense } from './actions.ts';
import type { ErrorContext } from './errors.ts';

/** The words of the client's errors, apart from their classes (openai-node keeps them apart too). */

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
    case 'file':
      return ctx.fileId ? `read the file ${ctx.fileId}` : 'read a file';
    default:
      return 'call the fine-tuning API';
  }
}

export function triedText(attempts: number | undefined): string {
  if (!attempts || attempts <= 1) return 'tried once';
  return `tried ${attempts} times`;
}

export function authAdvice(status: 401 | 403, authType: ErrorContext['authType']): string {
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

/** The message of an API error answer: what failed, in words, and what to do. */
export function apiErrorMessage(
  status: number,
  context: ErrorContext,
  found: { serviceMessage?: string | undefined; requestId?: string | undefined },
): string {
  const { serviceMessage } = found;
  const said = serviceMessage ? `: ${serviceMessage}` : '';
  const ref = found.requestId ? `, request ID ${found.requestId}` : '';
  const what = describeAction(context);
  const mutating =
    context.jobId &&
    (context.action === 'pause' || context.action === 'resume' || context.action === 'cancel');
  const past = context.action && isJobAction(context.action) ? pastTense(context.action) : '';

  switch (true) {
    case status === 400:
      return mutating
        ? `${context.jobId} cannot be ${past}${said || ' in its current state'}`
        : `The fine-tuning API refused to ${what} (400)${said}`;
    case status === 401:
      return `The bot’s identity could not sign in to the fine-tuning API (401) to ${what}. ${authAdvice(401, context.authType)}${serviceMessage ? ` The service said: ${serviceMessage}` : ''}`;
    case status === 403:
      return `The bot’s identity lacks access to ${what} (403). ${authAdvice(403, context.authType)}${serviceMessage ? ` The service said: ${serviceMessage}` : ''}`;
    case status === 404 && context.action === 'file':
      return `${context.fileId ? `The file ${context.fileId}` : 'The file'} was not found (404)${said}`;
    case status === 404:
      return context.jobId
        ? `${context.jobId} was not found`
        : `The fine-tuning API has no such endpoint (404): check the API base URL${said}`;
    case status === 409:
      return mutating
        ? `${context.jobId} cannot be ${past} right now${said || ' (conflict)'}`
        : `Could not ${what}: conflict (409)${said}`;
    case status === 422:
      return mutating
        ? `${context.jobId} cannot be ${past}${said || ' (request not accepted)'}`
        : `The fine-tuning API could not process the request to ${what} (422)${said}`;
    case status === 429:
      return `The fine-tuning API is rate limiting ftops (429), ${triedText(context.attempts)}${ref}. Try again in a minute.`;
    case status >= 500:
      return `The fine-tuning API is unavailable (${status}), ${triedText(context.attempts)}${ref}. Try again in a few minutes.`;
    default:
      return `The fine-tuning API answered ${status} when asked to ${what}${said}${ref}`;
  }
}

/**
 * The fine-tuning REST client: `createFineTuningClient` plus the types, schemas and errors
 * its callers need. Nothing else in ftops reaches into src/api's other modules.
 */
export { createTokenCache, DEFAULT_ENTRA_SCOPE } from './auth.ts';
export { createFineTuningClient, DEFAULT_TIMEOUT_MS } from './client.ts';
export * from './errors.ts';
export {
  DEFAULT_EVENTS_MAX_PAGES,
  DEFAULT_EVENTS_PAGE,
  type EventCursor,
  type EventsSince,
  type EventsSinceOptions,
  listEventsSince,
} from './events.ts';
export { type FilesClient, isValidFileId, MAX_FILE_BYTES } from './files.ts';
export { isValidJobId, JOB_ID_MAX_LENGTH, JOB_ID_PATTERN } from './job-id.ts';
export {
  DEFAULT_MAX_RETRIES,
  defaultRetryPolicy,
  noDelayRetryPolicy,
  retryDelayMs,
  shouldRetry,
} from './retry.ts';
export * from './schemas.ts';
export type * from './types.ts';

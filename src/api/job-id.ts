/**
 * The one gate every job ID passes before it is put into a URL. Only `ftjob-` followed by
 * ASCII letters, digits, `_` or `-` is accepted, so no path traversal, query, fragment,
 * encoded slash or Unicode look-alike can reach the API.
 */
export const JOB_ID_PATTERN = /^ftjob-[A-Za-z0-9_-]{1,122}$/;
export const JOB_ID_MAX_LENGTH = 128;

/** True when `id` is a job ID ftops will send to the API. */
export function isValidJobId(id: string): boolean {
  return id.length <= JOB_ID_MAX_LENGTH && JOB_ID_PATTERN.test(id);
}

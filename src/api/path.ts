import { InvalidJobIdError } from './errors.ts';
import { isValidJobId } from './job-id.ts';

/**
 * Builds request paths with every parameter percent-encoded as one path segment, like
 * openai-node's internal/utils/path.ts: a value can never add a segment, a query or a
 * fragment, and `.` / `..` segments are refused.
 */

/** Percent-encodes `value` as a single path segment; refuses empty, `.` and `..`. */
export function encodePathSegment(value: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new TypeError(`${JSON.stringify(value)} cannot be used as a path segment`);
  }
  // encodeURIComponent leaves only A-Z a-z 0-9 - _ . ! ~ * ' ( ) unescaped: no / ? # or %.
  return encodeURIComponent(value);
}

/** Tagged template: `path\`/fine_tuning/jobs/${id}/pause\`` with each value encoded. */
export function path(statics: TemplateStringsArray, ...params: readonly string[]): string {
  let out = statics[0] ?? '';
  params.forEach((p, i) => {
    out += encodePathSegment(p) + (statics[i + 1] ?? '');
  });
  return out;
}

/** Checks `id` with the job-ID gate; throws InvalidJobIdError so no request is ever made. */
export function assertJobId(id: string): string {
  if (typeof id !== 'string' || !isValidJobId(id)) throw new InvalidJobIdError(String(id));
  return id;
}

/** `/fine_tuning/jobs/{id}` plus an optional sub-resource, the id gated and encoded. */
export function jobPath(
  id: string,
  sub?: 'pause' | 'resume' | 'cancel' | 'events' | 'checkpoints',
): string {
  const base = path`/fine_tuning/jobs/${assertJobId(id)}`;
  return sub ? `${base}/${sub}` : base;
}

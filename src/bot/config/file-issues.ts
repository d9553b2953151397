import type { z } from 'zod';
import { shown } from './parsers.ts';

/** zod's issues on the FT_CONFIG file, turned into the problems a writer can act on. */

export type Issue = z.core.$ZodIssue;

/**
 * zod reports a value that matched no branch of a union as one "invalid input", and a bad
 * record key as "invalid key": the useful problems are inside. A union's branch that got
 * furthest (its problems deepest in the value) is the one the writer meant.
 */
export function expand(issue: Issue, prefix: readonly PropertyKey[]): Issue[] {
  const path = [...prefix, ...issue.path];
  if (
    issue.code === 'invalid_union' &&
    issue.errors.length > 0 &&
    !issue.message.startsWith('expected')
  ) {
    const depth = (branch: Issue[]) => Math.max(...branch.map((i) => i.path.length));
    const best =
      [...issue.errors].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0] ?? [];
    if (depth(best) > 0) return best.flatMap((i) => expand(i, path));
  }
  if (issue.code === 'invalid_key' && issue.issues.length > 0)
    return issue.issues.map((i) => ({ ...i, path, params: { atKey: true } }));
  return [{ ...issue, path }];
}

export function isAtKey(issue: Issue): boolean {
  return (issue as { params?: { atKey?: boolean } }).params?.atKey === true;
}

export function issueMessage(issue: Issue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => shown(k)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  return issue.message;
}

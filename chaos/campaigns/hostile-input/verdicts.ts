// What counts as a leak in anything the bot sends or logs: a mention that came from input, a
// stack trace or [object Object], a fine-tuning API request off the job-ID routes.
import { JOB_ID_PATTERN } from '../../../src/api/job-id.ts';
import { KNOWN_GROUPS, KNOWN_USERS, MARK } from './inputs.ts';

/** A stack-trace line as V8 prints it. */
export const STACK =
  /\bat (?:async )?[\w$.<>[\]]+ \((?:file:|node:|\/)[^)]*:\d+:\d+\)|\n\s+at \S|\\n\s+at \S|"stack":"[^"]/;
export const OBJECT = /\[object Object\]/;

/** Every mention, channel link, group or link in `text` that did not come from the bot itself. */
export function foreignMentions(text: string): string[] {
  const hits: string[] = [];
  for (const m of text.matchAll(/<([^<>]*)>/g)) {
    const inner = m[1] ?? '';
    if (/^!(channel|here|everyone)\b/i.test(inner)) hits.push(m[0]);
    else if (inner.startsWith('!subteam^')) {
      const id = inner.slice('!subteam^'.length).split('|')[0] ?? '';
      if (!KNOWN_GROUPS.has(id)) hits.push(m[0]);
    } else if (inner.startsWith('@')) {
      const id = inner.slice(1).split('|')[0] ?? '';
      if (!KNOWN_USERS.has(id)) hits.push(m[0]);
    } else if (inner.toUpperCase().includes(MARK)) hits.push(m[0]);
  }
  return hits;
}

/** The fine-tuning routes ftops may call: the job list and one job's sub-resources. */
const JOB_ROUTE = new RegExp(
  `^/fine_tuning/jobs(?:/(${JOB_ID_PATTERN.source.slice(1, -1)})(?:/(?:pause|resume|cancel|events|checkpoints))?)?$`,
);
const QUERY_KEYS = new Set(['limit', 'after', 'api-version']);

export function routeOk(r: { path: string; query: string }): boolean {
  if (!JOB_ROUTE.test(r.path)) return false;
  if (r.query === '') return true;
  return r.query.split('&').every((kv) => {
    const [k = '', v = ''] = kv.split('=');
    return QUERY_KEYS.has(k) && /^[A-Za-z0-9_-]{1,128}$/.test(v);
  });
}

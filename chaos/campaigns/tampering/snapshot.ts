// Redis before and after each click, read whole, so every change a click made can be named and
// traced to the request, job, channel or modal it is about.
import type { World } from '../../lib/world.ts';

/** Redis contents of the world's namespace: key → field → value (sets: member → '1'). */
export type Snapshot = Map<string, Map<string, string>>;

const READ_ALL = `
local out = {}
for i, k in ipairs(KEYS) do
  local t = redis.call('TYPE', k)['ok']
  local v = {}
  if t == 'hash' then v = redis.call('HGETALL', k)
  elseif t == 'set' then v = redis.call('SMEMBERS', k)
  elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
  elseif t == 'string' then v = {redis.call('GET', k)}
  elseif t == 'list' then v = redis.call('LRANGE', k, 0, -1) end
  out[i] = {t, v}
end
return out`;

/**
 * Keys that are bookkeeping, not state about a job or request: replay marks, caches, and the
 * audit trail (decisions, per-job decisions, refusals and their folding windows), which
 * records a refused click rather than acting on anything.
 */
const IGNORED = /^(replay:|audit($|:)|usergroup:)/;

export async function snapshot(world: World): Promise<Snapshot> {
  const prefix = `${world.keys.bullPrefix}:`;
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await world.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2000);
    cursor = next;
    for (const k of found) if (!IGNORED.test(k.slice(prefix.length))) keys.push(k);
  } while (cursor !== '0');
  const snap: Snapshot = new Map();
  if (keys.length === 0) return snap;
  const rows = (await world.redis.eval(READ_ALL, keys.length, ...keys)) as Array<
    [string, string[]]
  >;
  keys.forEach((key, i) => {
    const [type, values] = rows[i] ?? ['none', []];
    const fields = new Map<string, string>();
    if (type === 'hash' || type === 'zset')
      for (let j = 0; j + 1 < values.length; j += 2)
        fields.set(values[j] as string, values[j + 1] as string);
    else if (type === 'set') for (const m of values) fields.set(m, '1');
    else if (type === 'string') fields.set('', values[0] ?? '');
    else if (type === 'list') for (const [j, v] of values.entries()) fields.set(String(j), v);
    snap.set(key.slice(prefix.length), fields);
  });
  return snap;
}

/** What one changed (key, field) is about: `req:<id>`, `job:<id>`, `chan:<id>`, `modal:<id>`, or `key:<key>`. */
export function subjectsOf(key: string, field: string): string[] {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string[]]> = [
    [/^approval:([^:]+)(:votes)?$/, (m) => [`req:${m[1]}`]],
    [/^approvals:pending$/, () => [`req:${field}`]],
    [/^modal:(.+)$/, (m) => [`modal:${m[1]}`]],
    [/^subs:channel:(.+)$/, (m) => [`job:${field}`, `chan:${m[1]}`]],
    [/^subs:job:(.+)$/, (m) => [`job:${m[1]}`, `chan:${field}`]],
    [/^subs:all$/, () => ['job:all', `chan:${field}`]],
    [/^(watched|poll:tracked)$/, () => [`job:${field}`]],
    [/^(status|jobmeta|actor|hold|series):(.+)$/, (m) => [`job:${m[2]}`]],
  ];
  for (const [re, subjects] of rules) {
    const m = re.exec(key);
    if (m) return subjects(m);
  }
  return [`key:${key}`];
}

export function diff(before: Snapshot, after: Snapshot): Array<{ key: string; field: string }> {
  const out: Array<{ key: string; field: string }> = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key) ?? new Map<string, string>();
    const b = after.get(key) ?? new Map<string, string>();
    for (const field of new Set([...a.keys(), ...b.keys()]))
      if (a.get(field) !== b.get(field)) out.push({ key, field });
  }
  return out;
}

export const hashOf = (snap: Snapshot, key: string): Record<string, string> | undefined => {
  const m = snap.get(key);
  return m && m.size > 0 ? Object.fromEntries(m) : undefined;
};
export const modalOf = (
  snap: Snapshot,
  id: string,
): { action: string; jobId: string; user: string; channel: string } | undefined => {
  const raw = snap.get(`modal:${id}`)?.get('');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
};

/** A deny modal's reference as stored, when `id` is one. */
export const denyModalOf = (
  snap: Snapshot,
  id: string,
): { kind: 'deny'; requestId: string; user: string; channel: string } | undefined => {
  const m = modalOf(snap, id) as unknown as { kind?: string } | undefined;
  return m?.kind === 'deny'
    ? (m as { kind: 'deny'; requestId: string; user: string; channel: string })
    : undefined;
};

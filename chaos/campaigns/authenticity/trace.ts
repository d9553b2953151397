import { APPROVALS, type World } from '../../lib/world.ts';

/** Every effect the bot had, grouped by the job or response_url that names it. */
export interface Trace {
  /** API requests per job, and how many named no job at all. */
  api: Map<string, number>;
  apiPosts: Map<string, number>;
  apiUnattributed: number;
  /** Posts per response_url. */
  responses: Map<string, number>;
  /** Whether the (first) answer at a response_url names `job`. */
  answerText: Map<string, string>;
  /** Slack Web API calls naming each job, and the approval posts among them. */
  calls: Map<string, number>;
  approvalPosts: Map<string, number>;
  /** Slack messages (any channel, ephemeral or not) naming each job. */
  messages: Map<string, number>;
  /** Redis keys of the namespace naming each job (in the key or its value). */
  redis: Map<string, number>;
  approvalHashes: Map<string, number>;
  watched: Set<string>;
  replayKeys: number;
}

const JOB_ID = /ftjob-[A-Za-z0-9_-]+/g;
export const bump = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);
const jobsIn = (text: string) => new Set(text.match(JOB_ID) ?? []);

/** Reads the emulators' logs and the namespace's Redis keys into a {@link Trace}. */
export async function traceEffects(world: World): Promise<Trace> {
  const t: Trace = {
    api: new Map(),
    apiPosts: new Map(),
    apiUnattributed: 0,
    responses: new Map(),
    answerText: new Map(),
    calls: new Map(),
    approvalPosts: new Map(),
    messages: new Map(),
    redis: new Map(),
    approvalHashes: new Map(),
    watched: new Set(),
    replayKeys: 0,
  };
  for (const r of world.ft.requests) {
    const job = /^\/fine_tuning\/jobs\/(ftjob-[A-Za-z0-9_-]+)/.exec(r.path)?.[1];
    if (!job) {
      t.apiUnattributed++;
      continue;
    }
    bump(t.api, job);
    if (r.method === 'POST') bump(t.apiPosts, job);
  }
  for (const r of world.slack.responses) {
    bump(t.responses, r.url);
    if (!t.answerText.has(r.url)) t.answerText.set(r.url, JSON.stringify(r.body));
  }
  for (const call of world.slack.calls) {
    for (const job of jobsIn(JSON.stringify(call.args))) {
      bump(t.calls, job);
      if (call.method === 'chat.postMessage' && call.args.channel === APPROVALS)
        bump(t.approvalPosts, job);
    }
  }
  for (const msgs of world.slack.messages.values())
    for (const m of msgs) for (const job of jobsIn(JSON.stringify(m))) bump(t.messages, job);
  for (const v of world.slack.views.values())
    for (const job of jobsIn(JSON.stringify(v))) bump(t.messages, job);

  const { redis, keys } = world;
  const approvalKey = new RegExp(`^${escapeRegExp(keys.approval('x')).slice(0, -1)}[^:]+$`);
  const watchKey = new RegExp(`^${escapeRegExp(keys.jobWatchers('x')).slice(0, -1)}(.+)$`);
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.bullPrefix}*`, 'COUNT', 1000);
    cursor = next;
    const types = (await redis.pipeline(found.map((k) => ['type', k])).exec()) ?? [];
    const reads = found.map((k, i) => readCommand(k, String(types[i]?.[1] ?? 'none')));
    const values = (await redis.pipeline(reads).exec()) ?? [];
    found.forEach((key, i) => {
      // Signature records only; the per-delivery marks (trigger IDs) live beside them.
      if (key.startsWith(keys.replay('')) && !key.startsWith(keys.delivery(''))) t.replayKeys++;
      const text = `${key} ${JSON.stringify(values[i]?.[1] ?? '')}`;
      for (const job of jobsIn(text)) {
        bump(t.redis, job);
        if (approvalKey.test(key)) bump(t.approvalHashes, job);
      }
      const watched = watchKey.exec(key)?.[1];
      if (watched) t.watched.add(watched);
    });
  } while (cursor !== '0');
  return t;
}

function readCommand(key: string, type: string): string[] {
  switch (type) {
    case 'string':
      return ['get', key];
    case 'hash':
      return ['hgetall', key];
    case 'list':
      return ['lrange', key, '0', '-1'];
    case 'set':
      return ['smembers', key];
    case 'zset':
      return ['zrange', key, '0', '-1'];
    case 'stream':
      return ['xrange', key, '-', '+'];
    default:
      return ['exists', key];
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

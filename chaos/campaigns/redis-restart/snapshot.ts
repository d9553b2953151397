// The Redis state that must survive the restart (subscriptions, approvals, last statuses), read
// as comparable strings before the stop and after the start.
import type { World } from '../../lib/world.ts';

/** Redis state that must come back identical: subscriptions, approvals, last statuses. */
export async function durableState(w: World): Promise<Map<string, string>> {
  const prefix = w.keys.bullPrefix;
  const out = new Map<string, string>();
  for (const pattern of [
    `${prefix}:subs:*`,
    `${prefix}:approval*`,
    `${prefix}:status:*`,
    `${prefix}:watched`,
  ]) {
    let cursor = '0';
    do {
      const [next, keys] = await w.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) out.set(key, await dump(w, key));
    } while (cursor !== '0');
  }
  return out;
}

async function dump(w: World, key: string): Promise<string> {
  switch (await w.redis.type(key)) {
    case 'string':
      return (await w.redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(Object.entries(await w.redis.hgetall(key)).sort());
    case 'set':
      return JSON.stringify((await w.redis.smembers(key)).sort());
    case 'zset':
      return JSON.stringify(await w.redis.zrange(key, 0, -1, 'WITHSCORES'));
    case 'list':
      return JSON.stringify(await w.redis.lrange(key, 0, -1));
    default:
      return '';
  }
}

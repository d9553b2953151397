import type { Redis } from 'ioredis';
import { forEachPrimary } from '../../src/store/redis.ts';
import { type Canaries, makeCanaries } from './canaries.ts';

/**
 * Everything the battery's processes left behind, kept for the secret-canary scan: every log
 * line of every bot process, every body sent to Slack (Web API arguments and response_url
 * posts) and every Redis key and value, dumped before a campaign cleans its namespace up.
 */
export class Evidence {
  /** The secrets every process of the battery runs with. */
  readonly canaries: Canaries;

  readonly logs: string[] = [];
  readonly slackBodies: string[] = [];
  readonly redisDump: string[] = [];

  constructor(canaries: Canaries = makeCanaries()) {
    this.canaries = canaries;
  }

  addLogLine(line: string): void {
    this.logs.push(line);
  }

  addSlackBody(body: unknown): void {
    this.slackBodies.push(typeof body === 'string' ? body : JSON.stringify(body));
  }

  /** Reads every key matching `pattern` with its value, whatever its type, into the dump. */
  async dumpRedis(redis: Redis, pattern: string): Promise<number> {
    // SCAN sees one node's keys: on a cluster every primary is scanned.
    const found = await forEachPrimary(redis, async (node) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        keys.push(...page);
      } while (cursor !== '0');
      return keys;
    });
    let count = 0;
    for (const key of found.flat()) {
      count++;
      this.redisDump.push(key, await readValue(redis, key));
    }
    return count;
  }
}

async function readValue(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  switch (type) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}

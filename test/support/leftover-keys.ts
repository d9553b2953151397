import { createRedis, forEachPrimary } from '../../src/store/redis.ts';
import { TEST_REDIS } from './redis.ts';

const PATTERN = '{test-*';

async function testKeys(): Promise<string[]> {
  const redis = createRedis(TEST_REDIS, { commandTimeoutMs: 10_000 });
  try {
    // On a cluster each primary holds its own slots: SCAN every one of them.
    const found = await forEachPrimary(redis, async (node) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, page] = await node.scan(cursor, 'MATCH', PATTERN, 'COUNT', 1000);
        cursor = next;
        keys.push(...page);
      } while (cursor !== '0');
      return keys;
    });
    return found.flat();
  } finally {
    redis.disconnect();
  }
}

/** `{test-<uuid>}:…` → `test-<uuid>`: the namespace a key belongs to. */
const namespaceOf = (key: string) => key.slice(1, key.indexOf('}'));

/**
 * Every test deletes its namespace: after the whole run no `{test-…}` key may be left in
 * Redis. Namespaces already there when the run starts (an interrupted earlier run, or another
 * run going on at the same time) are neither deleted, which would pull keys from under a
 * running test, nor blamed on this run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const before = new Set((await testKeys().catch(() => [])).map(namespaceOf));
  return async () => {
    const left = (await testKeys()).filter((k) => !before.has(namespaceOf(k)));
    if (left.length > 0) {
      const sample = left.slice(0, 10).join(', ');
      // vitest reports an error thrown here but still exits 0, so set the exit code too.
      console.error(`\nThe tests left ${left.length} {test-…} keys in Redis, e.g. ${sample}\n`);
      process.exitCode = 1;
    }
  };
}

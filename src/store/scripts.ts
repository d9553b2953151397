import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * The one way ftops runs Lua: each script lives in `src/store/lua/<name>.lua`, opening with a
 * comment that names its KEYS and ARGV, is read once at start-up and sent by SHA (EVALSHA),
 * falling back to the full text when Redis does not know it yet (after a restart or on a new
 * replica). Every key a script touches is passed in KEYS, so it runs on Redis Cluster too.
 */
export interface Script {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

/** Reads `lua/<name>.lua` beside this module (in src/ under tsx, in dist/ when built). */
export function loadScript(name: string): Script {
  const lua = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** Runs `script` with its keys and arguments. */
export async function runScript(
  redis: Redis,
  script: Script,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return redis.eval(script.lua, keys.length, ...keys, ...args);
    }
    throw err;
  }
}

import type { Config } from '../bot/config/index.ts';
import { createRedisConnector, forEachPrimary } from '../store/redis.ts';
import { CHECKS, type CheckResult, skip } from './check.ts';
import type { DoctorOptions } from './options.ts';
import {
  checkRedisAuth,
  checkRedisEvictionPolicy,
  checkRedisMode,
  checkRedisPing,
  entraTokenFailed,
  serverIsCluster,
} from './redis-checks.ts';

/** The checks that need Redis, with short-lived clients that never retry for long. */
export async function redisChecks(
  config: Config,
  opts: DoctorOptions,
  timeoutMs: number,
  secrets: string[],
): Promise<CheckResult[]> {
  const target = config.redis;
  const connector = createRedisConnector(target, {
    ...(opts.credential ? { credential: opts.credential } : {}),
  });
  const skipAll = (because: string) => [
    skip(CHECKS.redisMode, because),
    skip(CHECKS.redisAuth, because),
    skip(CHECKS.eviction, because),
  ];
  // One connection attempt: a doctor reports a dead Redis, it does not wait for it.
  const once = { commandTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs, singleAttempt: true };
  try {
    await connector.ready();
  } catch (err) {
    connector.close();
    return [entraTokenFailed(target, err), ...skipAll('no Entra ID token')];
  }
  secrets.push(...connector.secrets());
  let lastError: Error | undefined;
  const redis = connector.commands({
    name: 'ftops-doctor',
    ...once,
    onError: (err) => {
      lastError = err;
    },
  });
  // A cluster client that cannot connect says little; the seed alone says what it is.
  const probeSeed = async () => {
    const seed = createRedisConnector(
      { ...target, urls: [target.url], cluster: false },
      opts.credential ? { credential: opts.credential } : {},
    );
    const single = seed.commands({ ...once, name: 'ftops-doctor' });
    try {
      await seed.ready();
      return await serverIsCluster(single);
    } finally {
      seed.close();
      single.disconnect();
    }
  };
  try {
    const ping = await checkRedisPing(redis, target, () => lastError, probeSeed);
    if (!ping.ok) return [ping, ...skipAll('Redis did not answer')];
    return [
      ping,
      await checkRedisMode(redis, target),
      await checkRedisAuth(redis, target),
      await checkRedisEvictionPolicy(redis, () => forEachPrimary(redis, async (node) => node)),
    ];
  } finally {
    connector.close();
    redis.disconnect();
  }
}

import type { Redis } from 'ioredis';
import { errorText } from '../util/error-text.ts';
import { CHECKS, type CheckResult, fail, pass, warn } from './check.ts';

/** A Redis URL without its credentials, fit to print. */
export function redisLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'the configured REDIS_URL';
  }
}

/** Checks that Redis answers PING; `lastError` is the connection error ioredis reported, if any. */
export async function checkRedisPing(
  redis: Redis,
  url: string,
  lastError: () => Error | undefined,
): Promise<CheckResult> {
  const where = redisLocation(url);
  try {
    const answer = await redis.ping();
    return pass(CHECKS.redis, `${where} answers PING (${answer})`);
  } catch (err) {
    const cause = lastError() ?? err;
    const text = errorText(cause);
    const auth = /NOAUTH|WRONGPASS|invalid password|invalid username/i.test(text);
    return fail(
      CHECKS.redis,
      `${where} did not answer PING: ${text}`,
      auth
        ? 'Redis refused the credentials: put the right user and password in REDIS_URL (redis://user:password@host:6379).'
        : 'Start Redis or point REDIS_URL at a running one (redis://host:6379, rediss:// for TLS); check the host, port and any firewall between them.',
    );
  }
}

const EVICTION_FIX =
  'Set maxmemory-policy to noeviction (redis.conf, `--maxmemory-policy noeviction`, or your provider’s parameter group / advanced settings): any other policy lets Redis silently drop approvals, subscriptions and queued jobs when memory fills up.';

/** Judges a `maxmemory-policy` value: only `noeviction` keeps ftops' state safe. */
export function judgeEvictionPolicy(policy: string | undefined): CheckResult {
  const name = CHECKS.eviction;
  if (policy === 'noeviction') return pass(name, 'maxmemory-policy is noeviction');
  if (policy === undefined) {
    return warn(name, 'could not be verified (CONFIG GET gave no answer)', EVICTION_FIX);
  }
  return fail(name, `maxmemory-policy is ${policy}, so Redis may evict ftops' keys`, EVICTION_FIX);
}

/**
 * Reads `maxmemory-policy` with CONFIG GET. Managed Redis services often disable CONFIG (or an
 * ACL forbids it); then the policy cannot be verified here, which is a warning, not a failure.
 */
export async function checkRedisEvictionPolicy(redis: Redis): Promise<CheckResult> {
  let reply: unknown;
  try {
    reply = await redis.config('GET', 'maxmemory-policy');
  } catch (err) {
    return warn(
      'Redis eviction policy',
      `could not be verified: CONFIG GET was refused (${errorText(err)})`,
      'CONFIG is disabled on many managed Redis services: check in your provider’s settings that maxmemory-policy is noeviction.',
    );
  }
  const pair = Array.isArray(reply) ? reply : [];
  const value = pair[1];
  return judgeEvictionPolicy(typeof value === 'string' ? value : undefined);
}

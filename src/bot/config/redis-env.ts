import type { RedisAuth, RedisTarget } from '../../store/redis.ts';

/**
 * The Redis part of the environment: the rules that join the REDIS_* variables, and the
 * connection they describe together.
 */

/** What the Redis variables say together; only values that parsed on their own are read. */
interface RedisVariables {
  REDIS_URL?: unknown;
  REDIS_CLUSTER?: unknown;
  REDIS_CA_FILE?: unknown;
  REDIS_USERNAME?: unknown;
  REDIS_PASSWORD?: unknown;
  REDIS_ENTRA?: unknown;
}

/** The user and password the seed URLs carry (all seeds that carry any must agree). */
function urlCredentials(urls: readonly string[]): { username?: string; password?: string }[] {
  const seen = new Map<string, { username?: string; password?: string }>();
  for (const entry of urls) {
    const url = new URL(entry);
    if (!url.username && !url.password) continue;
    const username = url.username ? decodeURIComponent(url.username) : undefined;
    const password = url.password ? decodeURIComponent(url.password) : undefined;
    seen.set(JSON.stringify([username, password]), {
      ...(username !== undefined && { username }),
      ...(password !== undefined && { password }),
    });
  }
  return [...seen.values()];
}

/** The rules that join the Redis variables: [variable, problem] pairs. */
export function redisProblems(env: RedisVariables): [string, string][] {
  const problems: [string, string][] = [];
  const urls = Array.isArray(env.REDIS_URL) ? (env.REDIS_URL as string[]) : undefined;
  const cluster = env.REDIS_CLUSTER === true;
  const entra = env.REDIS_ENTRA === true;
  const username = typeof env.REDIS_USERNAME === 'string' ? env.REDIS_USERNAME : undefined;
  const password = typeof env.REDIS_PASSWORD === 'string' ? env.REDIS_PASSWORD : undefined;
  if (!urls) return problems;
  if (urls.length > 1 && env.REDIS_CLUSTER === false)
    problems.push([
      'REDIS_URL',
      `names ${urls.length} Redis nodes: set REDIS_CLUSTER=true for a Redis Cluster (they are its seeds), or give one URL`,
    ]);
  if (cluster && urls.some((u) => !['', '/', '/0'].includes(new URL(u).pathname)))
    problems.push([
      'REDIS_URL',
      'names a database (/N), but a Redis Cluster has only database 0: drop the /N',
    ]);
  const tls = new URL(urls[0] as string).protocol === 'rediss:';
  if (typeof env.REDIS_CA_FILE === 'string' && !tls)
    problems.push([
      'REDIS_CA_FILE',
      'is set but REDIS_URL is redis:// (no TLS): use rediss:// to connect over TLS',
    ]);
  const inUrl = urlCredentials(urls);
  if (inUrl.length > 1)
    problems.push([
      'REDIS_URL',
      'its seeds carry different credentials: put one user and password on all (or in REDIS_USERNAME and REDIS_PASSWORD)',
    ]);
  const urlUser = inUrl[0]?.username;
  const urlPassword = inUrl[0]?.password;
  if (username !== undefined && urlUser !== undefined)
    problems.push(['REDIS_USERNAME', 'REDIS_URL names a user too: keep one of them']);
  if (password !== undefined && urlPassword !== undefined)
    problems.push(['REDIS_PASSWORD', 'REDIS_URL carries a password too: keep one of them']);
  if (entra && (password !== undefined || urlPassword !== undefined))
    problems.push([
      'REDIS_ENTRA',
      'sends Microsoft Entra ID tokens as the Redis password, so no other password may be set: unset REDIS_PASSWORD and take the password out of REDIS_URL',
    ]);
  if (
    env.REDIS_ENTRA === false &&
    (username ?? urlUser) !== undefined &&
    (password ?? urlPassword) === undefined
  )
    problems.push([
      username !== undefined ? 'REDIS_USERNAME' : 'REDIS_URL',
      'names a Redis user but no password: set REDIS_PASSWORD (or REDIS_ENTRA=true for Microsoft Entra ID)',
    ]);
  return problems;
}

/** The Redis connection the variables describe (after `redisProblems` found nothing). */
export function redisTarget(env: {
  REDIS_URL: string[];
  REDIS_CLUSTER: boolean;
  REDIS_CA_FILE?: string | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_ENTRA: boolean;
  REDIS_ENTRA_SCOPE: string;
}): RedisTarget {
  const [inUrl] = urlCredentials(env.REDIS_URL);
  const username = env.REDIS_USERNAME ?? inUrl?.username;
  const password = env.REDIS_PASSWORD ?? inUrl?.password;
  const auth: RedisAuth = env.REDIS_ENTRA
    ? { type: 'entra', scope: env.REDIS_ENTRA_SCOPE, ...(username && { username }) }
    : password !== undefined
      ? { type: 'password', ...(username && { username }), password }
      : { type: 'none' };
  return {
    url: env.REDIS_URL[0] as string,
    urls: env.REDIS_URL,
    cluster: env.REDIS_CLUSTER,
    ...(env.REDIS_CA_FILE !== undefined && { caFile: env.REDIS_CA_FILE }),
    auth,
  };
}

/** Where Redis is and how ftops authenticates to it: what the REDIS_* variables say. */

/** The scope Azure Managed Redis and Azure Cache for Redis issue Entra ID tokens for. */
export const DEFAULT_REDIS_ENTRA_SCOPE = 'https://redis.azure.com/.default';

/** How ftops authenticates to Redis. */
export type RedisAuth =
  | { readonly type: 'none' }
  /** An ACL user (or the default user when `username` is absent) and its password. */
  | { readonly type: 'password'; readonly username?: string; readonly password: string }
  /**
   * Microsoft Entra ID: a token for `scope` is the password, refreshed before it expires;
   * the user is `username` or else the token's object ID (`oid`).
   */
  | { readonly type: 'entra'; readonly scope: string; readonly username?: string };

/** Where Redis is and how to reach it: what the REDIS_* variables say. */
export interface RedisTarget {
  /** The first (or only) URL, as configured. */
  readonly url: string;
  /** Every URL: one for a single server; for a cluster, the seed nodes to discover it from. */
  readonly urls: readonly string[];
  /** A Redis Cluster (ioredis `Cluster`, slots discovered from the seeds). */
  readonly cluster: boolean;
  /** PEM file of the CA certificates to trust for rediss://, instead of Node's own list. */
  readonly caFile?: string;
  readonly auth: RedisAuth;
}

/** A single server at `url`, credentials (if any) taken from the URL: for tests and tools. */
export function targetOf(target: RedisTarget | string): RedisTarget {
  if (typeof target !== 'string') return target;
  const url = new URL(target);
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  return {
    url: target,
    urls: [target],
    cluster: false,
    auth:
      password !== undefined
        ? { type: 'password', ...(username && { username }), password }
        : { type: 'none' },
  };
}

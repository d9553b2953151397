import type { Redis } from 'ioredis';
import type { RedisAuth, RedisTarget } from '../store/redis.ts';
import { errorText } from '../util/error-text.ts';
import { CHECKS, type CheckResult, fail, pass, warn } from './check.ts';

/** A Redis URL without its credentials, fit to print; a cluster's other seeds are counted. */
export function redisLocation(url: string, seeds = 1): string {
  const more = seeds > 1 ? ` (+${seeds - 1} more seed${seeds > 2 ? 's' : ''})` : '';
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}${more}`;
  } catch {
    return 'the configured REDIS_URL';
  }
}

const AUTH_REFUSED = /NOAUTH|WRONGPASS|invalid password|invalid username|NOPERM/i;

/** What to do when Redis refuses the credentials, by how ftops authenticates. */
function authFix(auth: RedisAuth): string {
  switch (auth.type) {
    case 'none':
      return 'Redis wants credentials: set REDIS_PASSWORD (and REDIS_USERNAME for an ACL user), or put them in REDIS_URL (rediss://user:password@host:6380); on Azure, REDIS_ENTRA=true.';
    case 'password':
      return 'Redis refused the user and password: check REDIS_USERNAME and REDIS_PASSWORD (or the credentials in REDIS_URL), and that the ACL user is on (ACL LIST).';
    case 'entra':
      return "Redis refused the Entra ID token: on the cache (Azure portal → Authentication → Microsoft Entra Authentication) add this identity with a data access policy, and set REDIS_USERNAME to its object ID when the token's oid is not it.";
  }
}

/** The Redis check when no Entra ID token could be had, so nothing could connect. */
export function entraTokenFailed(target: RedisTarget, err: unknown): CheckResult {
  return fail(
    CHECKS.redis,
    `${redisLocation(target.url, target.urls.length)}: ${errorText(err)}`,
    'Give this host a Microsoft Entra ID identity DefaultAzureCredential finds (a managed identity, with AZURE_CLIENT_ID for a user-assigned one; workload identity; AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET; `az login` in development), or turn REDIS_ENTRA off and use a password.',
  );
}

/** Checks that Redis answers PING; `lastError` is the connection error ioredis reported, if any. */
export async function checkRedisPing(
  redis: Redis,
  target: RedisTarget | string,
  lastError: () => Error | undefined,
  /** When a cluster client cannot connect: asks the first seed alone what it is. */
  probeSeed?: () => Promise<boolean | undefined>,
): Promise<CheckResult> {
  const t = typeof target === 'string' ? undefined : target;
  const url = typeof target === 'string' ? target : target.url;
  const where = redisLocation(url, t?.urls.length ?? 1);
  try {
    const answer = await redis.ping();
    return pass(CHECKS.redis, `${where} answers PING (${answer})`);
  } catch (err) {
    const cause = lastError() ?? err;
    const text = errorText(cause);
    if (AUTH_REFUSED.test(text))
      return fail(
        CHECKS.redis,
        `${where} did not answer PING: ${text}`,
        authFix(t?.auth ?? { type: 'password', password: '' }),
      );
    if (t?.cluster && probeSeed && (await probeSeed().catch(() => undefined)) === false)
      return fail(
        CHECKS.redis,
        `${where} is a single Redis server, not a Redis Cluster (cluster_enabled:0), but REDIS_CLUSTER is true`,
        'Unset REDIS_CLUSTER (or set it to false) for a single server, or point REDIS_URL at a node of your cluster.',
      );
    return fail(
      CHECKS.redis,
      `${where} did not answer PING: ${text}`,
      t?.cluster
        ? 'Start the cluster or point REDIS_URL at its nodes (one or more seeds, comma-separated); every node must be reachable from here at the address it announces (cluster-announce-ip), and `redis-cli --cluster check host:port` should pass.'
        : 'Start Redis or point REDIS_URL at a running one (redis://host:6379, rediss:// for TLS); check the host, port and any firewall between them.',
    );
  }
}

/** The `INFO` section `section` as name → value. */
function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/** Whether the server at the other end of `redis` runs in cluster mode; undefined if unknown. */
export async function serverIsCluster(redis: Redis): Promise<boolean | undefined> {
  const enabled = infoFields(await redis.info('cluster')).get('cluster_enabled');
  return enabled === undefined ? undefined : enabled === '1';
}

/** Checks that Redis runs in the mode the configuration says (REDIS_CLUSTER), and is healthy. */
export async function checkRedisMode(redis: Redis, target: RedisTarget): Promise<CheckResult> {
  let cluster: boolean | undefined;
  try {
    cluster = await serverIsCluster(redis);
  } catch (err) {
    return warn(
      CHECKS.redisMode,
      `could not be verified: INFO cluster was refused (${errorText(err)})`,
      'Let the ftops user run INFO (ACL +info), or check in your provider’s settings whether the cache is clustered and set REDIS_CLUSTER to match.',
    );
  }
  if (cluster === undefined)
    return warn(
      CHECKS.redisMode,
      'could not be verified (INFO cluster gave no cluster_enabled)',
      'Check whether your Redis is clustered and set REDIS_CLUSTER to match.',
    );
  if (!cluster && !target.cluster) return pass(CHECKS.redisMode, 'a single server, as configured');
  if (cluster && !target.cluster)
    return fail(
      CHECKS.redisMode,
      'Redis is a cluster (cluster_enabled:1) but REDIS_CLUSTER is not set, so keys on other nodes would answer MOVED',
      'Set REDIS_CLUSTER=true; REDIS_URL is then one seed node (or a comma list of them).',
    );
  let info: Map<string, string>;
  try {
    info = infoFields(String(await redis.call('CLUSTER', 'INFO')));
  } catch (err) {
    return warn(
      CHECKS.redisMode,
      `a cluster, as configured, but CLUSTER INFO was refused (${errorText(err)})`,
      'Let the ftops user run CLUSTER INFO (ACL +cluster|info) so its health can be checked.',
    );
  }
  const state = info.get('cluster_state');
  const primaries = info.get('cluster_size');
  const slots = info.get('cluster_slots_ok');
  const detail = `a Redis Cluster, as configured: ${primaries ?? '?'} primaries, ${slots ?? '?'} of 16384 slots ok, cluster_state ${state ?? '?'}`;
  if (state === 'ok') return pass(CHECKS.redisMode, detail);
  return fail(
    CHECKS.redisMode,
    detail,
    'A node is down or slots are unassigned: run `redis-cli --cluster check host:port` and `--cluster fix`, or wait for the failover to finish.',
  );
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Checks who ftops is on Redis (ACL WHOAMI) and that a reachable Redis is not left open. */
export async function checkRedisAuth(redis: Redis, target: RedisTarget): Promise<CheckResult> {
  let user: string | undefined;
  try {
    user = String(await redis.call('ACL', 'WHOAMI'));
  } catch {
    user = undefined; // Redis before 6, or an ACL without +acl|whoami: say what was configured
  }
  const as = user ? ` as ${user}` : '';
  const { auth } = target;
  if (auth.type === 'entra')
    return pass(
      CHECKS.redisAuth,
      `authenticated${as} with a Microsoft Entra ID token (scope ${auth.scope}), renewed and re-sent on every connection before it expires`,
    );
  if (auth.type === 'password') return pass(CHECKS.redisAuth, `authenticated${as} with a password`);
  const host = new URL(target.url).hostname;
  if (LOOPBACK.has(host)) return pass(CHECKS.redisAuth, `no credentials${as}, on loopback`);
  return warn(
    CHECKS.redisAuth,
    `${host} accepts connections without credentials${as}`,
    'Anyone who can reach this Redis can approve on ftops’ behalf: give it a password (requirepass or an ACL user) and set REDIS_PASSWORD (and REDIS_USERNAME), or on Azure use Microsoft Entra ID (REDIS_ENTRA=true).',
  );
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
 * Reads `maxmemory-policy` with CONFIG GET (on a cluster, from every primary: each evicts on
 * its own). Managed Redis services often disable CONFIG (or an ACL forbids it); then the
 * policy cannot be verified here, which is a warning, not a failure.
 */
export async function checkRedisEvictionPolicy(
  redis: Redis,
  nodes: () => Promise<Redis[]> = async () => [redis],
): Promise<CheckResult> {
  const policies = new Set<string | undefined>();
  try {
    for (const node of await nodes()) {
      const reply: unknown = await node.config('GET', 'maxmemory-policy');
      const value = (Array.isArray(reply) ? reply : [])[1];
      policies.add(typeof value === 'string' ? value : undefined);
    }
  } catch (err) {
    return warn(
      CHECKS.eviction,
      `could not be verified: CONFIG GET was refused (${errorText(err)})`,
      'CONFIG is disabled on many managed Redis services: check in your provider’s settings that maxmemory-policy is noeviction.',
    );
  }
  const bad = [...policies].find((p) => p !== 'noeviction');
  return judgeEvictionPolicy(policies.size === 1 || bad === undefined ? [...policies][0] : bad);
}

import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis clients for ftops. The command client is built to fail fast: a person clicking a
 * button while Redis is down should hear "temporarily unavailable" within a couple of seconds,
 * not watch a spinner while ioredis queues the command for minutes.
 *
 * Why not simply `enableOfflineQueue: false` from the start: right after start-up the socket
 * is not connected yet, and every command would be refused, so `main` could not even wait
 * for Redis with a `ping()`. So the offline queue is on until the first `ready` and off from
 * then on. Two more settings keep a refused command from running later behind the user's
 * back (a vote that was reported as failed must not be counted minutes afterwards):
 * `autoResendUnfulfilledCommands: false` and the queue being off after the first connect.
 */

/** Redis could not be reached or did not answer in time; `message` is fit to show a Slack user. */
export class RedisUnavailableError extends Error {
  readonly code = 'redis_unavailable';

  constructor(cause?: unknown) {
    super(
      'ftops is temporarily unavailable: its state store (Redis) is not answering. Nothing was changed; try again in a minute, and if this keeps happening, tell whoever runs ftops.',
      cause === undefined ? undefined : { cause },
    );
    this.name = 'RedisUnavailableError';
  }
}

/** Options for the command client; defaults suit a Slack-facing process. */
export interface CreateRedisOptions {
  /** How long one command may take, queueing included; default 2000 ms. */
  commandTimeoutMs?: number;
  /** TCP connect timeout; default 2000 ms. */
  connectTimeoutMs?: number;
  /** Connection name shown by `CLIENT LIST`. */
  name?: string;
  /** Called with connection errors; ioredis prints them to stderr when nobody listens. */
  onError?: (err: Error) => void;
  /** Anything else for ioredis; wins over the defaults above. */
  redisOptions?: RedisOptions;
}

/** Builds the command client: bounded retries, a command timeout, no replay of failed commands. */
export function createRedis(url: string, opts: CreateRedisOptions = {}): Redis {
  const client = new Redis(url, {
    // One reconnect attempt per command at most: ECONNREFUSED comes back at once, so a
    // command gives up after about one retry delay instead of waiting for a long outage.
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...(opts.name ? { connectionName: opts.name } : {}),
    ...opts.redisOptions,
  });
  client.once('ready', () => {
    // From now on a command sent while the connection is down is refused at once.
    client.options.enableOfflineQueue = false;
  });
  client.on('error', opts.onError ?? (() => {}));
  return client;
}

/** Builds a BullMQ connection: BullMQ workers need `maxRetriesPerRequest: null` to block safely. */
export function createBullConnection(
  url: string,
  opts: { onError?: (err: Error) => void } = {},
): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  client.on('error', opts.onError ?? (() => {}));
  return client;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES = [
  'Command timed out',
  'Connection is closed',
  "Stream isn't writeable",
  'Reached the max retries per request limit',
];
// Replies Redis gives while it cannot serve (starting, failing over, read-only replica).
const UNAVAILABLE_REPLIES = /^(LOADING|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|BUSY)\b/;

/** True when `err` means Redis is unreachable or not serving, as opposed to a bug in a command. */
export function isRedisUnavailable(err: unknown): boolean {
  if (err instanceof RedisUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (CONNECTION_MESSAGES.some((m) => err.message.includes(m))) return true;
  return UNAVAILABLE_REPLIES.test(err.message);
}

/** Runs a Redis operation, turning connection failures into `RedisUnavailableError`. */
export async function guardRedis<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isRedisUnavailable(err) && !(err instanceof RedisUnavailableError)) {
      throw new RedisUnavailableError(err);
    }
    throw err;
  }
}

/**
 * Deletes every key of a namespace (`keys.bullPrefix*`), in SCAN pages so a large one never
 * blocks Redis; for tests, the sandbox's private data, benchmarks and the chaos battery.
 */
export async function deleteNamespace(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) deleted += await redis.del(...found);
  } while (cursor !== '0');
  return deleted;
}

/** Telling "Redis is down" apart from a bug in a command, and saying so to a Slack user. */

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

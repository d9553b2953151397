import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.ts';

/** The default Redis the sandbox tries before starting a private one. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** No Redis could be found or started; the message says how to get one. */
export class NoRedisError extends Error {
  override readonly name = 'NoRedisError';
}

/** A Redis the sandbox can use, and how to let go of it (stops a private server). */
export interface SandboxRedis {
  url: string;
  /** True when the sandbox started this redis-server itself. */
  private: boolean;
  stop(): Promise<void>;
}

const HOW_TO_GET_REDIS = [
  'The sandbox needs Redis. Either:',
  '  - install it, and the sandbox starts a private one by itself:',
  '      Debian/Ubuntu: sudo apt-get install redis-server     macOS: brew install redis',
  '  - or run one in Docker:  docker run --rm -p 6379:6379 redis:7',
  '  - or point REDIS_URL at one you have, e.g. REDIS_URL=redis://127.0.0.1:6380',
].join('\n');

/** Whether a Redis at `url` answers PING within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // the answer below is all we want to know
  try {
    await client.connect();
    return (await withTimeout(client.ping(), timeoutMs)) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Where {@link ensureRedis} looks; the defaults are what `npm run sandbox` uses. */
export interface EnsureRedisOptions {
  /**
   * REDIS_URL. A local one (127.0.0.1, localhost, ::1) that does not answer gets a private
   * server started on its port; a remote one must answer.
   */
  url?: string;
  /** Tried when `url` is unset; default 127.0.0.1:6379. */
  defaultUrl?: string;
  /** The server to start when nothing answers; default `redis-server` from the PATH. */
  command?: string;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The port of a plain local Redis URL (one a private server could stand in for), if it is one. */
function localPort(url: string): number | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'redis:' || !LOCAL_HOSTS.has(u.hostname) || u.password) return undefined;
    return Number(u.port || 6379);
  } catch {
    return undefined;
  }
}

/**
 * Finds Redis for the sandbox: `url` when given, else 127.0.0.1:6379. When nothing answers
 * at a local URL, starts a private `redis-server` (no persistence): on the URL's own port for
 * REDIS_URL, on a free port otherwise.
 */
export async function ensureRedis(opts: EnsureRedisOptions = {}): Promise<SandboxRedis> {
  const wanted = opts.url ?? opts.defaultUrl ?? DEFAULT_REDIS_URL;
  if (await redisAnswers(wanted)) return { url: wanted, private: false, stop: async () => {} };
  const command = opts.command ?? 'redis-server';
  if (opts.url !== undefined) {
    const port = localPort(opts.url);
    if (port === undefined) {
      throw new NoRedisError(
        `Nothing answers at REDIS_URL (${redact(opts.url)}). Check that this Redis is running and reachable from here, or unset REDIS_URL and the sandbox uses 127.0.0.1:6379 or starts a private redis-server.`,
      );
    }
    const started = await startPrivateRedis(command, port);
    if (!started) {
      throw new NoRedisError(
        `Nothing answers at REDIS_URL (${redact(opts.url)}), and redis-server is not installed to start one there.\n${HOW_TO_GET_REDIS}`,
      );
    }
    return started;
  }
  const started = await startPrivateRedis(command, await freePort());
  if (!started) {
    throw new NoRedisError(`Nothing answers at ${redact(wanted)}.\n${HOW_TO_GET_REDIS}`);
  }
  return started;
}

/** Starts `redis-server` on a loopback port; undefined when it is not installed. */
async function startPrivateRedis(command: string, port: number): Promise<SandboxRedis | undefined> {
  // Its own process group: a Ctrl-C in the terminal must not stop Redis while the bot is
  // still closing its queues; the sandbox stops it last, and on any exit of this process.
  const child = spawn(
    command,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore', detached: true },
  );
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const spawnFailed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    child.once('spawn', () => resolve(false));
  });
  if (spawnFailed) {
    process.off('exit', killOnExit);
    return undefined;
  }
  const url = `redis://127.0.0.1:${port}`;
  const stop = () => stopChild(child, exited);
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url, 200)) return { url, private: true, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new NoRedisError(
    `${command} was found but did not start on port ${port} (is something else using it?).`,
  );
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** Deletes every key under the sandbox's own key prefix `{namespace}`; returns how many. */
export async function clearNamespace(url: string, namespace: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    let deleted = 0;
    // `{` and `}` are literal in SCAN patterns; `*`, `?`, `[` and `\` in the name are escaped.
    const pattern = `${`{${namespace}}`.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    client.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'not a URL';
  }
}

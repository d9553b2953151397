import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Cluster, Redis } from 'ioredis';
import { errorText } from '../util/error-text.ts';

/**
 * Microsoft Entra ID for Redis (Azure Managed Redis, Azure Cache for Redis): an access token
 * is the password and the identity's object ID the user. Tokens live about an hour, and a
 * connection whose token expires is dropped by the server, so before each token expires a
 * new one is fetched and every live connection sends `AUTH user token` on its open socket:
 * nothing is reconnected, no command is lost. Connections opened later (a reconnect, a
 * cluster node found later, a BullMQ duplicate) take the newest token from their options.
 */

/** Where refresh outcomes are told; never given a token. */
export interface EntraLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface EntraAuth {
  /** Keeps `client` (and every connection duplicated from it) on the current token. */
  track(client: Redis): void;
  /** Resolves once the first token is there; rejects when the credential gives none. */
  ready(): Promise<void>;
  /** Fetches a token now and re-authenticates every live connection with it. */
  refresh(): Promise<void>;
  /** Tokens handed out that may still be valid. */
  secrets(): string[];
  close(): void;
}

export interface EntraAuthOptions {
  scope: string;
  /** The Redis user; the token's `oid` claim when absent. */
  username?: string;
  credential?: TokenCredential;
  logger?: EntraLogger;
  now?: () => number;
}

/** A long-lived token is replaced this long before it expires. */
const MARGIN_MS = 5 * 60_000;

/**
 * When to fetch the next token: at the credential's `refreshAfterTimestamp` if it gives one,
 * else 5 minutes before expiry; a token that lives less than 20 minutes (tests, emulators) is
 * replaced when three quarters of its life have passed.
 */
export function refreshDelayMs(token: AccessToken, now: number): number {
  const life = token.expiresOnTimestamp - now;
  const byMargin = life > 4 * MARGIN_MS ? life - MARGIN_MS : life * 0.75;
  const byHint =
    token.refreshAfterTimestamp !== undefined ? token.refreshAfterTimestamp - now : byMargin;
  return Math.max(250, Math.min(byMargin, byHint));
}

/** The object ID (`oid` claim) in an Entra ID access token, a JWT; undefined when it has none. */
export function objectIdOf(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      oid?: unknown;
    };
    return typeof claims.oid === 'string' && claims.oid !== '' ? claims.oid : undefined;
  } catch {
    return undefined;
  }
}

/** `DefaultAzureCredential`, loaded on first use: the same chain as the fine-tuning client's. */
function defaultCredential(): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      credential ??= import('@azure/identity').then((m) => new m.DefaultAzureCredential());
      return (await credential).getToken(scopes, options);
    },
  };
}

type Options = { username?: string | undefined; password?: string | undefined };
type Node = Redis & { options: Options };

function isClusterClient(client: Redis | Cluster): client is Cluster {
  return typeof (client as Cluster).nodes === 'function';
}

export function createEntraAuth(opts: EntraAuthOptions): EntraAuth {
  const credential = opts.credential ?? defaultCredential();
  const now = opts.now ?? Date.now;
  const clients = new Set<Redis | Cluster>();
  const issued: string[] = [];
  let current: { username: string; token: string; expiresOn: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let first: Promise<void> | undefined;
  let inFlight: Promise<void> | undefined;

  /** The options each connection of `client` authenticates with on its next connect. */
  const apply = (client: Redis | Cluster) => {
    if (!current) return;
    const { username, token } = current;
    const set = (o: Options) => {
      o.username = username;
      o.password = token;
    };
    if (isClusterClient(client)) {
      // The cluster's connection pool builds new node connections from this same object.
      const options = client.options as { redisOptions?: Options };
      options.redisOptions ??= {};
      set(options.redisOptions);
      for (const node of client.nodes('all')) set((node as Node).options);
    } else {
      set((client as Node).options);
    }
  };

  /** Sends AUTH on every open connection of `client`; how many were re-authenticated. */
  const reauthenticate = async (client: Redis | Cluster): Promise<number> => {
    if (!current) return 0;
    const { username, token } = current;
    const nodes = isClusterClient(client) ? client.nodes('all') : [client];
    const open = nodes.filter((node) => node.status === 'ready');
    const results = await Promise.allSettled(open.map((node) => node.auth(username, token)));
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    if (failed.length > 0)
      opts.logger?.warn(
        { connections: failed.length, err: errorText(failed[0]?.reason) },
        'Redis refused the new Entra ID token on a live connection; it keeps its session until it reconnects',
      );
    return open.length - failed.length;
  };

  const schedule = (delayMs: number) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      refresh().catch(() => undefined); // told in refresh; retried by its own schedule
    }, delayMs);
    timer.unref();
  };

  const fetchToken = async () => {
    let token: AccessToken | null;
    try {
      token = await credential.getToken(opts.scope);
    } catch (err) {
      throw new Error(
        `could not get a Microsoft Entra ID token for Redis (scope ${opts.scope}): ${errorText(err)}`,
        { cause: err },
      );
    }
    if (!token?.token) throw new Error('the Entra ID credential returned no token for Redis');
    const username = opts.username ?? objectIdOf(token.token);
    if (!username)
      throw new Error(
        "the Entra ID token for Redis names no object ID (oid): set REDIS_USERNAME to the identity's object ID",
      );
    issued.push(token.token);
    if (issued.length > 4) issued.shift();
    current = { username, token: token.token, expiresOn: token.expiresOnTimestamp };
    return token;
  };

  const refresh = (): Promise<void> => {
    inFlight ??= (async () => {
      try {
        const token = await fetchToken();
        let connections = 0;
        for (const client of clients) {
          apply(client);
          connections += await reauthenticate(client);
        }
        schedule(refreshDelayMs(token, now()));
        opts.logger?.info(
          {
            connections,
            expiresInSeconds: Math.round((token.expiresOnTimestamp - now()) / 1000),
          },
          'Redis Entra ID token refreshed; live connections re-authenticated',
        );
      } catch (err) {
        // Keep the old token while it lasts and try again soon.
        const left = current ? current.expiresOn - now() : 0;
        schedule(Math.max(1000, Math.min(30_000, left / 4)));
        opts.logger?.warn(
          { err: errorText(err), tokenLeftSeconds: Math.max(0, Math.round(left / 1000)) },
          'could not refresh the Redis Entra ID token; retrying',
        );
        throw err;
      }
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const track = (client: Redis | Cluster) => {
    clients.add(client);
    client.once('end', () => clients.delete(client));
    // BullMQ duplicates the connection it is given (a worker's blocking client): keep those too.
    const duplicate = client.duplicate.bind(client) as (...args: unknown[]) => Redis | Cluster;
    (client as { duplicate: unknown }).duplicate = (...args: unknown[]) => {
      const copy = duplicate(...args);
      track(copy);
      return copy;
    };
    apply(client);
  };

  return {
    track: (client) => track(client),
    ready() {
      if (current) return Promise.resolve();
      first ??= refresh().catch((err: unknown) => {
        first = undefined;
        throw err;
      });
      return first;
    },
    refresh,
    secrets: () => [...issued],
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

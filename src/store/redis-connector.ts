import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { TokenCredential } from '@azure/identity';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { createEntraAuth, type EntraAuth, type EntraLogger } from './redis-entra.ts';
import { type RedisTarget, targetOf } from './redis-target.ts';

/**
 * Redis clients for ftops: the one place that knows whether Redis is one server or a Redis
 * Cluster, how TLS is set up and how ftops authenticates. Everything else asks a
 * `RedisConnector` for a command client or a BullMQ connection.
 *
 * The command client is built to fail fast: a person clicking a button while Redis is down
 * should hear "temporarily unavailable" within a couple of seconds, not watch a spinner while
 * ioredis queues the command for minutes.
 *
 * Why not simply `enableOfflineQueue: false` from the start: right after start-up the socket
 * is not connected yet, and every command would be refused, so `main` could not even wait
 * for Redis with a `ping()`. So the offline queue is on until the first `ready` and off from
 * then on. Two more settings keep a refused command from running later behind the user's
 * back (a vote that was reported as failed must not be counted minutes afterwards):
 * `autoResendUnfulfilledCommands: false` and the queue being off after the first connect.
 * On a cluster the same holds: the cluster's own offline queue goes off after its first
 * `ready`, and every node connection has the same timeout and no resend.
 *
 * A cluster client is returned typed as `Redis`: ioredis's `Cluster` has the same command
 * methods (each routed to its key's slot), and the members where they differ (options,
 * nodes, SCAN) are touched only here and in redis-cluster.ts (`deleteNamespace`, `forEachPrimary`).
 */

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
  /** One connection attempt and no reconnect (the doctor reports a dead Redis, it does not wait). */
  singleAttempt?: boolean;
  /** Anything else for ioredis (each node's options on a cluster); wins over the defaults above. */
  redisOptions?: RedisOptions;
}

/** Options for a BullMQ connection. */
export interface BullConnectionOptions {
  name?: string;
  onError?: (err: Error) => void;
}

/** Builds every Redis client of a process from one target, and keeps their credentials fresh. */
export interface RedisConnector {
  readonly target: RedisTarget;
  /** A fail-fast client for ftops' own commands. */
  commands(opts?: CreateRedisOptions): Redis;
  /** A connection for BullMQ queues and workers: `maxRetriesPerRequest: null`, never gives up. */
  bull(opts?: BullConnectionOptions): Redis;
  /**
   * Resolves once clients can authenticate: at once, or with Entra ID after the first token.
   * Clients made before then connect when it resolves. Rejects when no token can be had.
   */
  ready(): Promise<void>;
  /** With Entra ID: fetches a token now and re-authenticates every live connection with it. */
  refreshNow(): Promise<void>;
  /** Passwords and tokens in use, never to be logged. */
  secrets(): string[];
  /** Stops refreshing tokens; the clients themselves are closed by whoever asked for them. */
  close(): void;
}

export interface RedisConnectorOptions {
  /** Entra ID credential; by default `DefaultAzureCredential`, as for the fine-tuning API. */
  credential?: TokenCredential;
  logger?: EntraLogger;
  now?: () => number;
}

interface Seed {
  host: string;
  port: number;
}

function seedOf(entry: string): Seed & { db: number } {
  const url = new URL(entry);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: Number(url.port || 6379),
    db: Number.isInteger(db) ? db : 0,
  };
}

/** What every connection to a node needs: TLS and static credentials. */
function nodeOptions(target: RedisTarget): RedisOptions {
  const first = seedOf(target.url);
  const tls = new URL(target.url).protocol === 'rediss:';
  const ca = target.caFile ? readFileSync(target.caFile) : undefined;
  const { auth } = target;
  return {
    // A cluster's nodes are often announced by IP: the certificate names the seed's host.
    ...(tls && {
      tls: { ...(ca && { ca }), ...(isIP(first.host) === 0 && { servername: first.host }) },
    }),
    ...(auth.type === 'password' && {
      ...(auth.username && { username: auth.username }),
      password: auth.password,
    }),
    ...(!target.cluster && first.db !== 0 && { db: first.db }),
  };
}

function clusterOptions(target: RedisTarget, redisOptions: RedisOptions): ClusterOptions {
  const tls = new URL(target.url).protocol === 'rediss:';
  return {
    redisOptions,
    // With TLS, connect to nodes by the names they announce so the certificate check holds.
    ...(tls && { dnsLookup: (address, callback) => callback(null, address) }),
  };
}

/** Builds the connector for `target` (a URL string means one server, credentials in the URL). */
export function createRedisConnector(
  input: RedisTarget | string,
  opts: RedisConnectorOptions = {},
): RedisConnector {
  const target = targetOf(input);
  const base = nodeOptions(target);
  const seeds = target.urls.map(seedOf).map(({ host, port }) => ({ host, port }));
  const entra: EntraAuth | undefined =
    target.auth.type === 'entra'
      ? createEntraAuth({
          scope: target.auth.scope,
          ...(target.auth.username && { username: target.auth.username }),
          ...(opts.credential && { credential: opts.credential }),
          ...(opts.logger && { logger: opts.logger }),
          ...(opts.now && { now: opts.now }),
        })
      : undefined;
  // With Entra ID nothing connects before the first token: the clients wait for `ready()`.
  const lazy: RedisOptions = entra ? { lazyConnect: true } : {};

  const build = (options: RedisOptions, cluster: Partial<ClusterOptions>): Redis => {
    if (!target.cluster) {
      const [seed] = seeds as [Seed];
      return new Redis({ ...seed, ...options });
    }
    const client = new Cluster(seeds, { ...clusterOptions(target, options), ...cluster });
    return client as unknown as Redis;
  };
  const adopt = (client: Redis): Redis => {
    if (entra) entra.track(client);
    return client;
  };

  return {
    target,
    commands(o = {}) {
      const connectTimeout = o.connectTimeoutMs ?? 2000;
      const retry = o.singleAttempt ? () => null : (times: number) => Math.min(times * 200, 2000);
      const options: RedisOptions = {
        ...base,
        ...lazy,
        // One reconnect attempt per command at most: ECONNREFUSED comes back at once, so a
        // command gives up after about one retry delay instead of waiting for a long outage.
        maxRetriesPerRequest: o.singleAttempt ? 0 : 1,
        commandTimeout: o.commandTimeoutMs ?? 2000,
        connectTimeout,
        enableOfflineQueue: true,
        autoResendUnfulfilledCommands: false,
        ...(!target.cluster && { retryStrategy: retry }),
        ...(o.name ? { connectionName: o.name } : {}),
        ...o.redisOptions,
      };
      const client = build(options, {
        enableOfflineQueue: true,
        clusterRetryStrategy: retry,
        slotsRefreshTimeout: connectTimeout,
        ...(entra && { lazyConnect: true }),
      });
      client.once('ready', () => {
        // From now on a command sent while the connection is down is refused at once.
        (
          client as unknown as { options: { enableOfflineQueue: boolean } }
        ).options.enableOfflineQueue = false;
      });
      if (target.cluster) {
        // A cluster keeps commands queued until it is up, however long that takes; like the
        // single server's `maxRetriesPerRequest: 1`, a command waits out one failed attempt
        // to reach it at most.
        const cluster = client as unknown as { flushQueue(err: Error): void };
        client.on('reconnecting', () =>
          cluster.flushQueue(
            new Error('Connection is closed (the Redis Cluster is not reachable)'),
          ),
        );
      }
      client.on('error', o.onError ?? (() => {}));
      return adopt(client);
    },
    bull(o = {}) {
      const client = build(
        {
          ...base,
          ...lazy,
          maxRetriesPerRequest: null,
          ...(o.name ? { connectionName: o.name } : {}),
        },
        entra ? { lazyConnect: true } : {},
      );
      client.on('error', o.onError ?? (() => {}));
      return adopt(client);
    },
    ready: () => (entra ? entra.ready() : Promise.resolve()),
    refreshNow: () => (entra ? entra.refresh() : Promise.resolve()),
    secrets: () =>
      target.auth.type === 'password' ? [target.auth.password] : (entra?.secrets() ?? []),
    close: () => entra?.close(),
  };
}

/** Builds a fail-fast command client for a target without Entra ID (tests, tools). */
export function createRedis(target: RedisTarget | string, opts: CreateRedisOptions = {}): Redis {
  return staticConnector(target).commands(opts);
}

/** Builds a BullMQ connection: BullMQ workers need `maxRetriesPerRequest: null` to block safely. */
export function createBullConnection(
  target: RedisTarget | string,
  opts: BullConnectionOptions = {},
): Redis {
  return staticConnector(target).bull(opts);
}

function staticConnector(target: RedisTarget | string): RedisConnector {
  const resolved = targetOf(target);
  if (resolved.auth.type === 'entra')
    throw new Error(
      'Entra ID needs a RedisConnector (createRedisConnector), which refreshes tokens',
    );
  return createRedisConnector(resolved);
}

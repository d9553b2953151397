import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeys } from '../../src/store/keys.ts';
import {
  createBullConnection,
  createRedis,
  guardRedis,
  isCluster,
  isRedisUnavailable,
  RedisUnavailableError,
} from '../../src/store/redis.ts';
import { TEST_REDIS } from '../support/redis.ts';

/** A TCP pass-through to the real Redis that the test can cut and restore. */
async function startProxy(port = 0) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(6379, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    port: actual,
    async cut() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('createRedis', () => {
  it('after the connection drops, a command is refused at once and never replayed later', async () => {
    const proxy = await startProxy();
    const keys = createKeys(`test-${randomUUID()}`);
    const key = keys.replay('probe');
    const client = createRedis(`redis://127.0.0.1:${proxy.port}`, {
      redisOptions: { retryStrategy: () => 20 },
    });
    cleanups.push(() => client.disconnect());
    expect(await client.ping()).toBe('PONG');

    const closed = once(client, 'close');
    await proxy.cut();
    await closed;
    const err = await guardRedis(() => client.set(key, 'late')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
    expect((err as Error).message).toMatch(/^ftops is temporarily unavailable/);

    const back = await startProxy(proxy.port);
    cleanups.push(() => back.cut());
    await once(client, 'ready');
    expect(await client.get(key)).toBeNull();
  });

  it('before the first connection, commands wait for it instead of failing', async () => {
    const client = createRedis(TEST_REDIS);
    cleanups.push(() => client.quit());
    expect(await client.ping()).toBe('PONG');
  });

  it('a Redis that is not there answers RedisUnavailableError, not a hang', async () => {
    const client = createRedis('redis://127.0.0.1:1', {
      redisOptions: { retryStrategy: () => null },
    });
    cleanups.push(() => client.disconnect());
    await expect(guardRedis(() => client.get('x'))).rejects.toBeInstanceOf(RedisUnavailableError);
  });

  it('command errors that are not about availability pass through unchanged', async () => {
    const client = createRedis(TEST_REDIS);
    cleanups.push(() => client.quit());
    const keys = createKeys(`test-${randomUUID()}`);
    const key = keys.replay('wrongtype');
    await client.set(key, 'v', 'EX', 60);
    const err = await guardRedis(() => client.hget(key, 'f')).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(RedisUnavailableError);
    expect(isRedisUnavailable(err)).toBe(false);
    expect((err as Error).message).toMatch(/^WRONGTYPE/);
    await client.del(key);
  });
});

describe('createBullConnection', () => {
  it('lets BullMQ block: no per-request retry limit', async () => {
    const client = createBullConnection(TEST_REDIS);
    cleanups.push(() => client.quit());
    // On a cluster the setting is each node's (`redisOptions`), which is where BullMQ looks.
    const options = isCluster(client)
      ? (client.options as { redisOptions?: { maxRetriesPerRequest?: unknown } }).redisOptions
      : client.options;
    expect(options?.maxRetriesPerRequest).toBeNull();
    expect(await client.ping()).toBe('PONG');
  });
});

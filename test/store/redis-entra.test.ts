import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManagedIdentityCredential } from '@azure/identity';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/run.ts';
import {
  createRedis,
  createRedisConnector,
  DEFAULT_REDIS_ENTRA_SCOPE,
  type RedisConnector,
  type RedisTarget,
} from '../../src/store/redis.ts';
import { objectIdOf, refreshDelayMs } from '../../src/store/redis-entra.ts';
import { type IdentityEndpoint, startIdentityEndpoint } from '../support/identity-endpoint.ts';
import { STANDALONE_URL } from '../support/redis.ts';

/**
 * Microsoft Entra ID on a real Redis: an ACL user whose password is rotated to each token the
 * emulated managed identity endpoint issues (3 s tokens), the old one removed at once, as
 * Azure Managed Redis stops accepting an expired token. ftops' connections must keep working
 * across rotations without reconnecting. The user is made on the single server only, so the
 * cluster run of test/store skips this file.
 */
describe('Redis with Microsoft Entra ID tokens', () => {
  let admin: Redis;
  let identity: IdentityEndpoint;
  let credential: ManagedIdentityCredential;
  const user = `ftops-entra-${randomUUID()}`;
  const logs: { msg: string; obj: Record<string, unknown> }[] = [];
  const logger = {
    info: (obj: object, msg: string) => logs.push({ msg, obj: obj as Record<string, unknown> }),
    warn: (obj: object, msg: string) => logs.push({ msg, obj: obj as Record<string, unknown> }),
  };
  const target: RedisTarget = {
    url: STANDALONE_URL,
    urls: [STANDALONE_URL],
    cluster: false,
    auth: { type: 'entra', scope: DEFAULT_REDIS_ENTRA_SCOPE },
  };

  beforeAll(async () => {
    admin = createRedis(STANDALONE_URL);
    identity = await startIdentityEndpoint({
      objectId: user,
      lifetimeMs: 3000,
      // The user's only password is the newest token: the one before stops working now.
      beforeIssue: async (token) => {
        await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${token}`, '~*', '&*', '+@all');
      },
    });
    // The real credential chain's managed identity leg, pointed at the emulated endpoint.
    process.env.IDENTITY_ENDPOINT = identity.url;
    process.env.IDENTITY_HEADER = identity.header;
    credential = new ManagedIdentityCredential();
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    await admin.quit();
    await identity.close();
    delete process.env.IDENTITY_ENDPOINT;
    delete process.env.IDENTITY_HEADER;
  });

  it('keeps live connections working across token rotations, re-authenticating them in place', async () => {
    const connector: RedisConnector = createRedisConnector(target, { credential, logger });
    await connector.ready();
    const redis = connector.commands({ name: 'ftops-entra-test' });
    const bull = connector.bull({ name: 'ftops-entra-bull' });
    // What BullMQ does with the connection it is given, for a worker's blocking client.
    const duplicate = bull.duplicate();
    const key = `{test-${randomUUID()}}:entra`;
    try {
      const ids = await Promise.all([redis, bull, duplicate].map((c) => c.client('ID')));
      expect(await redis.call('ACL', 'WHOAMI')).toBe(user);

      // Commands flow without a pause for 8 s: two or more rotations.
      let sent = 0;
      const until = Date.now() + 8000;
      while (Date.now() < until) {
        await redis.incr(key);
        await bull.get(key);
        await duplicate.get(key);
        sent++;
        await sleep(50);
      }
      expect(Number(await redis.get(key))).toBe(sent);
      expect(identity.issued.length).toBeGreaterThanOrEqual(3);
      expect(identity.resources.every((r) => r === 'https://redis.azure.com')).toBe(true);

      // Not one reconnect: the same three connections, each re-authenticated on every refresh.
      expect(await Promise.all([redis, bull, duplicate].map((c) => c.client('ID')))).toEqual(ids);
      const refreshes = logs.filter((l) => l.msg.startsWith('Redis Entra ID token refreshed'));
      expect(refreshes.length).toBeGreaterThanOrEqual(2);
      for (const r of refreshes.slice(1)) expect(r.obj.connections).toBe(3);
      expect(logs.some((l) => l.msg.startsWith('could not'))).toBe(false);

      // The token before the newest is refused now; a reconnect takes the newest from its options.
      const [older] = identity.issued.slice(-2);
      const stale = createRedis({
        ...target,
        auth: { type: 'password', username: user, password: older as string },
      });
      await expect(stale.ping()).rejects.toThrow(/WRONGPASS/);
      stale.disconnect();
      redis.disconnect(true);
      await sleep(300);
      expect(await redis.incr(key)).toBe(sent + 1);
      // No token reaches a log line.
      const logged = JSON.stringify(logs);
      for (const token of identity.issued) expect(logged).not.toContain(token);
    } finally {
      connector.close();
      await admin.del(key);
      for (const c of [redis, bull, duplicate]) c.disconnect();
    }
  });

  it('npm run doctor: authenticates with the token, as the object ID in it', async () => {
    const lines: string[] = [];
    await runDoctor(
      {
        SLACK_BOT_TOKEN: 'xoxb-doctor-entra',
        SLACK_SIGNING_SECRET: 'doctor-entra-signing',
        OPENAI_API_KEY: 'sk-doctor-entra',
        OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
        SLACK_API_URL: 'http://127.0.0.1:1/api/',
        REDIS_URL: STANDALONE_URL,
        REDIS_ENTRA: 'true',
      },
      { out: (line) => lines.push(line), credential, timeoutMs: 2000 },
    );
    expect(lines).toContain(
      `✓ Redis auth: authenticated as ${user} with a Microsoft Entra ID token (scope ${DEFAULT_REDIS_ENTRA_SCOPE}), renewed and re-sent on every connection before it expires`,
    );
    const text = lines.join('\n');
    for (const token of identity.issued) expect(text).not.toContain(token);
  });

  it('tells the doctor when no token can be had', async () => {
    const lines: string[] = [];
    const failing = { getToken: async () => Promise.reject(new Error('no identity here')) };
    await runDoctor(
      {
        SLACK_BOT_TOKEN: 'xoxb-doctor-entra',
        SLACK_SIGNING_SECRET: 'doctor-entra-signing',
        OPENAI_API_KEY: 'sk-doctor-entra',
        OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
        SLACK_API_URL: 'http://127.0.0.1:1/api/',
        REDIS_URL: STANDALONE_URL,
        REDIS_ENTRA: 'true',
      },
      { out: (line) => lines.push(line), credential: failing, timeoutMs: 2000 },
    );
    const redis = lines.find((l) => l.startsWith('✗ Redis:'));
    expect(redis).toContain('could not get a Microsoft Entra ID token for Redis');
    expect(lines).toContain('– Redis auth: not checked (no Entra ID token)');
  });
});

describe('Entra ID token arithmetic', () => {
  it('refreshes an hour-long token 5 minutes early, a short one at three quarters of its life', () => {
    const now = 1_000_000;
    expect(refreshDelayMs({ token: 't', expiresOnTimestamp: now + 3_600_000 }, now)).toBe(
      3_300_000,
    );
    expect(refreshDelayMs({ token: 't', expiresOnTimestamp: now + 4000 }, now)).toBe(3000);
    expect(
      refreshDelayMs(
        { token: 't', expiresOnTimestamp: now + 3_600_000, refreshAfterTimestamp: now + 1_800_000 },
        now,
      ),
    ).toBe(1_800_000);
    expect(refreshDelayMs({ token: 't', expiresOnTimestamp: now - 1 }, now)).toBe(250);
  });

  it('reads the object ID from a token, and nothing from what is not a JWT', () => {
    const payload = Buffer.from(JSON.stringify({ oid: 'abc-123' })).toString('base64url');
    expect(objectIdOf(`x.${payload}.y`)).toBe('abc-123');
    expect(objectIdOf('not-a-jwt')).toBeUndefined();
    expect(objectIdOf('a.%%%.b')).toBeUndefined();
  });
});

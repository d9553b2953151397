import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/store/audit.ts';
import { createKeys, type Keys } from '../../src/store/keys.ts';
import { createRedis, deleteNamespace, RedisUnavailableError } from '../../src/store/redis.ts';
import { TEST_REDIS } from '../support/redis.ts';

let redis: Redis;
let keys: Keys;
let lines: Array<{ obj: Record<string, unknown>; msg?: string }>;
let audit: AuditLog;

beforeAll(async () => {
  redis = createRedis(TEST_REDIS);
  await redis.ping();
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(async () => {
  keys = createKeys(`test-${randomUUID()}`);
  lines = [];
  audit = new AuditLog({
    redis,
    keys,
    logger: { info: (obj, msg) => lines.push(msg === undefined ? { obj } : { obj, msg }) },
  });
  return async () => {
    await deleteNamespace(redis, keys.bullPrefix);
  };
});

describe('AuditLog', () => {
  it('appends an entry to the stream and logs it as one structured line', async () => {
    const id = await audit.append({
      event: 'approved',
      who: 'UAPP',
      at: 1000,
      action: 'pause',
      jobId: 'ftjob-abc',
      requestId: 'req1',
      outcome: 'approved (1 of 1)',
    });
    expect(id).toMatch(/^\d+-\d+$/);
    expect(lines).toEqual([
      {
        obj: {
          audit: true,
          event: 'approved',
          who: 'UAPP',
          at: 1000,
          action: 'pause',
          jobId: 'ftjob-abc',
          requestId: 'req1',
          outcome: 'approved (1 of 1)',
        },
        msg: 'audit approved',
      },
    ]);
    expect(await audit.latest({ count: 5 })).toEqual([
      {
        id,
        event: 'approved',
        who: 'UAPP',
        at: 1000,
        action: 'pause',
        jobId: 'ftjob-abc',
        requestId: 'req1',
        outcome: 'approved (1 of 1)',
      },
    ]);
  });

  it('reads newest first and filters by job across pages', async () => {
    for (let i = 0; i < 250; i++) {
      await audit.append({
        event: 'requested',
        who: `U${i}`,
        at: i,
        jobId: i % 50 === 0 ? 'ftjob-rare' : 'ftjob-common',
      });
    }
    const newest = await audit.latest({ count: 3 });
    expect(newest.map((e) => e.at)).toEqual([249, 248, 247]);
    const rare = await audit.latest({ jobId: 'ftjob-rare', count: 10 });
    expect(rare.map((e) => e.at)).toEqual([200, 150, 100, 50, 0]);
    expect((await audit.latest({ jobId: 'ftjob-rare', count: 2 })).map((e) => e.at)).toEqual([
      200, 150,
    ]);
    expect(await audit.latest({ jobId: 'ftjob-none', count: 5 })).toEqual([]);
    expect(await audit.latest({ count: 0 })).toEqual([]);
  });

  it('keeps refusals apart and capped: a flood of them never pushes a decision out', async () => {
    const small = new AuditLog({ redis, keys, logger: { info: () => {} }, maxRefusals: 10 });
    await small.append({
      event: 'requested',
      who: 'UREQ',
      at: 1,
      jobId: 'ftjob-a',
      requestId: 'r1',
    });
    // 500 different users each refused once on the request, then 2,000 repeats by one user.
    for (let i = 0; i < 500; i++)
      await small.append({
        event: 'refused',
        who: `U${i}`,
        at: i,
        jobId: 'ftjob-a',
        requestId: 'r1',
      });
    for (let i = 0; i < 2_000; i++)
      await small.append({
        event: 'refused',
        who: 'UFLOOD',
        at: i,
        jobId: 'ftjob-a',
        requestId: 'r1',
      });
    await small.append({
      event: 'approved',
      who: 'UAPP',
      at: 2,
      jobId: 'ftjob-a',
      requestId: 'r1',
    });

    expect((await small.latest({ count: 10 })).map((e) => e.event)).toEqual([
      'approved',
      'requested',
    ]);
    expect((await small.latest({ jobId: 'ftjob-a', count: 10 })).map((e) => e.who)).toEqual([
      'UAPP',
      'UREQ',
    ]);
    // MAXLEN ~ trims whole nodes: far fewer than 501 refusals remain, never fewer than the cap.
    const kept = await redis.xlen(keys.auditRefusals());
    expect(kept).toBeGreaterThanOrEqual(10);
    expect(kept).toBeLessThan(501);
    const [flood] = await small.refusals({ count: 1 });
    expect(flood).toMatchObject({ who: 'UFLOOD', repeats: 1_999 });
  });

  it('logs a repeated refusal once, and counts the rest', async () => {
    for (let i = 0; i < 5; i++)
      await audit.append({ event: 'refused', who: 'U1', at: i, action: 'pause', requestId: 'r9' });
    expect(lines.map((l) => l.msg)).toEqual(['audit refused']);
    expect(await audit.refusals({ count: 5 })).toMatchObject([{ who: 'U1', repeats: 4 }]);
    expect(await audit.latest({ count: 5 })).toEqual([]);
  });

  it('pages through older decisions', async () => {
    for (let i = 0; i < 25; i++)
      await audit.append({ event: 'requested', who: `U${i}`, at: i, jobId: 'ftjob-p' });
    const first = await audit.latest({ jobId: 'ftjob-p', count: 10 });
    const second = await audit.latest({ jobId: 'ftjob-p', count: 10, before: first.at(-1)?.id });
    const third = await audit.latest({ jobId: 'ftjob-p', count: 10, before: second.at(-1)?.id });
    expect([...first, ...second, ...third].map((e) => e.at)).toEqual(
      Array.from({ length: 25 }, (_, i) => 24 - i),
    );
  });

  it('when Redis is down: the line is still logged and the caller gets RedisUnavailableError', async () => {
    const down = createRedis('redis://127.0.0.1:1', {
      redisOptions: { retryStrategy: () => null },
    });
    const log = new AuditLog({
      redis: down,
      keys,
      logger: { info: (obj, msg) => lines.push(msg === undefined ? { obj } : { obj, msg }) },
    });
    const err = await log.append({ event: 'denied', who: 'U1', at: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisUnavailableError);
    expect((err as Error).message).toMatch(/temporarily unavailable/);
    expect(lines.map((l) => l.msg)).toEqual(['audit denied']);
    down.disconnect();
  });
});

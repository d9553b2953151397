import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApprovalStore,
  isValidApprovalId,
  type NewApprovalRequest,
  newApprovalId,
} from '../../src/store/approvals.ts';
import { createKeys, type Keys } from '../../src/store/keys.ts';
import { createRedis } from '../../src/store/redis.ts';
import { keysMatching, TEST_REDIS } from '../support/redis.ts';

const T0 = Date.UTC(2025, 0, 1, 12);

let redis: Redis;
let keys: Keys = createKeys(`test-${randomUUID()}`);
let store = new ApprovalStore({ redis: undefined as unknown as Redis, keys });

beforeAll(async () => {
  redis = createRedis(TEST_REDIS);
  await redis.ping();
});

afterAll(async () => {
  await redis.quit();
});

function setup() {
  keys = createKeys(`test-${randomUUID()}`);
  store = new ApprovalStore({ redis, keys });
}

afterEach(async () => {
  const found = await keysMatching(redis, `${keys.bullPrefix}*`);
  if (found.length) await redis.del(...found);
});

const base: NewApprovalRequest = {
  action: 'pause',
  jobId: 'ftjob-abc',
  requester: 'UREQ',
  reason: 'eval loss is diverging',
  channel: 'CASK',
  jobStatusAtRequest: 'running',
  approvalsRequired: 1,
  ttlMinutes: 60,
};

describe('approval IDs', () => {
  it('are 22 base64url characters that validate, from 16 random bytes', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newApprovalId()));
    expect(ids.size).toBe(200);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(isValidApprovalId(id)).toBe(true);
    }
  });

  it('anything else is rejected', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const decoded = Buffer.from(s, 'base64url');
        const canonical = decoded.length === 16 && decoded.toString('base64url') === s;
        expect(isValidApprovalId(s)).toBe(canonical);
      }),
    );
    for (const bad of ['', '../../etc', `${newApprovalId()}x`, `${newApprovalId()}:votes`, '*']) {
      expect(isValidApprovalId(bad)).toBe(false);
    }
  });

  it('a malformed ID is refused without touching Redis', async () => {
    // A client that is not connected and refuses to queue: any command would throw.
    const offline = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
    });
    const s = new ApprovalStore({ redis: offline, keys: createKeys(`test-${randomUUID()}`) });
    await expect(s.get('not-an-id')).resolves.toBeNull();
    await expect(s.get('*')).resolves.toBeNull();
    await expect(
      s.decide({ id: '../x', clicker: 'U1', vote: 'approve', now: T0, approvalsRequired: 1 }),
    ).resolves.toEqual({ kind: 'not_found' });
    await expect(s.modals.take('nope', 'U1')).resolves.toBeNull();
    offline.disconnect();
    keys = createKeys(`test-${randomUUID()}`);
  });
});

describe('ApprovalStore', () => {
  it('creates a pending request with a TTL past its expiry and reads it back', async () => {
    setup();
    const created = await store.create(base, T0);
    const loaded = await store.get(created.id);
    expect(loaded).toEqual({
      id: created.id,
      action: 'pause',
      jobId: 'ftjob-abc',
      requester: 'UREQ',
      reason: 'eval loss is diverging',
      channel: 'CASK',
      jobStatusAtRequest: 'running',
      state: 'pending',
      approvals: [],
      approvalsRequired: 1,
      createdAt: T0,
      expiresAt: T0 + 60 * 60_000,
    });
    const ttl = await redis.pttl(keys.approval(created.id));
    expect(ttl).toBeGreaterThan(7 * 24 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000 + 7 * 24 * 3600_000);
    expect(await redis.zscore(keys.approvalsPending(), created.id)).toBe(String(T0 + 3600_000));
    expect(await store.get(newApprovalId())).toBeNull();
  });

  it('stores where the message was posted', async () => {
    setup();
    const r = await store.create(base, T0);
    expect(await store.setMessage(r.id, 'CAPPROVE', '1700000000.000100')).toBe(true);
    expect(await store.get(r.id)).toMatchObject({
      approvalChannel: 'CAPPROVE',
      messageTs: '1700000000.000100',
    });
    expect(await store.setMessage(newApprovalId(), 'C', '1')).toBe(false);
    expect(await keysMatching(redis, `${keys.bullPrefix}*`)).toHaveLength(2);
  });

  it('one approval decides a one-approver request; later clicks see it decided', async () => {
    setup();
    const r = await store.create(base, T0);
    const vote = (clicker: string, vote: 'approve' | 'deny' = 'approve') =>
      store.decide({ id: r.id, clicker, vote, now: T0 + 1000, approvalsRequired: 1 });
    expect(await vote('UAPP')).toEqual({ kind: 'approved', count: 1 });
    expect(await vote('UOTHER')).toEqual({ kind: 'already_decided', state: 'approved' });
    expect(await vote('UOTHER', 'deny')).toEqual({ kind: 'already_decided', state: 'approved' });
    const loaded = await store.get(r.id);
    expect(loaded).toMatchObject({ state: 'approved', decidedBy: 'UAPP', decidedAt: T0 + 1000 });
    expect(loaded?.approvals).toEqual(['UAPP']);
    expect(await redis.zscore(keys.approvalsPending(), r.id)).toBeNull();
  });

  it('two approvals: the same approver twice counts once, the second distinct one decides', async () => {
    setup();
    const r = await store.create({ ...base, approvalsRequired: 2 }, T0);
    const vote = (clicker: string) =>
      store.decide({ id: r.id, clicker, vote: 'approve', now: T0 + 1, approvalsRequired: 2 });
    expect(await vote('UA')).toEqual({ kind: 'recorded', count: 1 });
    expect(await vote('UA')).toEqual({ kind: 'duplicate', count: 1 });
    expect((await store.get(r.id))?.state).toBe('pending');
    expect(await vote('UB')).toEqual({ kind: 'approved', count: 2 });
    expect(await store.get(r.id)).toMatchObject({ state: 'approved', approvals: ['UA', 'UB'] });
    // The votes set expires with the request.
    const [votesTtl, hashTtl] = await Promise.all([
      redis.pttl(keys.approvalVotes(r.id)),
      redis.pttl(keys.approval(r.id)),
    ]);
    expect(votesTtl).toBeGreaterThan(7 * 24 * 3600_000);
    // Both count down from the same TTL; allow for the time between the two reads.
    expect(Math.abs(votesTtl - hashTtl)).toBeLessThan(5000);
  });

  it('the requester never counts, even inside the script', async () => {
    setup();
    const r = await store.create(base, T0);
    expect(
      await store.decide({
        id: r.id,
        clicker: 'UREQ',
        vote: 'approve',
        now: T0,
        approvalsRequired: 1,
      }),
    ).toEqual({ kind: 'is_requester' });
    expect(await store.get(r.id)).toMatchObject({ state: 'pending', approvals: [] });
  });

  it('a deny decides at once', async () => {
    setup();
    const r = await store.create({ ...base, approvalsRequired: 2 }, T0);
    await store.decide({ id: r.id, clicker: 'UA', vote: 'approve', now: T0, approvalsRequired: 2 });
    expect(
      await store.decide({ id: r.id, clicker: 'UB', vote: 'deny', now: T0, approvalsRequired: 2 }),
    ).toEqual({ kind: 'denied' });
    expect(await store.get(r.id)).toMatchObject({ state: 'denied', decidedBy: 'UB' });
    expect(await store.listPending(T0)).toEqual([]);
  });

  it('a vote after expiry marks the request expired', async () => {
    setup();
    const r = await store.create(base, T0);
    const late = T0 + 60 * 60_000;
    expect(
      await store.decide({
        id: r.id,
        clicker: 'UA',
        vote: 'approve',
        now: late,
        approvalsRequired: 1,
      }),
    ).toEqual({ kind: 'expired' });
    expect(await store.get(r.id)).toMatchObject({ state: 'expired', decidedAt: late });
    expect(
      await store.decide({
        id: r.id,
        clicker: 'UA',
        vote: 'approve',
        now: late,
        approvalsRequired: 1,
      }),
    ).toEqual({ kind: 'already_decided', state: 'expired' });
  });

  it('not_found for an unknown request', async () => {
    setup();
    expect(
      await store.decide({
        id: newApprovalId(),
        clicker: 'UA',
        vote: 'approve',
        now: T0,
        approvalsRequired: 1,
      }),
    ).toEqual({ kind: 'not_found' });
  });

  it('50 concurrent approvals over separate connections: exactly one approved', async () => {
    setup();
    const r = await store.create({ ...base, approvalsRequired: 1 }, T0);
    const clients = Array.from({ length: 10 }, () => createRedis(TEST_REDIS));
    try {
      const stores = clients.map((c) => new ApprovalStore({ redis: c, keys }));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          stores[i % stores.length]!.decide({
            id: r.id,
            clicker: `U${i}`,
            vote: 'approve',
            now: T0 + i,
            approvalsRequired: 1,
          }),
        ),
      );
      expect(results.filter((x) => x.kind === 'approved')).toHaveLength(1);
      expect(results.filter((x) => x.kind === 'already_decided')).toHaveLength(49);
      expect((await store.get(r.id))?.approvals).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('execution is marked once, only from approved', async () => {
    setup();
    const r = await store.create(base, T0);
    expect(await store.markExecuted(r.id, 'paused', T0)).toBe(false);
    await store.decide({ id: r.id, clicker: 'UA', vote: 'approve', now: T0, approvalsRequired: 1 });
    const [a, b] = await Promise.all([
      store.markExecuted(r.id, 'ftjob-abc is pausing', T0 + 5),
      store.markFailed(r.id, 'API said no', T0 + 5),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const loaded = await store.get(r.id);
    expect(loaded?.state).toBe(a ? 'executed' : 'failed');
    expect(loaded?.outcome).toBe(a ? 'ftjob-abc is pausing' : 'API said no');
    expect(loaded?.finishedAt).toBe(T0 + 5);
  });

  it('abandon gives up a pending request only', async () => {
    setup();
    const r = await store.create(base, T0);
    expect(await store.abandon(r.id, 'could not post', T0)).toBe(true);
    expect(await store.get(r.id)).toMatchObject({ state: 'failed', outcome: 'could not post' });
    expect(await store.abandon(r.id, 'again', T0)).toBe(false);
    expect(await store.listPending(T0)).toEqual([]);
  });

  it('listPending shows open requests, soonest expiry first', async () => {
    setup();
    const long = await store.create({ ...base, ttlMinutes: 120 }, T0);
    const short = await store.create({ ...base, jobId: 'ftjob-two', ttlMinutes: 30 }, T0);
    const decided = await store.create(base, T0);
    await store.decide({
      id: decided.id,
      clicker: 'UA',
      vote: 'deny',
      now: T0,
      approvalsRequired: 1,
    });
    expect((await store.listPending(T0 + 1)).map((r) => r.id)).toEqual([short.id, long.id]);
    expect((await store.listPending(T0 + 31 * 60_000)).map((r) => r.id)).toEqual([long.id]);
  });

  it('expireDue expires what is due, once, even with two sweepers at once', async () => {
    setup();
    const due = await store.create({ ...base, ttlMinutes: 10 }, T0);
    const alsoDue = await store.create({ ...base, jobId: 'ftjob-b', ttlMinutes: 20 }, T0);
    const notDue = await store.create({ ...base, ttlMinutes: 60 }, T0);
    const other = new ApprovalStore({ redis, keys });
    const now = T0 + 30 * 60_000;
    const [first, second] = await Promise.all([store.expireDue(now), other.expireDue(now)]);
    const all = [...first, ...second];
    expect(all.map((r) => r.id).sort()).toEqual([due.id, alsoDue.id].sort());
    for (const r of all) expect(r).toMatchObject({ state: 'expired', decidedAt: now });
    expect(await store.expireDue(now)).toEqual([]);
    expect((await store.get(notDue.id))?.state).toBe('pending');
    expect(await store.expire(notDue.id, now)).toBe(false);
  });

  it('modal references: usable once, only by the user who opened the modal', async () => {
    setup();
    const ref = await store.modals.save({
      action: 'pause',
      jobId: 'ftjob-abc',
      user: 'U1',
      channel: 'C1',
    });
    expect(isValidApprovalId(ref)).toBe(true);
    expect(await redis.ttl(keys.modalRef(ref))).toBeGreaterThan(0);
    expect(await store.modals.take(ref, 'U1')).toEqual({
      action: 'pause',
      jobId: 'ftjob-abc',
      user: 'U1',
      channel: 'C1',
    });
    expect(await store.modals.take(ref, 'U1')).toBeNull();
    const other = await store.modals.save({
      action: 'cancel',
      jobId: 'ftjob-abc',
      user: 'U1',
      channel: 'C1',
    });
    expect(await store.modals.take(other, 'U2')).toBeNull();
  });

  it('deny references name a request, and are not reason-modal references (nor the reverse)', async () => {
    setup();
    const deny = await store.modals.saveDeny({ requestId: 'R1', user: 'U1', channel: 'C1' });
    expect(await store.modals.take(deny, 'U1')).toBeNull();
    const again = await store.modals.saveDeny({ requestId: 'R1', user: 'U1', channel: 'C1' });
    expect(await store.modals.takeDeny(again, 'U2')).toBeNull();
    expect(await store.modals.takeDeny(again, 'U1')).toEqual({
      kind: 'deny',
      requestId: 'R1',
      user: 'U1',
      channel: 'C1',
    });
    expect(await store.modals.takeDeny(again, 'U1')).toBeNull();
    const reason = await store.modals.save({
      action: 'pause',
      jobId: 'ftjob-a',
      user: 'U1',
      channel: 'C1',
    });
    expect(await store.modals.takeDeny(reason, 'U1')).toBeNull();
  });

  it('a deny reason is kept with the denied request', async () => {
    setup();
    const r = await store.create(base, T0);
    await store.decide({
      id: r.id,
      clicker: 'UA',
      vote: 'deny',
      now: T0 + 1,
      approvalsRequired: 1,
    });
    await store.noteDenyReason(r.id, 'needed for the eval run');
    expect(await store.get(r.id)).toMatchObject({
      state: 'denied',
      outcome: 'needed for the eval run',
    });
  });
});

describe('ApprovalStore: taking over requests stuck in approved', () => {
  const GRACE = 60_000;
  const approve = (id: string, now: number) =>
    store.decide({ id, clicker: 'UA', vote: 'approve', now, approvalsRequired: 1 });

  it('approved requests are indexed until their outcome is recorded and reported', async () => {
    setup();
    const r = await store.create(base, T0);
    expect(await redis.zscore(keys.approvalsApproved(), r.id)).toBeNull();
    await approve(r.id, T0 + 1000);
    expect(await redis.zscore(keys.approvalsApproved(), r.id)).toBe(String(T0 + 1000));
    expect(await store.markExecuted(r.id, 'ftjob-abc is pausing', T0 + 2000)).toBe(true);
    // Recorded, nobody told yet: still unfinished, its grace counted from the outcome.
    expect(await redis.zscore(keys.approvalsApproved(), r.id)).toBe(String(T0 + 2000));
    await store.markReported(r.id);
    expect(await redis.zscore(keys.approvalsApproved(), r.id)).toBeNull();
  });

  it('only after the grace, only unfinished ones, and then leased for another grace', async () => {
    setup();
    const stuck = await store.create(base, T0);
    const pending = await store.create(base, T0);
    const done = await store.create(base, T0);
    const untold = await store.create(base, T0);
    await approve(stuck.id, T0);
    await approve(done.id, T0);
    await approve(untold.id, T0);
    await store.markFailed(done.id, 'API said no', T0 + 5);
    await store.markReported(done.id);
    await store.markExecuted(untold.id, 'ftjob-abc is pausing', T0 + 10);

    expect(await store.takeStuckDue(T0 + GRACE - 1, GRACE)).toEqual([]);
    expect(await store.takeStuck(pending.id, T0 + GRACE, GRACE)).toBe(false);
    expect(await store.takeStuck(done.id, T0 + GRACE, GRACE)).toBe(false);
    const taken = await store.takeStuckDue(T0 + GRACE, GRACE);
    expect(taken.map((r) => [r.id, r.state, r.decidedBy])).toEqual([[stuck.id, 'approved', 'UA']]);
    // Executed but never reported: taken once its own grace (from the outcome) has passed.
    const untoldTaken = await store.takeStuckDue(T0 + GRACE + 10, GRACE);
    expect(untoldTaken.map((r) => [r.id, r.state])).toEqual([[untold.id, 'executed']]);
    await store.markReported(untold.id);
    // Leased: not taken again until another grace has passed.
    expect(await store.takeStuckDue(T0 + 2 * GRACE - 1, GRACE)).toEqual([]);
    expect((await store.takeStuckDue(T0 + 2 * GRACE, GRACE)).map((r) => r.id)).toEqual([stuck.id]);
    expect(await redis.hget(keys.approval(stuck.id), 'recoveries')).toBe('2');
    expect(await store.markExecuted(stuck.id, 'ftjob-abc is pausing', T0 + 2 * GRACE)).toBe(true);
    await store.markReported(stuck.id);
    expect(await store.takeStuckDue(T0 + 10 * GRACE, GRACE)).toEqual([]);
  });

  it('20 concurrent takers over separate connections: exactly one takes it', async () => {
    setup();
    const r = await store.create(base, T0);
    await approve(r.id, T0);
    const clients = Array.from({ length: 10 }, () => createRedis(TEST_REDIS));
    try {
      const stores = clients.map((c) => new ApprovalStore({ redis: c, keys }));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stores[i % stores.length]!.takeStuckDue(T0 + GRACE + i, GRACE),
        ),
      );
      expect(results.flat().map((x) => x.id)).toEqual([r.id]);
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('an index entry whose request is gone is dropped', async () => {
    setup();
    const r = await store.create(base, T0);
    await approve(r.id, T0);
    await redis.del(keys.approval(r.id));
    expect(await store.takeStuckDue(T0 + GRACE, GRACE)).toEqual([]);
    expect(await redis.zcard(keys.approvalsApproved())).toBe(0);
  });
});

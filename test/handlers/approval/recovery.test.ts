import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FineTuningClient } from '../../../src/api/types.ts';
import type { FineTuningEmulator } from '../../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../../src/emulators/slack/index.ts';
import {
  type ApprovalPolicyConfig,
  ApprovalService,
  type ApprovalServiceDeps,
  ApproverRoles,
  DEFAULT_RECOVERY_GRACE_MS,
} from '../../../src/handlers/approval/index.ts';
import { ApprovalStore } from '../../../src/store/approvals.ts';
import { AuditLog } from '../../../src/store/audit.ts';
import type { Keys } from '../../../src/store/keys.ts';
import { createRedis } from '../../../src/store/redis.ts';
import { fakeApprovalViews, useGateTestbed } from '../../support/gate.ts';
import { keysMatching, TEST_REDIS } from '../../support/redis.ts';

/**
 * Recovery of approved requests whose executor died (SIGKILL) after the store recorded
 * `approved` and before it recorded `executed` or `failed`. The dead process is played by
 * driving the store exactly as it would have: request, the vote that returns `approved`, then
 * nothing. Real Redis, both emulators over HTTP.
 */

const ASKED_IN = 'C0TRAINING';
const APPROVALS = 'C0APPROVALS';
const GRACE = 5_000;

const views = fakeApprovalViews(['pending', 'approved']);
const bed = useGateTestbed();
const extraClients = bed.extraClients;
let slackEmu: SlackEmulator;
let ftEmu: FineTuningEmulator;
let api: FineTuningClient;
let slack: WebClient;
let redis: Redis;

beforeAll(() => {
  ({ slackEmu, ftEmu, api, slack, redis } = bed);
});

type Overrides = Partial<Pick<ApprovalServiceDeps, 'onActing' | 'recoveryGraceMs'>> & {
  redis?: Redis;
};

interface World {
  keys: Keys;
  store: ApprovalStore;
  audit: AuditLog;
  clock: { now: number };
  warnings: string[];
  make(o?: Overrides): ApprovalService;
}

let world: World | undefined;

function setup(): World {
  const keys = bed.freshKeys();
  const config: ApprovalPolicyConfig = {
    approvers: { users: ['UAPP', 'UAPP2'], groups: [] },
    gatedActions: ['pause', 'cancel'],
    approvalsRequired: 1,
    selfService: false,
    channel: APPROVALS,
    ttlMinutes: 60,
  };
  const clock = { now: Date.UTC(2025, 5, 1, 9) };
  const warnings: string[] = [];
  const make = (o: Overrides = {}) => {
    const r = o.redis ?? redis;
    return new ApprovalService({
      redis: r,
      keys,
      api,
      slack,
      roles: new ApproverRoles({ slack, approvers: config.approvers }),
      config,
      audit: new AuditLog({ redis: r, keys, logger: { info: () => {} } }),
      views,
      clock: () => clock.now,
      logger: { warn: (obj, msg) => warnings.push(`${msg ?? ''} ${JSON.stringify(obj)}`) },
      recoveryGraceMs: 'recoveryGraceMs' in o ? o.recoveryGraceMs : GRACE,
      ...(o.onActing ? { onActing: o.onActing } : {}),
    });
  };
  world = {
    keys,
    store: new ApprovalStore({ redis, keys }),
    audit: new AuditLog({ redis, keys, logger: { info: () => {} } }),
    clock,
    warnings,
    make,
  };
  return world;
}

beforeEach(() => {
  slackEmu.reset();
  ftEmu.reset();
  return async () => {
    if (!world) return;
    const found = await keysMatching(redis, `${world.keys.bullPrefix}*`);
    if (found.length) await redis.del(...found);
    world = undefined;
  };
});

const pauses = (jobId: string) =>
  ftEmu.requests.filter(
    (r) => r.method === 'POST' && r.path === `/fine_tuning/jobs/${jobId}/pause`,
  );
const channelMessages = (channel: string) => slackEmu.messages.get(channel) ?? [];
const topLevel = (channel: string) => channelMessages(channel).filter((m) => !m.thread_ts);
const threadReplies = (channel: string, ts: string) =>
  channelMessages(channel).filter((m) => m.thread_ts === ts && m.ts !== ts);
const hasButtons = (blocks: unknown[] | undefined) =>
  (blocks ?? []).some((b) => (b as { type?: string }).type === 'actions');

/**
 * What a process killed mid-execution leaves behind: the request posted, the vote that
 * returned `approved`, and no outcome. Returns the request ID and the approval message's ts.
 */
async function leaveApproved(w: World, jobId: string): Promise<{ id: string; ts: string }> {
  const asked = await w.make().request({
    action: 'pause',
    jobId,
    requester: 'UREQ',
    reason: 'loss diverging',
    channel: ASKED_IN,
  });
  expect(asked.kind).toBe('pending');
  const id = asked.requestId!;
  const decided = await w.store.decide({
    id,
    clicker: 'UAPP',
    vote: 'approve',
    now: w.clock.now,
    approvalsRequired: 1,
  });
  expect(decided.kind).toBe('approved');
  const ts = topLevel(APPROVALS)[0]!.ts;
  return { id, ts };
}

describe('ApprovalService.recoverStuck', () => {
  it('finishes a request left approved by a dead process: one pause, executed, audited as recovered, requester told', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const { id, ts } = await leaveApproved(w, job.id);
    expect(pauses(job.id)).toHaveLength(0);

    w.clock.now += GRACE;
    const done = await w.make().recoverStuck();
    expect(done.map((d) => [d.request.id, d.result.kind])).toEqual([[id, 'executed']]);
    expect(pauses(job.id)).toHaveLength(1);
    expect(ftEmu.getJob(job.id)?.status).toBe('pausing');

    const stored = await w.store.get(id);
    expect(stored).toMatchObject({ state: 'executed', decidedBy: 'UAPP' });
    expect(stored?.outcome).toContain(`${job.id} is now pausing`);

    const [entry] = await w.audit.latest({ jobId: job.id, count: 1 });
    expect(entry).toMatchObject({ event: 'executed', who: 'UAPP', requestId: id });
    expect(entry?.outcome).toMatch(/^recovered after the approving process stopped: Pause sent/);

    const replies = threadReplies(APPROVALS, ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toMatch(/^<@UREQ> your request to pause .* was approved by <@UAPP>/);
    expect(replies[0]?.text).toContain('after the process that approved it stopped');
    const [msg] = topLevel(APPROVALS);
    expect(msg?.ts).toBe(ts);
    expect(msg?.text).toContain('executed by <@UAPP>');
    expect(hasButtons(msg?.blocks)).toBe(false);

    // Finished is finished: later sweeps leave it alone.
    w.clock.now += 10 * GRACE;
    expect(await w.make().recoverStuck()).toEqual([]);
    expect(pauses(job.id)).toHaveLength(1);
    expect(threadReplies(APPROVALS, ts)).toHaveLength(1);
  });

  it('when the pause went through before the crash, it is recorded executed without another call', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const { id, ts } = await leaveApproved(w, job.id);
    // The dead process got as far as sending the pause.
    await api.pauseJob(job.id);
    expect(pauses(job.id)).toHaveLength(1);

    w.clock.now += GRACE;
    const done = await w.make().recoverStuck();
    expect(done.map((d) => d.result.kind)).toEqual(['executed']);
    expect(pauses(job.id)).toHaveLength(1);
    expect(await w.store.get(id)).toMatchObject({
      state: 'executed',
      outcome: `${job.id} is already pausing, so nothing was sent`,
    });
    const [entry] = await w.audit.latest({ jobId: job.id, count: 1 });
    expect(entry).toMatchObject({ event: 'executed', who: 'UAPP' });
    expect(entry?.outcome).toContain('recovered');
    expect(threadReplies(APPROVALS, ts)[0]?.text).toContain('is already pausing');
  });

  it('an outcome recorded by a process that died before telling anyone is told later, without another call', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const { id, ts } = await leaveApproved(w, job.id);
    // The dead process sent the pause and recorded the outcome, then died before the audit entry
    // and the thread reply.
    await api.pauseJob(job.id);
    expect(
      await w.store.markExecuted(id, `Pause sent; ${job.id} is now pausing`, w.clock.now),
    ).toBe(true);
    expect(await w.make().recoverStuck()).toEqual([]); // within the grace: left alone

    w.clock.now += GRACE;
    const done = await w.make().recoverStuck();
    expect(done.map((d) => [d.request.id, d.result.kind])).toEqual([[id, 'executed']]);
    expect(pauses(job.id)).toHaveLength(1);
    const [entry] = await w.audit.latest({ jobId: job.id, count: 1 });
    expect(entry).toMatchObject({ event: 'executed', who: 'UAPP', requestId: id });
    expect(entry?.outcome).toMatch(/^recovered after the approving process stopped: Pause sent/);
    const replies = threadReplies(APPROVALS, ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toMatch(/^<@UREQ> your request to pause .* was approved by <@UAPP>/);
    expect(hasButtons(topLevel(APPROVALS)[0]?.blocks)).toBe(false);

    // Told once: later sweeps leave it alone.
    w.clock.now += 10 * GRACE;
    expect(await w.make().recoverStuck()).toEqual([]);
    expect(threadReplies(APPROVALS, ts)).toHaveLength(1);
  });

  it('what a dead process already audited and told is not audited or told again', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const { id, ts } = await leaveApproved(w, job.id);
    await api.pauseJob(job.id);
    // The dead process got as far as the audit entry and the thread reply (its told mark),
    // then died before marking the request finished.
    expect(
      await w.store.markExecuted(id, `Pause sent; ${job.id} is now pausing`, w.clock.now),
    ).toBe(true);
    await w.audit.append({
      event: 'executed',
      who: 'UAPP',
      action: 'pause',
      jobId: job.id,
      requestId: id,
      outcome: 'Pause sent',
      at: w.clock.now,
    });
    await w.store.markTold(id);

    w.clock.now += GRACE;
    const done = await w.make().recoverStuck();
    expect(done.map((d) => [d.request.id, d.result.kind])).toEqual([[id, 'executed']]);
    const outcomes = (await w.audit.latest({ jobId: job.id, count: 50 })).filter(
      (e) => e.requestId === id && e.event === 'executed',
    );
    expect(outcomes).toHaveLength(1);
    expect(threadReplies(APPROVALS, ts)).toHaveLength(0);
    expect(pauses(job.id)).toHaveLength(1);
    // Finished now: the request message shows the outcome and later sweeps leave it alone.
    expect(hasButtons(topLevel(APPROVALS)[0]?.blocks)).toBe(false);
    w.clock.now += 10 * GRACE;
    expect(await w.make().recoverStuck()).toEqual([]);
  });

  it('two processes recovering at once: exactly one takes the request', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const { id, ts } = await leaveApproved(w, job.id);
    w.clock.now += GRACE;
    const processes = Array.from({ length: 2 }, () => {
      const c = createRedis(TEST_REDIS);
      extraClients.push(c);
      return w.make({ redis: c });
    });
    const [a, b] = await Promise.all(processes.map((p) => p.recoverStuck()));
    expect([a, b].map((r) => r?.length).sort()).toEqual([0, 1]);
    expect([...(a ?? []), ...(b ?? [])].map((d) => d.request.id)).toEqual([id]);
    expect(pauses(job.id)).toHaveLength(1);
    expect((await w.store.get(id))?.state).toBe('executed');
    expect(threadReplies(APPROVALS, ts)).toHaveLength(1);
    const trail = await w.audit.latest({ jobId: job.id, count: 10 });
    expect(trail.filter((e) => e.event === 'executed')).toHaveLength(1);
  });

  it('a request approved less than the grace ago is left alone', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const { id, ts } = await leaveApproved(w, job.id);
    w.clock.now += GRACE - 1;
    expect(await w.make().recoverStuck()).toEqual([]);
    expect(pauses(job.id)).toHaveLength(0);
    expect((await w.store.get(id))?.state).toBe('approved');
    expect(threadReplies(APPROVALS, ts)).toHaveLength(0);
    // One millisecond later it is due.
    w.clock.now += 1;
    expect((await w.make().recoverStuck()).map((d) => d.request.id)).toEqual([id]);
    expect(pauses(job.id)).toHaveLength(1);
  });

  it('the default grace is ten minutes', async () => {
    expect(DEFAULT_RECOVERY_GRACE_MS).toBe(600_000);
    const w = setup();
    const job = ftEmu.addJob();
    const { id } = await leaveApproved(w, job.id);
    const service = w.make({ recoveryGraceMs: undefined });
    w.clock.now += DEFAULT_RECOVERY_GRACE_MS - 1;
    expect(await service.recoverStuck()).toEqual([]);
    w.clock.now += 1;
    expect((await service.recoverStuck()).map((d) => d.request.id)).toEqual([id]);
    expect(pauses(job.id)).toHaveLength(1);
  });

  it('an API failure during recovery records failed and tells the requester, without a stack trace', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const { id, ts } = await leaveApproved(w, job.id);
    w.clock.now += GRACE;
    // The job read succeeds; the pause itself is answered 500 by the emulator.
    const service = w.make({
      onActing: async () => {
        ftEmu.failNext(1, '500');
      },
    });
    const done = await service.recoverStuck();
    expect(done.map((d) => d.result.kind)).toEqual(['failed']);
    expect(pauses(job.id)).toHaveLength(1);
    expect(pauses(job.id)[0]?.status).toBe(500);
    expect(ftEmu.getJob(job.id)?.status).toBe('running');

    const stored = await w.store.get(id);
    expect(stored?.state).toBe('failed');
    const [entry] = await w.audit.latest({ jobId: job.id, count: 1 });
    expect(entry).toMatchObject({ event: 'failed', who: 'UAPP', requestId: id });
    expect(entry?.outcome).toContain('recovered');

    const replies = threadReplies(APPROVALS, ts);
    expect(replies).toHaveLength(1);
    const told = replies[0]?.text ?? '';
    expect(told).toMatch(
      /^<@UREQ> your request to pause .* was approved by <@UAPP>, but it failed: /,
    );
    for (const text of [told, stored?.outcome ?? '', entry?.outcome ?? '', ...w.warnings]) {
      expect(text).not.toMatch(/\n\s+at |\[object Object\]/);
    }
    expect(hasButtons(topLevel(APPROVALS)[0]?.blocks)).toBe(false);

    // Failed is final: no retry by a later sweep.
    w.clock.now += 10 * GRACE;
    expect(await service.recoverStuck()).toEqual([]);
    expect(pauses(job.id)).toHaveLength(1);
  });

  it('a recoverer that dies too leaves the request to the next sweep after another grace', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const { id } = await leaveApproved(w, job.id);
    w.clock.now += GRACE;
    // Take it over as a recovering process would, then die before doing anything.
    expect(await w.store.takeStuck(id, w.clock.now, GRACE)).toBe(true);
    w.clock.now += GRACE - 1;
    expect(await w.make().recoverStuck()).toEqual([]);
    w.clock.now += 1;
    expect((await w.make().recoverStuck()).map((d) => d.result.kind)).toEqual(['executed']);
    expect(pauses(job.id)).toHaveLength(1);
  });
});

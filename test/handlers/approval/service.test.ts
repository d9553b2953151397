import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FineTuningClient } from '../../../src/api/types.ts';
import type { FineTuningEmulator } from '../../../src/emulators/fine-tuning/index.ts';
import type { SlackEmulator } from '../../../src/emulators/slack/index.ts';
import {
  type ApprovalPolicyConfig,
  ApprovalService,
  ApproverRoles,
  createApprovalViews,
} from '../../../src/handlers/approval/index.ts';
import { ApprovalStore } from '../../../src/store/approvals.ts';
import { AuditLog } from '../../../src/store/audit.ts';
import type { Keys } from '../../../src/store/keys.ts';
import { createRedis } from '../../../src/store/redis.ts';
import { fakeApprovalViews, useGateTestbed } from '../../support/gate.ts';
import { keysMatching, TEST_REDIS } from '../../support/redis.ts';

const ASKED_IN = 'C0TRAINING';
const APPROVALS = 'C0APPROVALS';

const views = fakeApprovalViews();
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

interface World {
  keys: Keys;
  service: ApprovalService;
  store: ApprovalStore;
  audit: AuditLog;
  watched: Array<[string, string]>;
  clock: { now: number };
  make(overrides?: { redis?: Redis }): ApprovalService;
}

let world: World;

function setup(config: Partial<ApprovalPolicyConfig> = {}): World {
  const keys = bed.freshKeys();
  const full: ApprovalPolicyConfig = {
    approvers: { users: ['UAPP', 'UAPP2'], groups: [] },
    gatedActions: ['pause', 'cancel'],
    approvalsRequired: 1,
    selfService: false,
    channel: APPROVALS,
    ttlMinutes: 60,
    ...config,
  };
  const clock = { now: Date.UTC(2025, 5, 1, 9) };
  const watched: Array<[string, string]> = [];
  const audit = new AuditLog({ redis, keys, logger: { info: () => {} } });
  const make = (o: { redis?: Redis } = {}) =>
    new ApprovalService({
      redis: o.redis ?? redis,
      keys,
      api,
      slack,
      roles: new ApproverRoles({ slack, approvers: full.approvers }),
      config: full,
      audit: new AuditLog({ redis: o.redis ?? redis, keys, logger: { info: () => {} } }),
      views,
      clock: () => clock.now,
      onWatch: async (channel, jobId) => {
        watched.push([channel, jobId]);
      },
    });
  world = {
    keys,
    service: make(),
    store: new ApprovalStore({ redis, keys }),
    audit,
    watched,
    clock,
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
  };
});

const mutations = (jobId: string, action = 'pause') =>
  ftEmu.requests.filter(
    (r) => r.method === 'POST' && r.path === `/fine_tuning/jobs/${jobId}/${action}`,
  );
const channelMessages = (channel: string) => slackEmu.messages.get(channel) ?? [];
const topLevel = (channel: string) => channelMessages(channel).filter((m) => !m.thread_ts);
const threadReplies = (channel: string, ts: string) =>
  channelMessages(channel).filter((m) => m.thread_ts === ts && m.ts !== ts);
const hasButtons = (blocks: unknown[] | undefined) =>
  (blocks ?? []).some((b) => (b as { type?: string }).type === 'actions');

async function ask(w: World, jobId: string, requester = 'UREQ', action = 'pause') {
  return w.service.request({
    action,
    jobId,
    requester,
    reason: 'loss <!channel> diverging',
    channel: ASKED_IN,
  });
}

describe('ApprovalService', () => {
  it('happy path: one approval pauses the job once, updates the message, tells the requester', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    expect(asked.kind).toBe('pending');
    expect(asked.ephemeral.text).toContain(`waiting for approval in <#${APPROVALS}>`);
    expect(mutations(job.id)).toHaveLength(0);

    const [post] = topLevel(APPROVALS);
    expect(post?.text).toContain('<@UAPP> <@UAPP2>');
    expect(hasButtons(post?.blocks)).toBe(true);

    const clicked = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'approve',
    });
    expect(clicked.kind).toBe('executed');
    expect(clicked.ephemeral.text).toMatch(/^Approved\. Pause sent; ftjob-\S+ is now pausing\.$/);
    expect(mutations(job.id)).toHaveLength(1);
    expect(ftEmu.getJob(job.id)?.status).toBe('pausing');

    const stored = await w.store.get(asked.requestId!);
    expect(stored).toMatchObject({ state: 'executed', decidedBy: 'UAPP', approvals: ['UAPP'] });
    expect(stored?.reason).toBe('loss <!channel> diverging');

    const [updated] = topLevel(APPROVALS);
    expect(updated?.ts).toBe(post?.ts);
    expect(hasButtons(updated?.blocks)).toBe(false);
    expect(updated?.text).toContain('executed by <@UAPP>');
    expect(updated?.text).toContain('job pausing');

    const replies = threadReplies(APPROVALS, post!.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toMatch(/^<@UREQ> your request to pause .* was approved by <@UAPP>/);
    expect(w.watched).toEqual([[ASKED_IN, job.id]]);

    const trail = await w.audit.latest({ jobId: job.id, count: 10 });
    expect(trail.map((e) => e.event)).toEqual(['executed', 'approved', 'requested']);
    expect(trail[2]?.who).toBe('UREQ');
    expect(trail[0]?.who).toBe('UAPP');
  });

  it('a status word from the API is shown as text in the refusal, never as a mention', async () => {
    const w = setup();
    const job = ftEmu.addJob({ status: '<!channel> warming <https://evil.test|up>' } as never);
    const asked = await ask(w, job.id);
    expect(asked.kind).toBe('refused');
    expect(asked.ephemeral.text).toContain('&lt;!channel&gt; warming &lt;https://evil.test|up&gt;');
    expect(asked.ephemeral.text).not.toMatch(/<!channel>|<https:/);
    expect(mutations(job.id)).toHaveLength(0);
  });

  describe('a resume that would undo an approved pause', () => {
    async function approvedPause(w: World) {
      const job = ftEmu.addJob();
      const asked = await ask(w, job.id);
      await w.service.click({ requestId: asked.requestId!, clicker: 'UAPP', vote: 'approve' });
      ftEmu.setStatus(job.id, 'paused');
      return job;
    }
    const resume = (w: World, jobId: string, requester: string, dryRun = false) =>
      w.service.request({
        action: 'resume',
        jobId,
        requester,
        reason: '',
        channel: ASKED_IN,
        dryRun,
      });

    it('goes through the gate for a member, though resume is not gated', async () => {
      const w = setup();
      const job = await approvedPause(w);
      const asked = await resume(w, job.id, 'UOUT');
      expect(asked.kind).toBe('pending');
      expect(asked.ephemeral.text).toContain('undoes the pause approvers agreed to');
      expect(mutations(job.id, 'resume')).toHaveLength(0);
      expect(ftEmu.getJob(job.id)?.status).toBe('paused');
      // The member's dry run says which rule applies.
      const dry = await resume(w, job.id, 'UOUT', true);
      expect(dry.ephemeral.text).toContain('would undo the pause approved by <@UAPP>');
      expect(dry.ephemeral.text).toContain('1 approver(s) other than you');
    });

    it('runs at once for an approver, and then holds no more', async () => {
      const w = setup();
      const job = await approvedPause(w);
      const dry = await resume(w, job.id, 'UAPP2', true);
      expect(dry.ephemeral.text).toContain('not needed: it undoes the pause approvers agreed to');
      const done = await resume(w, job.id, 'UAPP2');
      expect(done.kind).toBe('executed');
      expect(done.ephemeral.text).toContain('as an approver you may do that directly');
      expect(mutations(job.id, 'resume')).toHaveLength(1);
      expect(await redis.exists(w.keys.approvedHold(job.id))).toBe(0);
      // With the hold gone, a member's resume of a later, unapproved pause is ungated again.
      ftEmu.setStatus(job.id, 'paused');
      expect((await resume(w, job.id, 'UOUT')).kind).toBe('executed');
    });

    it('does not touch a resume when no approved pause is in effect', async () => {
      const w = setup();
      const job = ftEmu.addJob();
      ftEmu.setStatus(job.id, 'paused');
      const done = await resume(w, job.id, 'UOUT');
      expect(done.kind).toBe('executed');
      expect(mutations(job.id, 'resume')).toHaveLength(1);
    });
  });

  it('the requester hears the decision where they asked too, or by direct message when that channel is gone', async () => {
    const w = setup();
    slackEmu.addUser({ id: 'UREQ', name: 'req' });
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'deny',
      reason: 'quota is needed for the eval',
    });
    const inChannel = channelMessages(ASKED_IN).filter((m) => m.ephemeral);
    expect(inChannel.map((m) => [m.visibleTo, m.text])).toEqual([
      [
        'UREQ',
        expect.stringMatching(
          /was denied by <@UAPP>\. Nothing was changed\. Their reason: “quota is needed for the eval”/,
        ),
      ],
    ]);
    const [msg] = topLevel(APPROVALS);
    expect(msg?.text).toContain('quota is needed for the eval');
    expect(await w.audit.latest({ count: 5 })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'denied',
          outcome: 'denied: quota is needed for the eval',
        }),
      ]),
    );
    // Asked in a channel that is archived by the time the decision comes: a DM instead.
    const other = ftEmu.addJob();
    slackEmu.addChannel({ id: 'C0GONE', name: 'gone' });
    const asked2 = await w.service.request({
      action: 'pause',
      jobId: other.id,
      requester: 'UREQ',
      reason: 'why',
      channel: 'C0GONE',
    });
    slackEmu.failNext('chat.postEphemeral', 'is_archived');
    await w.service.click({ requestId: asked2.requestId!, clicker: 'UAPP', vote: 'deny' });
    expect(channelMessages('DUREQ').map((m) => m.text)).toEqual([
      expect.stringContaining('was denied by <@UAPP>'),
    ]);
  });

  it('openDeny: a reference for the deny modal only for someone whose Deny would count', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    const refused = await w.service.openDeny({
      requestId: asked.requestId!,
      clicker: 'UOUT',
      channel: APPROVALS,
    });
    expect(refused).toMatchObject({
      ok: false,
      result: { kind: 'refused', refusal: 'not_approver' },
    });
    const own = await w.service.openDeny({
      requestId: asked.requestId!,
      clicker: 'UREQ',
      channel: APPROVALS,
    });
    expect(own).toMatchObject({ ok: false, result: { refusal: 'is_requester' } });
    const gone = await w.service.openDeny({
      requestId: 'nope',
      clicker: 'UAPP',
      channel: APPROVALS,
    });
    expect(gone).toMatchObject({ ok: false, result: { kind: 'not_found' } });
    const opened = await w.service.openDeny({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      channel: APPROVALS,
    });
    if (!opened.ok) throw new Error('expected a reference');
    expect(opened.request.id).toBe(asked.requestId);
    expect(await w.service.resolveDenyRef(opened.ref, 'UOUT')).toBeNull();
    expect(await w.service.resolveDenyRef(opened.ref, 'UAPP')).toMatchObject({
      requestId: asked.requestId,
      channel: APPROVALS,
    });
    // Opening the modal decides nothing.
    expect((await w.store.get(asked.requestId!))?.state).toBe('pending');
  });

  it('deny: nothing is sent, buttons go, the requester hears it', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    const denied = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'deny',
    });
    expect(denied.kind).toBe('denied');
    expect(mutations(job.id)).toHaveLength(0);
    expect((await w.store.get(asked.requestId!))?.state).toBe('denied');
    const [msg] = topLevel(APPROVALS);
    expect(hasButtons(msg?.blocks)).toBe(false);
    expect(msg?.text).toContain('denied by <@UAPP>');
    expect(threadReplies(APPROVALS, msg!.ts)[0]?.text).toContain('was denied by <@UAPP>');
    // A later approve cannot undo the denial.
    const late = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP2',
      vote: 'approve',
    });
    expect(late).toMatchObject({ kind: 'refused', refusal: 'already_decided' });
    expect(late.ephemeral.text).toContain('already denied by <@UAPP>');
    expect(mutations(job.id)).toHaveLength(0);
  });

  it('an outsider click changes nothing but is audited', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    const res = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UOUT',
      vote: 'approve',
    });
    expect(res).toMatchObject({ kind: 'refused', refusal: 'not_approver' });
    expect(res.ephemeral.text).toContain('Only approvers');
    expect((await w.store.get(asked.requestId!))?.state).toBe('pending');
    expect(mutations(job.id)).toHaveLength(0);
    // Refusals are kept apart from decisions, so they can never push one out of the log.
    const [last] = await w.audit.refusals({ count: 1 });
    expect(last).toMatchObject({ event: 'refused', who: 'UOUT', outcome: 'approve: not_approver' });
    expect((await w.audit.latest({ count: 5 })).map((e) => e.event)).not.toContain('refused');
  });

  it("the requester's own click never counts, even when they are an approver", async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id, 'UAPP');
    expect(asked.kind).toBe('pending');
    expect(asked.ephemeral.text).toContain('another approver must decide');
    for (const vote of ['approve', 'deny'] as const) {
      const res = await w.service.click({ requestId: asked.requestId!, clicker: 'UAPP', vote });
      expect(res).toMatchObject({ kind: 'refused', refusal: 'is_requester' });
    }
    expect((await w.store.get(asked.requestId!))?.state).toBe('pending');
    expect(mutations(job.id)).toHaveLength(0);
    const other = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP2',
      vote: 'approve',
    });
    expect(other.kind).toBe('executed');
  });

  it('an approver through a user group can approve; the group is mentioned', async () => {
    const w = setup({ approvers: { users: [], groups: ['SOPS'] } });
    slackEmu.setUsergroup('SOPS', ['UGRP']);
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    expect(topLevel(APPROVALS)[0]?.text).toMatch(/^<!subteam\^SOPS> /);
    const res = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UGRP',
      vote: 'approve',
    });
    expect(res.kind).toBe('executed');
    expect(mutations(job.id)).toHaveLength(1);
  });

  it('when Slack cannot list the group (plan_upgrade_required) the click fails closed, saying why', async () => {
    const w = setup({ approvers: { users: [], groups: ['SOPS'] } });
    slackEmu.setUsergroup('SOPS', { error: 'plan_upgrade_required' });
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    const res = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UGRP',
      vote: 'approve',
    });
    expect(res).toMatchObject({ kind: 'refused', refusal: 'not_approver' });
    expect(res.ephemeral.text).toContain('List approvers by user ID in FT_APPROVER_IDS');
    expect(mutations(job.id)).toHaveLength(0);
  });

  it('two approvals required: the same approver twice counts once', async () => {
    const w = setup({ approvalsRequired: 2 });
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    const id = asked.requestId!;
    const first = await w.service.click({ requestId: id, clicker: 'UAPP', vote: 'approve' });
    expect(first.kind).toBe('recorded');
    expect(first.ephemeral.text).toContain('1 more approver(s) needed');
    expect(hasButtons(topLevel(APPROVALS)[0]?.blocks)).toBe(true);
    const again = await w.service.click({ requestId: id, clicker: 'UAPP', vote: 'approve' });
    expect(again.kind).toBe('duplicate');
    expect(mutations(job.id)).toHaveLength(0);
    const second = await w.service.click({ requestId: id, clicker: 'UAPP2', vote: 'approve' });
    expect(second.kind).toBe('executed');
    expect(mutations(job.id)).toHaveLength(1);
    expect((await w.store.get(id))?.approvals).toEqual(['UAPP', 'UAPP2']);
  });

  it('at decision time a vote counts only if its voter still holds the role (read fresh)', async () => {
    const w = setup({ approvers: { users: [], groups: ['SOPS'] }, approvalsRequired: 2 });
    slackEmu.setUsergroup('SOPS', ['UG1', 'UG2', 'UG3']);
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    const id = asked.requestId!;
    expect((await w.service.click({ requestId: id, clicker: 'UG1', vote: 'approve' })).kind).toBe(
      'recorded',
    );
    // UG1 leaves the group; the membership cache (60 s) still lists them.
    slackEmu.setUsergroup('SOPS', ['UG2', 'UG3']);
    const second = await w.service.click({ requestId: id, clicker: 'UG2', vote: 'approve' });
    expect(second.kind).toBe('recorded');
    expect(second.ephemeral.text).toContain('<@UG1> no longer holds the approver role');
    expect(mutations(job.id)).toHaveLength(0);
    expect(await w.store.get(id)).toMatchObject({ approvals: ['UG2'], lapsed: ['UG1'] });
    // When Slack cannot answer at decision time, the earlier vote is not counted (but kept).
    slackEmu.setUsergroup('SOPS', { error: 'internal_error' });
    const third = await w.service.click({ requestId: id, clicker: 'UG3', vote: 'approve' });
    expect(third.kind).toBe('recorded');
    expect(third.ephemeral.text).toContain('Slack could not confirm that <@UG2>');
    expect(mutations(job.id)).toHaveLength(0);
    // Once Slack answers again, the next approver's click decides with both votes.
    slackEmu.setUsergroup('SOPS', ['UG2', 'UG3', 'UG4']);
    const last = await w.service.click({ requestId: id, clicker: 'UG4', vote: 'approve' });
    expect(last.kind).toBe('executed');
    expect(mutations(job.id)).toHaveLength(1);
  });

  it('closes a request whose job moved on: buttons go, the requester hears why, approving then changes nothing', async () => {
    const w = setup();
    const [ends, gone, stays] = [ftEmu.addJob(), ftEmu.addJob(), ftEmu.addJob()];
    const asked = await ask(w, ends.id);
    const askedGone = await ask(w, gone.id);
    await ask(w, stays.id);
    ftEmu.setStatus(ends.id, 'failed');
    ftEmu.removeJob(gone.id);
    const closed = await w.service.closeMoot();
    expect(closed.map((r) => r.jobId).sort()).toEqual([ends.id, gone.id].sort());
    expect(await w.store.get(asked.requestId!)).toMatchObject({
      state: 'closed',
      outcome: `${ends.id} has failed, so it cannot be paused`,
    });
    expect((await w.store.get(askedGone.requestId!))?.outcome).toBe(`${gone.id} no longer exists`);
    const post = topLevel(APPROVALS).find((m) => m.text.includes(ends.id));
    expect(hasButtons(post?.blocks)).toBe(false);
    expect(threadReplies(APPROVALS, post!.ts).map((m) => m.text)).toEqual([
      expect.stringMatching(
        /^<@UREQ> your request to pause `ftjob-\S+` was closed: \S+ has failed, so it cannot be paused\. Nothing was changed\.$/,
      ),
    ]);
    const trail = await w.audit.latest({ jobId: ends.id, count: 5 });
    expect(trail[0]).toMatchObject({ event: 'closed', who: 'system' });
    const late = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'approve',
    });
    expect(late).toMatchObject({ kind: 'refused', refusal: 'already_decided' });
    expect(mutations(ends.id)).toHaveLength(0);
    // The job that still runs keeps its request, and a second sweep closes nothing more.
    expect(await w.service.closeMoot()).toEqual([]);
    expect((await w.service.listPending()).map((r) => r.jobId)).toEqual([stays.id]);
  });

  it('dry run describes and changes nothing', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const res = await w.service.request({
      action: 'pause',
      jobId: job.id,
      requester: 'UREQ',
      channel: ASKED_IN,
      dryRun: true,
    });
    expect(res.kind).toBe('dry-run');
    expect(res.ephemeral.text).toContain('nothing was changed');
    expect(res.ephemeral.text).toContain('Allowed now: yes');
    expect(res.ephemeral.text).toContain('1 approver(s) other than you, from <@UAPP> <@UAPP2>');
    expect(res.ephemeral.text).toContain(`\`POST /fine_tuning/jobs/${job.id}/pause\``);
    expect(await keysMatching(redis, `${w.keys.bullPrefix}*`)).toEqual([]);
    expect(ftEmu.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(slackEmu.callsTo('chat.postMessage')).toEqual([]);

    const finished = ftEmu.addJob({ status: 'succeeded' });
    const no = await w.service.request({
      action: 'pause',
      jobId: finished.id,
      requester: 'UREQ',
      channel: ASKED_IN,
      dryRun: true,
    });
    expect(no.ephemeral.text).toContain(
      `Allowed now: no: ${finished.id} has succeeded, so it cannot be paused`,
    );
  });

  it('expiry: the sweep expires, removes the buttons, and later clicks are answered expired', async () => {
    const w = setup({ ttlMinutes: 30 });
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    expect(await w.service.listPending()).toHaveLength(1);
    w.clock.now += 30 * 60_000;
    const expired = await w.service.expireDue();
    expect(expired.map((r) => r.id)).toEqual([asked.requestId]);
    expect(await w.service.expireDue()).toEqual([]);
    expect(await w.service.listPending()).toEqual([]);
    const [msg] = topLevel(APPROVALS);
    expect(hasButtons(msg?.blocks)).toBe(false);
    expect(msg?.text).toContain(': expired');
    expect(threadReplies(APPROVALS, msg!.ts)[0]?.text).toContain('expired without a decision');
    const click = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'approve',
    });
    expect(click).toMatchObject({ kind: 'refused', refusal: 'already_decided' });
    expect(click.ephemeral.text).toContain('already expired');
    expect(mutations(job.id)).toHaveLength(0);
  });

  it('a click on an overdue request marks it expired without waiting for the sweep', async () => {
    const w = setup({ ttlMinutes: 30 });
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    w.clock.now += 31 * 60_000;
    const click = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'approve',
    });
    expect(click).toMatchObject({ kind: 'expired', refusal: 'expired' });
    expect(click.ephemeral.text).toContain(`/ft pause ${job.id}`);
    expect((await w.store.get(asked.requestId!))?.state).toBe('expired');
    expect(hasButtons(topLevel(APPROVALS)[0]?.blocks)).toBe(false);
    expect(await w.service.expireDue()).toEqual([]);
    expect(mutations(job.id)).toHaveLength(0);
  });

  it('50 concurrent approvals from 50 approvers over several connections: exactly one pause call', async () => {
    const approvers = Array.from({ length: 50 }, (_, i) => `UA${i}`);
    const w = setup({ approvers: { users: approvers, groups: [] } });
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    const services = Array.from({ length: 5 }, () => {
      const c = createRedis(TEST_REDIS);
      extraClients.push(c);
      return w.make({ redis: c });
    });
    const results = await Promise.all(
      approvers.map((clicker, i) =>
        services[i % services.length]!.click({
          requestId: asked.requestId!,
          clicker,
          vote: 'approve',
        }),
      ),
    );
    expect(results.filter((r) => r.kind === 'executed')).toHaveLength(1);
    expect(results.filter((r) => r.refusal === 'already_decided')).toHaveLength(49);
    expect(mutations(job.id)).toHaveLength(1);
    expect(threadReplies(APPROVALS, topLevel(APPROVALS)[0]!.ts)).toHaveLength(1);
  });

  it('a job that finished between request and approval is not touched', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    ftEmu.setStatus(job.id, 'succeeded');
    const res = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'approve',
    });
    expect(res.kind).toBe('failed');
    expect(res.ephemeral.text).toContain(`${job.id} has succeeded, so it cannot be paused`);
    expect(mutations(job.id)).toHaveLength(0);
    expect(await w.store.get(asked.requestId!)).toMatchObject({
      state: 'failed',
      outcome: `${job.id} has succeeded, so it cannot be paused; nothing was sent`,
    });
    const [msg] = topLevel(APPROVALS);
    expect(hasButtons(msg?.blocks)).toBe(false);
    expect(threadReplies(APPROVALS, msg!.ts)[0]?.text).toContain('but it failed');
  });

  it('a job already paused by hand counts as done, without a second call', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    ftEmu.setStatus(job.id, 'paused');
    const res = await w.service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'approve',
    });
    expect(res.kind).toBe('executed');
    expect(res.ephemeral.text).toContain('is already paused, so nothing was sent');
    expect(mutations(job.id)).toHaveLength(0);
  });

  it('an approver asking needs another approver; with self-service it runs at once', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    expect((await ask(w, job.id, 'UAPP')).kind).toBe('pending');
    expect(mutations(job.id)).toHaveLength(0);

    const s = setup({ selfService: true });
    const job2 = ftEmu.addJob();
    const res = await ask(s, job2.id, 'UAPP');
    expect(res.kind).toBe('executed');
    expect(res.ephemeral.text).toContain('Self-authorised');
    expect(mutations(job2.id)).toHaveLength(1);
    expect(s.watched).toEqual([[ASKED_IN, job2.id]]);
    const [entry] = await s.audit.latest({ jobId: job2.id, count: 1 });
    expect(entry).toMatchObject({ event: 'self_authorised', who: 'UAPP', action: 'pause' });
    // A non-approver still waits, self-service or not.
    expect((await ask(s, ftEmu.addJob().id, 'UREQ')).kind).toBe('pending');
  });

  it('an ungated action runs at once; an action the job state forbids is refused', async () => {
    const w = setup();
    const paused = ftEmu.addJob({ status: 'paused' });
    const res = await ask(w, paused.id, 'UREQ', 'resume');
    expect(res.kind).toBe('executed');
    expect(mutations(paused.id, 'resume')).toHaveLength(1);
    expect(slackEmu.callsTo('chat.postMessage')).toHaveLength(0);

    const done = ftEmu.addJob({ status: 'succeeded' });
    const refused = await ask(w, done.id);
    expect(refused).toMatchObject({ kind: 'refused' });
    expect(refused.ephemeral.text).toBe(`${done.id} has succeeded, so it cannot be paused.`);
    expect(await w.service.listPending()).toEqual([]);
  });

  it('bad input is refused before any call', async () => {
    const w = setup();
    const bad = await ask(w, '../../files');
    expect(bad.kind).toBe('invalid');
    expect(bad.ephemeral.text).toContain('is not a fine-tuning job ID');
    expect((await ask(w, 'ftjob-x', 'UREQ', 'delete')).kind).toBe('invalid');
    const click = await w.service.click({ requestId: 'forged', clicker: 'UAPP', vote: 'approve' });
    expect(click.kind).toBe('not_found');
    expect(ftEmu.requests).toEqual([]);
  });

  it('a new service instance (as after a restart) decides a request made by the old one', async () => {
    const w = setup();
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    const c = createRedis(TEST_REDIS);
    extraClients.push(c);
    const restarted = w.make({ redis: c });
    const res = await restarted.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'approve',
    });
    expect(res.kind).toBe('executed');
    expect(mutations(job.id)).toHaveLength(1);
    expect(hasButtons(topLevel(APPROVALS)[0]?.blocks)).toBe(false);
  });

  it('the request is posted where it was asked when no approval channel is set', async () => {
    const w = setup({ channel: undefined });
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    expect(asked.ephemeral.text).toContain(`in <#${ASKED_IN}>`);
    expect(topLevel(ASKED_IN)).toHaveLength(1);
  });

  it('a request that cannot be posted is given up and the requester is told why', async () => {
    const w = setup();
    slackEmu.failNext('chat.postMessage', 'not_in_channel');
    const job = ftEmu.addJob();
    const asked = await ask(w, job.id);
    expect(asked.kind).toBe('failed');
    expect(asked.ephemeral.text).toContain('/invite @ftops');
    expect((await w.store.get(asked.requestId!))?.state).toBe('failed');
    expect(await w.service.listPending()).toEqual([]);
  });

  it('Redis down: the requester gets a quick, clear "temporarily unavailable"', async () => {
    const w = setup();
    const down = createRedis('redis://127.0.0.1:1', {
      redisOptions: { retryStrategy: () => null },
    });
    const service = w.make({ redis: down });
    const job = ftEmu.addJob();
    const res = await service.request({
      action: 'pause',
      jobId: job.id,
      requester: 'UREQ',
      channel: ASKED_IN,
    });
    expect(res.kind).toBe('error');
    expect(res.ephemeral.text).toMatch(/temporarily unavailable/);
    expect(mutations(job.id)).toHaveLength(0);
    down.disconnect();
  });

  it('modal references are opaque, single-use and bound to the user', async () => {
    const w = setup();
    const ref = await w.service.createModalRef({
      action: 'pause',
      jobId: 'ftjob-abc',
      user: 'U1',
      channel: 'C1',
    });
    expect(ref).not.toContain('ftjob');
    expect(await w.service.resolveModalRef(ref, 'U2')).toBeNull();
    // Someone else's submit must not use up the owner's reference.
    expect(await w.service.resolveModalRef(ref, 'U1')).toMatchObject({ user: 'U1', channel: 'C1' });
    const again = await w.service.createModalRef({
      action: 'pause',
      jobId: 'ftjob-abc',
      channel: 'C1',
      user: 'U1',
    });
    expect(await w.service.resolveModalRef(again, 'U1')).toEqual({
      action: 'pause',
      jobId: 'ftjob-abc',
      user: 'U1',
      channel: 'C1',
    });
    expect(await w.service.resolveModalRef(again, 'U1')).toBeNull();
  });
});

describe('ApprovalService with the real approval view', () => {
  it('posts a valid Block Kit request with buttons, then replaces it with the outcome', async () => {
    const approvers = { users: ['UAPP'], groups: ['SOPS'] };
    const w = setup({ approvers });
    slackEmu.setUsergroup('SOPS', []);
    const service = new ApprovalService({
      redis,
      keys: w.keys,
      api,
      slack,
      roles: new ApproverRoles({ slack, approvers }),
      config: {
        approvers,
        gatedActions: ['pause'],
        approvalsRequired: 1,
        selfService: false,
        channel: APPROVALS,
        ttlMinutes: 60,
      },
      audit: w.audit,
      views: createApprovalViews(approvers),
      clock: () => w.clock.now,
    });
    const job = ftEmu.addJob();
    const asked = await service.request({
      action: 'pause',
      jobId: job.id,
      requester: 'UREQ',
      reason: 'spiky loss',
      channel: ASKED_IN,
    });
    expect(asked.kind).toBe('pending');
    expect(slackEmu.callsTo('chat.postMessage').every((c) => c.ok)).toBe(true);
    const [post] = topLevel(APPROVALS);
    expect(post?.text.match(/<!subteam\^SOPS>/g)).toHaveLength(1);
    expect(hasButtons(post?.blocks)).toBe(true);
    expect(JSON.stringify(post?.blocks)).toContain(asked.requestId!);

    const res = await service.click({
      requestId: asked.requestId!,
      clicker: 'UAPP',
      vote: 'approve',
    });
    expect(res.kind).toBe('executed');
    expect(slackEmu.callsTo('chat.update').map((c) => c.ok)).toEqual([true]);
    const [updated] = topLevel(APPROVALS);
    expect(hasButtons(updated?.blocks)).toBe(false);
    expect(JSON.stringify(updated?.blocks)).toContain('Done');
  });
});

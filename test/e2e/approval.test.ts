import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FineTuningJob } from '../../src/api/schemas.ts';
import { newApprovalId } from '../../src/store/approvals.ts';
import {
  APPROVE_REQUEST,
  DENY_MODAL,
  DENY_REQUEST,
  REASON_BLOCK,
  REASON_INPUT,
} from '../../src/views/action-ids.ts';
import {
  APPROVALS,
  APPROVER,
  type App,
  buttonsOf,
  OUTSIDER,
  poll,
  REQUESTER,
  startApp,
  TRAINING,
  visibleText,
} from './harness.ts';

/** A member of the approver user group S0APPROVERS, not listed by ID. */
const GROUP_MEMBER = 'U0GROUPIE';

/**
 * The approval gate through signed requests only: a member asks to pause, the request is
 * posted with Approve/Deny buttons, and only another approver's click makes the one API call.
 */
describe('the approval gate end to end', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web' });
    app.slack.addUser({ id: GROUP_MEMBER, name: 'gus' });
    app.slack.setUsergroup('S0APPROVERS', [APPROVER, GROUP_MEMBER]);
  });
  afterAll(async () => {
    await app?.close();
  });

  const pauses = (job: FineTuningJob) =>
    app.ft.requests.filter(
      (r) => r.method === 'POST' && r.path === `/fine_tuning/jobs/${job.id}/pause`,
    );

  /** `/ft pause` as the requester; returns the posted request message and its request ID. */
  async function requestPause(job: FineTuningJob, reason = 'eval loss diverged') {
    const sent = await app.command(`pause ${job.id} ${reason}`);
    expect(await app.answer(sent)).toContain('waiting for approval');
    const message = await poll(() =>
      app
        .messagesIn(TRAINING)
        .find((m) => !m.ephemeral && !m.thread_ts && m.text.includes(job.id) && m.blocks),
    );
    const approve = buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST);
    const deny = buttonsOf(message.blocks).find((b) => b.actionId === DENY_REQUEST);
    if (!approve || !deny) throw new Error('the request has no Approve/Deny buttons');
    expect(deny.value).toBe(approve.value);
    return { message, requestId: approve.value };
  }

  /** Clicks Approve or Deny on the request message as `user`; returns the private answer. */
  async function decide(
    user: string,
    req: { message: { ts: string }; requestId: string },
    actionId = APPROVE_REQUEST,
  ) {
    const sent = await app.click({
      actionId,
      value: req.requestId,
      user,
      messageTs: req.message.ts,
    });
    expect(sent.status).toBe(200);
    const answer = await app.answer(sent);
    const body = app.answersTo(sent.responseUrl)[0]?.body;
    expect(body?.response_type).toBe('ephemeral');
    expect(body?.replace_original).not.toBe(true);
    return answer;
  }

  it('pause by a member posts a request with Approve/Deny that names the approvers', async () => {
    const job = app.ft.addJob();
    const { message, requestId } = await requestPause(job);
    expect(requestId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(message.text).toContain('<!subteam^S0APPROVERS>');
    expect(visibleText(message)).toContain('eval loss diverged');
    expect(pauses(job)).toHaveLength(0);
    const pending = await app.command('approvals');
    expect(await app.answer(pending)).toContain(job.id);
  });

  it('outsider and requester are refused; the approver approves; the job pauses once', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job);

    const outsider = await decide(OUTSIDER, req);
    expect(outsider).toContain('Only approvers');
    expect(outsider).toContain('not counted');
    const self = await decide(REQUESTER, req);
    expect(self).toContain('You asked for this');
    expect(pauses(job)).toHaveLength(0);
    expect(app.ft.getJob(job.id)?.status).toBe('running');

    const updates = app.slack.callsTo('chat.update').length;
    const approved = await decide(APPROVER, req);
    expect(approved).toContain('Approved');
    expect(pauses(job)).toHaveLength(1);
    expect(app.ft.getJob(job.id)?.status).toBe('pausing');

    // The request message is updated in place and has no buttons left.
    const update = app.slack.callsTo('chat.update').slice(updates).at(-1);
    expect(update?.args.ts).toBe(req.message.ts);
    const after = app.messagesIn(TRAINING).find((m) => m.ts === req.message.ts);
    expect(after?.edited).toBe(true);
    expect(buttonsOf(after?.blocks)).toHaveLength(0);
    expect(visibleText(after ?? {})).toContain(`<@${APPROVER}>`);

    // The requester is told in the request's thread.
    const reply = await poll(() =>
      app.messagesIn(TRAINING).find((m) => m.thread_ts === req.message.ts),
    );
    expect(reply.text).toContain(`<@${REQUESTER}>`);
    expect(reply.text).toContain('approved by');

    // The channel now watches the job, and the request is no longer pending.
    const watching = await app.command('watching');
    expect(await app.answer(watching)).toContain(job.id);
    const pending = await app.command('approvals');
    expect(await app.answer(pending)).not.toContain(job.id);

    // A late click changes nothing.
    expect(await decide(GROUP_MEMBER, req)).toContain('already');
    expect(pauses(job)).toHaveLength(1);

    // The audit log tells the story.
    const audit = await app.command(`audit ${job.id}`, { user: APPROVER });
    const log = await app.answer(audit);
    expect(log).toContain(`asked to pause \`${job.id}\` in <#${TRAINING}>`);
    expect(log).toContain(`approved the request to pause \`${job.id}\` in <#${TRAINING}>`);
    expect(log).toContain(`\`${job.id}\`: pause was carried out`);
    expect(log).toContain('was refused on the request to pause');
  });

  /** Clicks Deny as `user` and returns the deny modal that opened. */
  async function openDeny(user: string, req: { message: { ts: string }; requestId: string }) {
    const opened = app.slack.callsTo('views.open').length;
    const sent = await app.click({
      actionId: DENY_REQUEST,
      value: req.requestId,
      user,
      messageTs: req.message.ts,
    });
    expect(sent.status).toBe(200);
    await poll(() => (app.slack.callsTo('views.open').length > opened ? true : undefined));
    return app.slack.callsTo('views.open').at(-1)?.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: unknown[];
    };
  }

  const reasonValues = (reason: string) => ({
    [REASON_BLOCK]: { [REASON_INPUT]: { type: 'plain_text_input', value: reason } },
  });

  it('Deny asks why (optionally), closes the request without touching the job, and the requester hears the reason', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job);
    const modal = await openDeny(APPROVER, req);
    expect(modal.callback_id).toBe(DENY_MODAL);
    expect(modal.private_metadata).not.toContain(req.requestId);
    expect(visibleText(modal)).toContain(job.id);
    // Nothing is decided by opening the modal.
    expect(
      buttonsOf(app.messagesIn(TRAINING).find((m) => m.ts === req.message.ts)?.blocks),
    ).toHaveLength(2);

    const ack = await app.submitView({
      user: APPROVER,
      callbackId: DENY_MODAL,
      privateMetadata: modal.private_metadata,
      values: reasonValues('the eval run needs the quota until 18:00'),
    });
    expect(ack.status).toBe(200);
    const answer = await poll(() =>
      app
        .messagesIn(TRAINING)
        .find((m) => m.ephemeral && m.visibleTo === APPROVER && m.text.includes('You denied')),
    );
    expect(answer.text).toContain(job.id);
    const after = app.messagesIn(TRAINING).find((m) => m.ts === req.message.ts);
    expect(buttonsOf(after?.blocks)).toHaveLength(0);
    expect(visibleText(after ?? {})).toContain('the eval run needs the quota until 18:00');
    const reply = await poll(() =>
      app.messagesIn(TRAINING).find((m) => m.thread_ts === req.message.ts),
    );
    expect(reply.text).toContain(`was denied by <@${APPROVER}>`);
    expect(reply.text).toContain('the eval run needs the quota until 18:00');
    expect(await decide(GROUP_MEMBER, req)).toContain('already denied');
    expect(pauses(job)).toHaveLength(0);
    expect(app.ft.getJob(job.id)?.status).toBe('running');
  });

  it('Deny without a reason is one submit; an outsider clicking Deny is refused before any modal', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job);
    const opened = app.slack.callsTo('views.open').length;
    expect(await decide(OUTSIDER, req, DENY_REQUEST)).toContain('approver');
    expect(app.slack.callsTo('views.open')).toHaveLength(opened);

    const modal = await openDeny(APPROVER, req);
    await app.submitView({
      user: APPROVER,
      callbackId: DENY_MODAL,
      privateMetadata: modal.private_metadata,
      values: reasonValues(''),
    });
    const reply = await poll(() =>
      app.messagesIn(TRAINING).find((m) => m.thread_ts === req.message.ts),
    );
    expect(reply.text).toContain(`was denied by <@${APPROVER}>. Nothing was changed.`);
    expect(reply.text).not.toContain('reason');
    await poll(() =>
      app
        .messagesIn(TRAINING)
        .find((m) => m.ephemeral && m.visibleTo === APPROVER && m.text.includes('You denied')),
    );
    // The same modal submitted again (or by someone else) decides nothing more.
    const count = app.messagesIn(TRAINING).length;
    await app.submitView({
      user: APPROVER,
      callbackId: DENY_MODAL,
      privateMetadata: modal.private_metadata,
      values: reasonValues('again'),
    });
    const barrier = await app.command('watching');
    await app.answer(barrier);
    expect(app.messagesIn(TRAINING)).toHaveLength(count + 1); // the barrier's answer only
    expect(app.ft.getJob(job.id)?.status).toBe('running');
  });

  it('20 concurrent Approve clicks make exactly one pause call', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job);
    const sent = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.click({
          actionId: APPROVE_REQUEST,
          value: req.requestId,
          user: APPROVER,
          messageTs: req.message.ts,
        }),
      ),
    );
    expect(sent.every((s) => s.status === 200)).toBe(true);
    const answers = await Promise.all(sent.map((s) => app.answer(s)));
    expect(pauses(job)).toHaveLength(1);
    expect(answers.filter((a) => a.includes('Approved.'))).toHaveLength(1);
    expect(answers.filter((a) => a.includes('already'))).toHaveLength(19);
    const threadReplies = app.messagesIn(TRAINING).filter((m) => m.thread_ts === req.message.ts);
    expect(threadReplies).toHaveLength(1);
  });

  it('a click naming another (made-up) request ID is "not found" and does nothing', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job);
    const calls = app.slack.calls.length;
    for (const value of [newApprovalId(), '../../x', '', 'x'.repeat(2000), `${req.requestId}x`]) {
      const sent = await app.click({
        actionId: APPROVE_REQUEST,
        value,
        user: APPROVER,
        blockId: newApprovalId(),
        messageTs: req.message.ts,
      });
      expect(await app.answer(sent)).toContain('no longer exists');
    }
    expect(app.slack.calls.length).toBe(calls);
    expect(pauses(job)).toHaveLength(0);
    const after = app.messagesIn(TRAINING).find((m) => m.ts === req.message.ts);
    expect(after?.edited).toBeFalsy();
    const pending = await app.command('approvals');
    expect(await app.answer(pending)).toContain(job.id);
  });

  it('--dry-run changes nothing and posts no request', async () => {
    const job = app.ft.addJob();
    const posted = app.slack.callsTo('chat.postMessage').length;
    const sent = await app.command(`pause ${job.id} --dry-run because`);
    const answer = await app.answer(sent);
    expect(answer).toContain('Dry run');
    expect(answer).toContain('nothing was changed');
    expect(answer).toContain('<!subteam^S0APPROVERS>');
    expect(app.slack.callsTo('chat.postMessage')).toHaveLength(posted);
    expect(pauses(job)).toHaveLength(0);
    const pending = await app.command('approvals');
    expect(await app.answer(pending)).not.toContain(job.id);
  });

  it('a member of the approver user group can approve', async () => {
    const who = await app.command('whoami', { user: GROUP_MEMBER });
    expect(await app.answer(who)).toContain('S0APPROVERS');
    const job = app.ft.addJob();
    const req = await requestPause(job);
    expect(await decide(GROUP_MEMBER, req)).toContain('Approved');
    expect(pauses(job)).toHaveLength(1);
  });

  it('outside text in the reason is escaped in the posted request', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job, '<!channel> <@U123> <https://evil.example|click> stop');
    const shown = `${req.message.text}\n${visibleText(req.message)}`;
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<@U123>');
    expect(shown).not.toContain('<https://evil.example');
    expect(shown).toContain('stop');
  });

  it('a job that changed before the approval gets no call', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job);
    app.ft.setStatus(job.id, 'paused');
    const answer = await decide(APPROVER, req);
    expect(answer).toContain(`${job.id} is already paused, so nothing was sent`);
    expect(pauses(job)).toHaveLength(0);
  });

  it('a request nobody decides in time expires, and a late Approve does nothing', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job);
    app.advanceClock(61 * 60_000);
    try {
      const answer = await decide(APPROVER, req);
      expect(answer).toContain('expired');
      expect(pauses(job)).toHaveLength(0);
      const after = app.messagesIn(TRAINING).find((m) => m.ts === req.message.ts);
      expect(buttonsOf(after?.blocks)).toHaveLength(0);
      const reply = await poll(() =>
        app.messagesIn(TRAINING).find((m) => m.thread_ts === req.message.ts),
      );
      expect(reply.text).toContain('expired without a decision');
      const pending = await app.command('approvals');
      expect(await app.answer(pending)).not.toContain(job.id);
    } finally {
      app.advanceClock(-61 * 60_000);
    }
  });

  it('asked in a channel ftops is not in, the requester is told to invite it', async () => {
    app.slack.addChannel({ id: 'C0PRIVATE', name: 'secret-lab', private: true, isMember: false });
    const job = app.ft.addJob();
    const sent = await app.command(`pause ${job.id}`, { channel: 'C0PRIVATE' });
    const answer = await app.answer(sent);
    expect(answer).toContain('could not be posted');
    expect(answer).toContain('/invite @ftops');
    expect(pauses(job)).toHaveLength(0);
    const pending = await app.command('approvals');
    expect(await app.answer(pending)).not.toContain(job.id);
  });

  it('a request survives a restart: a new process decides it', async () => {
    const job = app.ft.addJob();
    const req = await requestPause(job);
    await app.restart();
    expect(await decide(APPROVER, req)).toContain('Approved');
    expect(pauses(job)).toHaveLength(1);
    const after = app.messagesIn(TRAINING).find((m) => m.ts === req.message.ts);
    expect(buttonsOf(after?.blocks)).toHaveLength(0);
  });
});

describe('approver self-service', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ FT_ROLE: 'web', FT_APPROVER_SELF_SERVICE: 'true' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("an approver's own pause runs at once; a member's still waits", async () => {
    const job = app.ft.addJob();
    const sent = await app.command(`pause ${job.id} hotfix`, { user: APPROVER });
    const answer = await app.answer(sent);
    expect(answer).toContain('Pause sent');
    expect(answer).toContain('Self-authorised');
    expect(app.ft.getJob(job.id)?.status).toBe('pausing');
    expect(app.slack.callsTo('chat.postMessage')).toHaveLength(0);

    const other = app.ft.addJob();
    const asked = await app.command(`pause ${other.id}`);
    expect(await app.answer(asked)).toContain('waiting for approval');
    expect(app.ft.getJob(other.id)?.status).toBe('running');
  });
});

describe('two approvals, in a dedicated approvals channel', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({
      FT_ROLE: 'web',
      FT_APPROVALS_REQUIRED: '2',
      FT_APPROVAL_CHANNEL: APPROVALS,
      FT_APPROVER_IDS: `${APPROVER},${OUTSIDER}`,
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the request goes to the approvals channel and needs two distinct approvers', async () => {
    const job = app.ft.addJob();
    const sent = await app.command(`cancel ${job.id} wrong data`);
    expect(await app.answer(sent)).toContain(`<#${APPROVALS}>`);
    expect(app.messagesIn(TRAINING).filter((m) => !m.ephemeral)).toHaveLength(0);
    const message = await poll(() =>
      app.messagesIn(APPROVALS).find((m) => !m.ephemeral && m.text.includes(job.id)),
    );
    const requestId = buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST)?.value;
    const click = (user: string) =>
      app.click({
        actionId: APPROVE_REQUEST,
        value: requestId ?? '',
        user,
        channel: APPROVALS,
        messageTs: message.ts,
      });
    const cancels = () => app.ft.requests.filter((r) => r.path.endsWith(`${job.id}/cancel`));

    expect(await app.answer(await click(APPROVER))).toContain('1 more approver');
    expect(await app.answer(await click(APPROVER))).toContain('already approved');
    expect(cancels()).toHaveLength(0);
    expect(await app.answer(await click(OUTSIDER))).toContain('Approved');
    expect(cancels()).toHaveLength(1);
    expect(app.ft.getJob(job.id)?.status).toBe('cancelled');
    // The asking channel, not the approvals channel, watches the job afterwards.
    expect(await app.answer(await app.command('watching'))).toContain(job.id);
  });
});

import { describe, expect, it } from 'vitest';
import { FineTuningJobCheckpointSchema } from '../../src/api/schemas.ts';
import {
  AUDIT_OLDER,
  REASON_BLOCK,
  REASON_INPUT,
  REASON_MODAL,
} from '../../src/views/action-ids.ts';
import { dryRunText } from '../../src/views/approval-replies.ts';
import { approvalsListView } from '../../src/views/approvals-list.ts';
import { auditView } from '../../src/views/audit.ts';
import { checkpointsView } from '../../src/views/checkpoints.ts';
import { errorView, parseErrorView } from '../../src/views/errors.ts';
import { eventsView } from '../../src/views/events.ts';
import { helpView } from '../../src/views/help.ts';
import { jobList } from '../../src/views/job-list.ts';
import { EMPTY, groupMention } from '../../src/views/mrkdwn.ts';
import { reasonModal } from '../../src/views/reason-modal.ts';
import { watchingView } from '../../src/views/watching.ts';
import { whoamiView } from '../../src/views/whoami.ts';
import { parseCommand } from '../../src/vocabulary/index.ts';
import { makeEvent, makeJob, NOW } from './fixtures.ts';
import { buttonsOf, expectNoInjection, expectWithinLimits, visibleText } from './walk.ts';

describe('jobList', () => {
  it('shows one compact line per job with emoji, id, model, suffix and age', () => {
    const view = jobList(
      [makeJob(), makeJob({ id: 'ftjob-def456', status: 'succeeded', user_provided_suffix: null })],
      { now: NOW },
    );
    const seen = visibleText(view);
    expect(seen).toContain(
      '🏃 running — `ftjob-abc123` · `gpt-4o-mini-2024-07-18` · `my-suffix` · 3h ago',
    );
    expect(seen).toContain('✅ succeeded — `ftjob-def456` · `gpt-4o-mini-2024-07-18` · 3h ago');
    expect(view.text).toBe('2 fine-tuning jobs');
    expect(buttonsOf(view)).toEqual([]);
    expectNoInjection(view);
  });

  it('says so when there are no jobs', () => {
    expect(jobList([], { now: NOW }).text).toBe('No fine-tuning jobs found.');
  });

  it('cuts a huge list to fit and says how many more there are', () => {
    const jobs = Array.from({ length: 2000 }, (_, i) =>
      makeJob({ id: `ftjob-${i}`, user_provided_suffix: 'x'.repeat(300) }),
    );
    const view = jobList(jobs, { now: NOW });
    expectWithinLimits(view);
    expect(visibleText(view)).toMatch(/…and \d+ more jobs/);
  });
});

describe('eventsView and checkpointsView', () => {
  it('lists events with the step and loss of metrics events', () => {
    const view = eventsView('ftjob-abc123', [
      makeEvent(),
      makeEvent({ id: 'e2', type: 'message', message: 'Fine-tuning job started', data: null }),
      makeEvent({ id: 'e3', level: 'error', type: 'message', message: 'Out of quota' }),
    ]);
    const seen = visibleText(view);
    // The numbers once, from the data; the message that repeats them is left out.
    expect(seen).toContain('step 10/100 · train loss 0.4213 · valid loss 0.5');
    expect(seen).not.toContain('training loss=0.42');
    expect(seen).toContain('Fine-tuning job started');
    expect(seen).toContain('❗ Out of quota');
    expectWithinLimits(view);
    expect(eventsView('ftjob-abc123', []).text).toBe('No events yet for `ftjob-abc123`.');
  });

  it('lists checkpoints with step, metrics and model name', () => {
    const cp = FineTuningJobCheckpointSchema.parse({
      id: 'ftckpt-1',
      created_at: NOW / 1000 - 600,
      fine_tuned_model_checkpoint: 'ft:gpt-4o-mini:org:my-suffix:abc:ckpt-step-100',
      fine_tuning_job_id: 'ftjob-abc123',
      step_number: 100,
      metrics: { step: 100, train_loss: 0.31, valid_mean_token_accuracy: 0.875 },
    });
    const view = checkpointsView('ftjob-abc123', [cp]);
    const seen = visibleText(view);
    expect(seen).toContain('*Step 100* · `ft:gpt-4o-mini:org:my-suffix:abc:ckpt-step-100`');
    expect(seen).toContain(
      '`ft:gpt-4o-mini:org:my-suffix:abc:ckpt-step-100` · train loss 0.31 · valid acc 0.875',
    );
    expect(seen).not.toContain('step 100');
    expect(checkpointsView('ftjob-abc123', []).text).toBe('No checkpoints yet for `ftjob-abc123`.');
  });
});

describe('helpView', () => {
  it('lists every command and marks gated ones for non-approvers', () => {
    const view = helpView({
      canApprove: false,
      gatedActions: ['pause', 'cancel'],
      approvalsRequired: 2,
    });
    const seen = visibleText(view);
    expect(seen).toContain(
      "`/ft pause &lt;job&gt; [reason] [--dry-run]` — pause a running job _(needs 2 approvers' OK)_",
    );
    expect(seen).toContain('`/ft resume &lt;job&gt; [--dry-run]` — resume a paused job\n');
    expect(seen).toContain('`/ft whoami`');
    expect(seen).toContain('You are not an approver');
    expect(seen).toContain('recent actions taken through ftops _(approvers only; not you)_');
    expect(seen).toContain(
      'A resume that undoes a pause approvers agreed to asks an approver first, like the pause did.',
    );
    expectNoInjection(view);
    expectWithinLimits(view);
  });

  it('tells an approver with self-service that gated actions run at once', () => {
    const seen = visibleText(
      helpView({ canApprove: true, gatedActions: ['pause'], selfService: true }),
    );
    expect(seen).toContain('runs at once for you');
    expect(seen).toContain('You are an approver');
  });
});

describe('errorView and parseErrorView', () => {
  it('shows an escaped message and the reference', () => {
    const view = errorView('Job <ftjob-x> not found', 'req_123');
    expect(view.text).toBe('⚠️ Job &lt;ftjob-x&gt; not found');
    expect(visibleText(view)).toContain('Reference: `req_123`');
  });

  it('shows the did-you-mean and the commands for an unknown verb', () => {
    const r = parseCommand('staus ftjob-abc');
    if (r.ok) throw new Error('expected an error');
    const view = parseErrorView(r.error);
    expect(view.text).toContain('Did you mean /ft status?');
    expect(visibleText(view)).toContain('*Commands:* `help` `list`');
  });

  it('shows the usage of the verb and escapes what the user typed', () => {
    const r = parseCommand('status <!channel>');
    if (r.ok) throw new Error('expected an error');
    const view = parseErrorView(r.error);
    expect(visibleText(view)).toContain('*Usage:* `/ft status &lt;job&gt;`');
    expect(view.text).toContain('"&lt;!channel&gt;" is not a fine-tuning job ID');
    expectNoInjection(view);
  });
});

describe('dryRunText', () => {
  it('says the state, whether it may run now, who would be asked and the API call', () => {
    const text = dryRunText({
      action: 'pause',
      jobId: 'ftjob-abc123',
      status: 'succeeded',
      allowed: { ok: false, reason: 'ftjob-abc123 has succeeded, so it cannot be paused' },
      decision: 'needs-approval',
      approvalsRequired: 2,
      mention: groupMention('S0MLOPS'),
      channel: 'C0APPROVALS',
      apiCall: 'POST /fine_tuning/jobs/ftjob-abc123/pause',
      problems: [],
    });
    expect(text.split('\n')).toEqual([
      '*Dry run* of pause `ftjob-abc123`; nothing was changed.',
      '• State now: `succeeded`',
      '• Allowed now: no: ftjob-abc123 has succeeded, so it cannot be paused',
      '• Approval: 2 approver(s) other than you, from <!subteam^S0MLOPS>, in <#C0APPROVALS>',
      '• API call: `POST /fine_tuning/jobs/ftjob-abc123/pause`',
    ]);
    const ungated = dryRunText({
      action: 'resume',
      jobId: 'ftjob-abc123',
      status: 'paused',
      allowed: { ok: true },
      decision: 'run-now',
      approvalsRequired: 1,
      mention: EMPTY,
      channel: 'C0X',
      apiCall: 'POST /fine_tuning/jobs/ftjob-abc123/resume',
      problems: ['Slack did not answer for S0X.'],
    });
    expect(ungated).toContain('• Approval: not needed: resume is not gated');
    expect(ungated).toContain('• Note: Slack did not answer for S0X.');
  });
});

describe('whoamiView', () => {
  it('shows the role, how it was granted and what needs approval', () => {
    const seen = visibleText(
      whoamiView({
        userId: 'U0ME',
        isApprover: true,
        via: { direct: false, groups: ['S0MLOPS'] },
        gatedActions: ['pause', 'cancel'],
        approvalsRequired: 1,
        selfService: false,
      }),
    );
    expect(seen).toContain('You are <@U0ME>.');
    expect(seen).toContain('✅ *Approver* (member of <!subteam^S0MLOPS>)');
    expect(seen).toContain('`pause`, `cancel` need 1 approval from someone other than you.');
    expect(seen).toContain(
      '*Undoing:* As an approver you may resume a job that approvers agreed to pause directly',
    );
    const member = visibleText(
      whoamiView({
        userId: 'U0YOU',
        isApprover: false,
        gatedActions: [],
        approvalsRequired: 1,
        selfService: false,
      }),
    );
    expect(member).toContain('*Member* (not an approver)');
    // What a member is refused is not offered: the audit is listed apart, for approvers.
    expect(member).not.toMatch(/\*You can run:\*[^\n]*`audit`/);
    expect(member).toContain('*Approvers only:* `audit`');
    expect(member).toContain('No action needs approval.');
  });
});

describe('approvalsListView, auditView, watchingView', () => {
  it('lists waiting approval requests', () => {
    const view = approvalsListView(
      [
        {
          requestId: 'apr_1',
          action: 'pause',
          jobId: 'ftjob-abc123',
          requester: 'U0REQ',
          approvals: [],
          approvalsRequired: 1,
          expiresAt: NOW + 30 * 60_000,
          reason: 'budget <!channel>',
        },
      ],
      { now: NOW },
    );
    const seen = visibleText(view);
    expect(seen).toContain(
      '• *pause* `ftjob-abc123` by <@U0REQ> · 0/1 approvals · expires <!date^',
    );
    expect(seen).toContain('(in 30m) — “budget &lt;!channel&gt;”');
    expect(approvalsListView([], { now: NOW }).text).toBe('No approval requests are waiting.');
  });

  it('lists audit entries as sentences with names, ftops itself when nobody acted', () => {
    const view = auditView(
      [
        {
          at: NOW - 60_000,
          actor: 'U0ME',
          event: 'approved',
          action: 'pause',
          jobId: 'ftjob-abc123',
          channel: 'C0APPROVALS',
        },
        {
          at: NOW - 90_000,
          actor: 'U0YOU',
          event: 'denied',
          action: 'cancel',
          jobId: 'ftjob-abc123',
          channel: 'C0APPROVALS',
          outcome: 'denied: the eval <run> needs it',
        },
        {
          at: NOW - 120_000,
          actor: null,
          event: 'expired',
          action: 'pause',
          jobId: 'ftjob-abc123',
        },
        {
          at: NOW - 180_000,
          actor: 'U0REQ',
          event: 'requested',
          action: 'pause',
          jobId: 'ftjob-abc123',
        },
      ],
      {
        jobId: null,
        refusals: [
          {
            at: NOW - 30_000,
            actor: 'U0SAM',
            event: 'refused',
            action: 'pause',
            jobId: 'ftjob-abc123',
            outcome: 'approve: not_approver',
            repeats: 41,
          },
        ],
        older: '1700000000000-0',
      },
    );
    const seen = visibleText(view);
    expect(seen).toContain(
      '<@U0ME> approved the request to pause `ftjob-abc123` in <#C0APPROVALS>',
    );
    expect(seen).toContain(
      '<@U0YOU> denied the request to cancel `ftjob-abc123` in <#C0APPROVALS>: “the eval &lt;run&gt; needs it”',
    );
    expect(seen).toContain('The request to pause `ftjob-abc123` expired undecided');
    expect(seen).toContain('<@U0REQ> asked to pause `ftjob-abc123`');
    expect(seen).toContain(
      '<@U0SAM> was refused on the request to pause `ftjob-abc123` because they are not an approver, 42 times',
    );
    expect(seen).not.toContain('not_approver');
    expect(buttonsOf(view)).toEqual([
      expect.objectContaining({ actionId: AUDIT_OLDER, value: '|1700000000000-0' }),
    ]);
    expect(auditView([], { jobId: 'ftjob-abc123' }).text).toBe(
      'Nothing in the audit log for `ftjob-abc123` yet.',
    );
    expect(auditView([], { jobId: 'ftjob-abc123', continued: true }).text).toBe(
      'No older entries in the audit log for `ftjob-abc123`.',
    );
  });

  it('lists what a channel watches', () => {
    const seen = visibleText(
      watchingView([{ jobId: null, only: ['failed', 'succeeded'] }, { jobId: 'ftjob-abc123' }]),
    );
    expect(seen).toContain('• *all jobs* — only failed, succeeded');
    expect(seen).toContain('• `ftjob-abc123`');
    expect(watchingView([]).text).toBe('This channel watches no jobs.');
  });
});

describe('reasonModal', () => {
  it('is a modal with our callback ID, the ref alone as metadata, and the reason input', () => {
    const modal = reasonModal({
      ref: 'mref_42',
      action: 'pause',
      job: makeJob(),
      needsApproval: true,
      now: NOW,
    });
    expect(modal.callback_id).toBe(REASON_MODAL);
    expect(modal.private_metadata).toBe('mref_42');
    expect(modal.title.text).toBe('Pause a job');
    expect(modal.submit?.text).toBe('Ask approvers');
    const input = modal.blocks.find((b) => b.type === 'input');
    expect(input).toMatchObject({
      block_id: REASON_BLOCK,
      optional: false,
      element: { type: 'plain_text_input', action_id: REASON_INPUT, max_length: 500 },
    });
    const seen = visibleText(modal);
    expect(seen).toContain('`ftjob-abc123`');
    expect(seen).toContain('🏃 running');
    expectNoInjection(modal);
    expectWithinLimits({ blocks: modal.blocks });
  });

  it('makes the reason optional for resume', () => {
    const modal = reasonModal({
      ref: 'r',
      action: 'resume',
      job: makeJob({ status: 'paused' }),
      now: NOW,
    });
    expect(modal.submit?.text).toBe('Resume');
    expect(modal.blocks.find((b) => b.type === 'input')).toMatchObject({ optional: true });
  });
});

import {
  type FineTuningJob,
  FineTuningJobCheckpointSchema,
  FineTuningJobEventSchema,
  FineTuningJobSchema,
} from '../../src/api/schemas.ts';
import * as v from '../../src/views/index.ts';
import { groupMention } from '../../src/views/mrkdwn.ts';
import { parseCommand } from '../../src/vocabulary/index.ts';

/** Outside strings to put in every field a view shows; the tests pick them hostile or huge. */
export interface Inputs {
  s: (i: number) => string;
  status: string;
  count: number;
  now: number;
}

/** The Slack IDs `renderAll` passes as people and groups; only these may be mentioned. */
export const REAL_IDS = ['U0REQ', 'U0APP', 'S0GRP', 'U0DEC'];

/** Builds every view from the given strings, returning them by name. */
export function renderAll(
  x: Inputs,
): Record<string, { text?: string; blocks: readonly unknown[] }> {
  const job: FineTuningJob = FineTuningJobSchema.parse({
    id: x.s(0) || 'x',
    model: x.s(1),
    status: x.status,
    created_at: 1721764800,
    finished_at: x.count % 2 ? 1721768400 : null,
    estimated_finish: 1721810000,
    user_provided_suffix: x.s(2),
    fine_tuned_model: x.s(3),
    trained_tokens: x.count * 1000,
    error: { code: x.s(4), message: x.s(5) },
  });
  const events = Array.from({ length: x.count }, (_, i) =>
    FineTuningJobEventSchema.parse({
      id: `e${i}`,
      created_at: 1721764800 + i,
      level: i % 3 ? 'info' : x.s(6),
      message: x.s(7 + (i % 3)),
      type: i % 2 ? 'metrics' : 'message',
      data: { step: i, [x.s(10)]: x.s(11), train_loss: i / 7 },
    }),
  );
  const checkpoints = Array.from({ length: x.count }, (_, i) =>
    FineTuningJobCheckpointSchema.parse({
      id: `c${i}`,
      step_number: i,
      fine_tuned_model_checkpoint: x.s(12),
      metrics: { [x.s(13)]: x.s(14), valid_loss: 0.1 },
    }),
  );
  const jobs = Array.from({ length: x.count }, (_, i) => ({ ...job, id: `${x.s(0)}${i}` }));
  const parsed = parseCommand(x.s(15));
  const parseError = parsed.ok ? { kind: 'unknown_verb' as const, verb: x.s(15) } : parsed.error;
  const approval = {
    requestId: x.s(16),
    action: x.s(17),
    job,
    requester: 'U0REQ',
    reason: x.s(18),
    approverGroups: ['S0GRP', x.s(19)],
    approverUsers: [x.s(20)],
    approvalsRequired: 2,
    approvals: ['U0APP', x.s(21)],
    expiresAt: x.now + 60_000,
    decidedBy: 'U0DEC',
    decidedAt: x.now,
    outcome: x.s(22),
    now: x.now,
  };
  const modal = v.reasonModal({
    ref: 'ref',
    action: 'pause',
    job,
    now: x.now,
    needsApproval: true,
  });
  return {
    jobCard: v.jobCard(job, {
      now: x.now,
      events,
      note: x.s(23),
      actions: ['pause', 'resume', 'cancel', 'refresh', 'watch'],
    }),
    jobList: v.jobList(jobs, { now: x.now, hasMore: true }),
    events: v.eventsView(x.s(0), events),
    checkpoints: v.checkpointsView(x.s(0), checkpoints),
    help: v.helpView({ canApprove: false, gatedActions: [x.s(24), 'pause'] }),
    error: v.errorView(x.s(25), x.s(26)),
    parseError: v.parseErrorView(parseError),
    approvalPending: v.approvalRequestView({ ...approval, state: 'pending' }),
    approvalFailed: v.approvalRequestView({ ...approval, state: 'failed' }),
    approvalOdd: v.approvalRequestView({ ...approval, state: x.status as 'pending' }),
    modal: { blocks: modal.blocks },
    modalTitle: { text: modal.title.text, blocks: [] },
    denyModal: {
      blocks: v.denyModal({
        ref: 'ref',
        request: { action: x.s(27), jobId: x.s(28), requester: 'U0REQ' },
      }).blocks,
    },
    announcement: v.announcementCard({
      job,
      from: x.s(27),
      to: x.status,
      actor: { userId: 'U0DEC' },
      now: x.now,
    }),
    reply: v.announcementReply({ job, from: x.s(27), to: x.status, actor: null }),
    replyFailed: v.announcementReply({ job, from: x.s(27), to: 'failed', actor: null }),
    replySucceeded: v.announcementReply({ job, from: x.s(27), to: 'succeeded', actor: null }),
    dryRun: {
      text: v.dryRunText({
        action: x.s(17),
        jobId: x.s(0),
        status: x.status,
        allowed: { ok: false, reason: x.s(28) },
        decision: 'needs-approval',
        approvalsRequired: 1,
        mention: groupMention('S0GRP'),
        channel: 'C0APPROVALS',
        apiCall: x.s(29),
        problems: [x.s(19)],
      }),
      blocks: [],
    },
    whoami: v.whoamiView({
      userId: 'U0REQ',
      isApprover: true,
      via: { direct: true, groups: ['S0GRP', x.s(19)] },
      gatedActions: [x.s(24), 'pause'],
      approvalsRequired: 1,
      selfService: false,
    }),
    approvals: v.approvalsListView(
      Array.from({ length: x.count }, () => ({
        requestId: x.s(16),
        action: x.s(17),
        jobId: x.s(0),
        requester: x.s(20),
        approvals: [],
        approvalsRequired: 1,
        expiresAt: x.now,
        reason: x.s(18),
      })),
      { now: x.now },
    ),
    audit: v.auditView(
      Array.from({ length: x.count }, (_, i) => ({
        at: x.now - i,
        actor: i % 2 ? 'U0REQ' : x.s(20),
        event: i % 3 ? 'refused' : x.s(18),
        action: x.s(17),
        jobId: x.s(0),
        outcome: x.s(22),
        repeats: i,
      })),
      {
        jobId: x.s(0),
        refusals: [{ at: x.now, actor: x.s(20), event: 'refused', outcome: x.s(22), repeats: 3 }],
        older: x.s(19),
      },
    ),
    watching: v.watchingView(
      Array.from({ length: x.count }, (_, i) => ({
        jobId: i % 2 ? null : x.s(0),
        only: [x.s(30)],
      })),
    ),
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_STATUSES } from '../../../src/api/schemas.ts';
import {
  canActOn,
  canClick,
  decideRequest,
  describeApiCall,
} from '../../../src/handlers/approval/index.ts';
import type { ApprovalState, GateAction } from '../../../src/store/approvals.ts';

const action = fc.constantFrom<GateAction>('pause', 'resume', 'cancel');
const state = fc.constantFrom<ApprovalState>(
  'pending',
  'approved',
  'denied',
  'expired',
  'executed',
  'failed',
);
const user = fc.constantFrom('U1', 'U2', 'U3', 'W4');
const status = fc.oneof(fc.constantFrom(...KNOWN_STATUSES), fc.string({ maxLength: 12 }));

const click = fc.record({
  request: fc.record({ requester: user, state, expiresAt: fc.integer({ min: 0, max: 1000 }) }),
  clicker: user,
  clickerIsApprover: fc.boolean(),
  now: fc.integer({ min: 0, max: 1000 }),
});

describe('decideRequest', () => {
  it('ungated actions run at once, whoever asks', () => {
    fc.assert(
      fc.property(action, fc.boolean(), fc.boolean(), (a, requesterIsApprover, selfService) => {
        expect(decideRequest({ action: a, isGated: false, requesterIsApprover, selfService })).toBe(
          'run-now',
        );
      }),
    );
  });

  it('a gated action skips approval only for an approver with self-service on', () => {
    fc.assert(
      fc.property(action, fc.boolean(), fc.boolean(), (a, requesterIsApprover, selfService) => {
        const d = decideRequest({ action: a, isGated: true, requesterIsApprover, selfService });
        expect(d).toBe(
          requesterIsApprover && selfService ? 'run-now-self-authorised' : 'needs-approval',
        );
      }),
    );
  });

  it('an ungated action that undoes an approved one is gated, except for approvers', () => {
    fc.assert(
      fc.property(action, fc.boolean(), fc.boolean(), (a, requesterIsApprover, selfService) => {
        const d = decideRequest({
          action: a,
          isGated: false,
          requesterIsApprover,
          selfService,
          undoesApproved: true,
        });
        expect(d === 'needs-approval').toBe(!requesterIsApprover);
      }),
    );
  });
});

describe('canClick', () => {
  it('the requester never approves their own request, approver or not', () => {
    fc.assert(
      fc.property(click, (c) => {
        const r = canClick({ ...c, clicker: c.request.requester });
        expect(r.ok).toBe(false);
      }),
    );
  });

  it('outsiders never count', () => {
    fc.assert(
      fc.property(click, (c) => {
        expect(canClick({ ...c, clickerIsApprover: false }).ok).toBe(false);
      }),
    );
  });

  it('nothing counts once a request is decided or expired', () => {
    fc.assert(
      fc.property(click, (c) => {
        const r = canClick(c);
        if (c.request.state !== 'pending' || c.now >= c.request.expiresAt) expect(r.ok).toBe(false);
      }),
    );
  });

  it('an approver other than the requester counts on a live pending request', () => {
    fc.assert(
      fc.property(click, (c) => {
        const live = c.request.state === 'pending' && c.now < c.request.expiresAt;
        const ok = live && c.clickerIsApprover && c.clicker !== c.request.requester;
        expect(canClick(c).ok).toBe(ok);
      }),
    );
  });

  it('names the reason', () => {
    const request = { requester: 'U1', state: 'pending' as const, expiresAt: 100 };
    expect(canClick({ request, clicker: 'U2', clickerIsApprover: false, now: 1 })).toEqual({
      ok: false,
      reason: 'not_approver',
    });
    expect(canClick({ request, clicker: 'U1', clickerIsApprover: true, now: 1 })).toEqual({
      ok: false,
      reason: 'is_requester',
    });
    expect(canClick({ request, clicker: 'U2', clickerIsApprover: true, now: 100 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      canClick({
        request: { ...request, state: 'denied' },
        clicker: 'U2',
        clickerIsApprover: true,
        now: 1,
      }),
    ).toEqual({ ok: false, reason: 'already_decided' });
    expect(canClick({ request, clicker: 'U2', clickerIsApprover: true, now: 1 })).toEqual({
      ok: true,
    });
  });
});

describe('canActOn', () => {
  it('pause only a running job, resume only a paused one, cancel anything unfinished', () => {
    fc.assert(
      fc.property(action, status, (a, s) => {
        const expected =
          a === 'pause'
            ? s === 'running'
            : a === 'resume'
              ? s === 'paused'
              : !['succeeded', 'failed', 'cancelled'].includes(s);
        expect(canActOn(a, s, 'ftjob-x').ok).toBe(expected);
      }),
    );
  });

  it('explains a refusal with the job and its state', () => {
    expect(canActOn('pause', 'succeeded', 'ftjob-x')).toEqual({
      ok: false,
      reason: 'ftjob-x has succeeded, so it cannot be paused',
    });
    expect(canActOn('resume', 'running', 'ftjob-x')).toEqual({
      ok: false,
      reason: 'ftjob-x is already running',
    });
    expect(canActOn('cancel', 'cancelled', 'ftjob-x')).toEqual({
      ok: false,
      reason: 'ftjob-x was already cancelled',
    });
    expect(canActOn('pause', 'paused', 'ftjob-x')).toEqual({
      ok: false,
      reason: 'ftjob-x is already paused',
    });
    expect(canActOn('pause', 'failed', 'ftjob-x')).toEqual({
      ok: false,
      reason: 'ftjob-x has failed, so it cannot be paused',
    });
    expect(canActOn('pause', 'warming_up', 'ftjob-x')).toEqual({
      ok: false,
      reason: 'ftjob-x is in state “warming up”, so it cannot be paused',
    });
    expect(canActOn('cancel', 'paused', 'ftjob-x')).toEqual({ ok: true });
  });
});

describe('describeApiCall', () => {
  it('names the exact endpoint', () => {
    expect(describeApiCall('pause', 'ftjob-x')).toBe('POST /fine_tuning/jobs/ftjob-x/pause');
    expect(describeApiCall('resume', 'ftjob-y')).toBe('POST /fine_tuning/jobs/ftjob-y/resume');
    expect(describeApiCall('cancel', 'ftjob-z')).toBe('POST /fine_tuning/jobs/ftjob-z/cancel');
  });
});

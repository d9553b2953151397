import { describe, expect, it } from 'vitest';
import { actionApplies, alreadyDone, JOB_ACTIONS, pastTense } from '../../src/api/actions.ts';
import { alreadyDone as gateAlreadyDone } from '../../src/handlers/approval/index.ts';

const STATUSES = [
  'validating_files',
  'queued',
  'running',
  'pausing',
  'paused',
  'resuming',
  'succeeded',
  'failed',
  'cancelled',
];

describe('job actions', () => {
  it('count a re-queued job as resumed, in the client and the gate alike', () => {
    expect(alreadyDone('resume', 'queued')).toBe(true);
    for (const a of JOB_ACTIONS)
      for (const s of STATUSES) expect(gateAlreadyDone(a, s)).toBe(alreadyDone(a, s));
  });

  it('apply pause to running jobs, resume to paused ones, cancel to unfinished ones', () => {
    expect(STATUSES.filter((s) => actionApplies('pause', s))).toEqual(['running']);
    expect(STATUSES.filter((s) => actionApplies('resume', s))).toEqual(['paused']);
    expect(STATUSES.filter((s) => actionApplies('cancel', s))).toEqual(STATUSES.slice(0, 6));
    expect(JOB_ACTIONS.map(pastTense)).toEqual(['paused', 'resumed', 'cancelled']);
  });
});

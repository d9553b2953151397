import type { FaultKind } from '../../../src/emulators/fine-tuning/faults.ts';

export const SWEEPS = 'C0SWEEPS';
export const FAULT_RATE = 0.3;
export const KINDS: FaultKind[] = ['429', '500', 'timeout', 'malformed', '500-after-effect'];
export const RETRY_AFTER_MS = 200;
/** Statuses the sweep jobs move between; terminal ones only as each job's last change. */
export const MOVES = ['running', 'paused', 'pausing', 'resuming', 'queued'];
export const PAUSE_EVENT = 'Fine-tuning job pausing';

export interface Size {
  approvals: number;
  sweeps: number;
  sweepJobs: number;
  lanes: number;
  /** How long a change may take to be announced before it counts as lost. */
  stallMs: number;
}

export const FULL: Size = { approvals: 500, sweeps: 100, sweepJobs: 10, lanes: 8, stallMs: 30_000 };
export const SHORT: Size = { approvals: 15, sweeps: 8, sweepJobs: 4, lanes: 4, stallMs: 15_000 };

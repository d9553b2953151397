// What the cluster campaigns try: their sizes, the fault each one injects, and the records
// kept of every fault, command, click and change.
import type { PrivateCluster } from '../../lib/private-cluster.ts';
import type { Sizes } from '../redis-restart/plan.ts';

/** The second approver: pauses need two votes here, so votes flow as well as approvals. */
export const APPROVER2 = 'U0APPROVE2';
export const RECOVERY_LIMIT_MS = 10_000;

export interface ClusterSizes extends Sizes {
  /** Approval trials (`/ft pause`, a vote, an approval) spread over the whole run. */
  trials: number;
  /** Approval trials in flight at once. */
  lanes: number;
  /** How long load runs between two faults (and after the last one). */
  holdMs: number;
}

export const SHORT: ClusterSizes = {
  jobs: 6,
  channels: 2,
  outageMs: 4000,
  gapMs: 150,
  beforeMs: 1500,
  afterMs: 4000,
  trials: 8,
  lanes: 2,
  holdMs: 3000,
};
export const FULL: ClusterSizes = {
  jobs: 30,
  channels: 3,
  outageMs: 8000,
  gapMs: 50,
  beforeMs: 3000,
  afterMs: 10_000,
  trials: 40,
  lanes: 3,
  holdMs: 8000,
};

/** One fault injected into the cluster, and when. */
export interface Fault {
  /** What was done, e.g. "SIGKILL of primary 7102 (slot 1234)". */
  label: string;
  /** A failover or a slot move: counted when allowing duplicate announcements. */
  counts: boolean;
  startAt: number;
  /** When the cluster served the slot again from its new place. */
  endAt: number;
  detail: string;
}

/** How one campaign injects its faults, given the cluster, the slot and the world. */
export interface FaultPlan {
  name: string;
  title: string;
  /** Runs the faults one after another, holding `hold()` between them; returns them. */
  run(ctx: FaultContext): Promise<Fault[]>;
}

export interface FaultContext {
  cluster: PrivateCluster;
  /** The full battery (more faults) or the short test. */
  full: boolean;
  /** The slot of the campaign's `{ns}` hash tag, where every ftops key lives. */
  slot: number;
  log: (line: string) => void;
  hold: () => Promise<void>;
  /** Called as each fault starts (the campaign's phase is "during" from then). */
  begin: () => void;
}

/** One approval trial: a pause request, a vote, the deciding approval. */
export interface Trial {
  jobId: string;
  startedAt: number;
  requestId?: string;
  /** Every click sent, with who clicked, when, and the answer. */
  clicks: Array<{ user: string; sentAt: number; text: string | undefined }>;
  /** The pause command's tries, and how each was answered. */
  asks: Array<{ sentAt: number; text: string | undefined }>;
  /** The vote the first approver was told was recorded. */
  voteAcked: boolean;
  /** The second approver was told "Approved.". */
  approvalAcked: boolean;
}

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { JOB_ACTIONS, type JobAction } from '../api/actions.ts';
import type { Keys } from './keys.ts';

/** The approval request as stored: its shape, its states, its IDs and the modal references. */

/** Actions that can be put behind the approval gate: the API's job actions, one list. */
export type GateAction = JobAction;

/** Where a request is in its life: pending → approved|denied|expired; approved → executed|failed. */
export type ApprovalState =
  | 'pending'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'executed'
  | 'failed'
  /** Closed by ftops: the job moved on and the action no longer makes sense. */
  | 'closed';
const STATES = [
  'pending',
  'approved',
  'denied',
  'expired',
  'executed',
  'failed',
  'closed',
] as const;

/** One approval request as stored. Times are epoch milliseconds. */
export interface ApprovalRequest {
  id: string;
  action: GateAction;
  jobId: string;
  requester: string;
  reason: string;
  /** The channel the request was asked in. */
  channel: string;
  /** Where the request message was posted, once it was. */
  approvalChannel?: string;
  messageTs?: string;
  jobStatusAtRequest: string;
  state: ApprovalState;
  /** Distinct approvers (never the requester) counted so far. */
  approvals: string[];
  /** Voters whose votes lapsed at decision time because they no longer held the role. */
  lapsed?: string[];
  approvalsRequired: number;
  createdAt: number;
  expiresAt: number;
  decidedBy?: string;
  decidedAt?: number;
  finishedAt?: number;
  outcome?: string;
  /** True once the requester has been told the outcome. */
  told?: boolean;
  /** The job's training numbers when it was asked (step, validation loss, trend), for approvers. */
  evidence?: string;
}

/** What `create` needs; the rest is filled in by the store. */
export interface NewApprovalRequest {
  action: GateAction;
  jobId: string;
  requester: string;
  reason: string;
  channel: string;
  jobStatusAtRequest: string;
  approvalsRequired: number;
  ttlMinutes: number;
  evidence?: string;
}

/** The answer of the atomic vote script. */
export type DecideResult =
  | { kind: 'recorded'; count: number }
  | { kind: 'duplicate'; count: number }
  | { kind: 'approved'; count: number }
  | { kind: 'denied' }
  | { kind: 'expired' }
  | { kind: 'is_requester' }
  | { kind: 'already_decided'; state: ApprovalState }
  | { kind: 'not_found' };

/** What a modal's `private_metadata` reference stands for. */
export interface ModalRef {
  action: GateAction;
  jobId: string;
  user: string;
  /** The channel the button was clicked in, where the request is asked. */
  channel: string;
}

/** What a deny modal's reference stands for: the request, the approver who opened it, where. */
export interface DenyRef {
  kind: 'deny';
  requestId: string;
  user: string;
  /** The channel of the request message, where the approver hears the result. */
  channel: string;
}

// 16 random bytes in base64url: 21 characters carrying 6 bits, and a 22nd carrying the last
// 2 bits followed by 4 zero bits, so it can only be A, Q, g or w.
const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** True for IDs `newApprovalId` can produce; anything else is refused before Redis is asked. */
export function isValidApprovalId(id: unknown): id is string {
  return typeof id === 'string' && APPROVAL_ID_PATTERN.test(id);
}

/** A fresh opaque ID with 128 random bits. */
export function newApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

export const StoredRequestSchema = z.object({
  id: z.string(),
  action: z.enum(JOB_ACTIONS),
  jobId: z.string(),
  requester: z.string(),
  reason: z.string().default(''),
  channel: z.string(),
  approvalChannel: z.string().optional(),
  messageTs: z.string().optional(),
  jobStatusAtRequest: z.string().default('unknown'),
  state: z.enum(STATES),
  approvalsRequired: z.coerce.number().int().min(1).default(1),
  createdAt: z.coerce.number(),
  expiresAt: z.coerce.number(),
  decidedBy: z.string().optional(),
  decidedAt: z.coerce.number().optional(),
  finishedAt: z.coerce.number().optional(),
  outcome: z.string().optional(),
  evidence: z.string().max(500).optional(),
  lapsed: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').filter(Boolean) : undefined)),
  /** Set once the requester has been told the outcome, so a recovery does not tell twice. */
  told: z
    .string()
    .optional()
    .transform((v) => (v === '1' ? true : undefined)),
});

export const ModalRefSchema = z.object({
  action: z.enum(JOB_ACTIONS),
  jobId: z.string(),
  user: z.string(),
  channel: z.string(),
});

export const DenyRefSchema = z.object({
  kind: z.literal('deny'),
  requestId: z.string(),
  user: z.string(),
  channel: z.string(),
});

export function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A new pending request from what was asked. */
export function newRequest(input: NewApprovalRequest, now: number): ApprovalRequest {
  return {
    id: newApprovalId(),
    action: input.action,
    jobId: input.jobId,
    requester: input.requester,
    reason: input.reason,
    channel: input.channel,
    jobStatusAtRequest: input.jobStatusAtRequest,
    state: 'pending',
    approvals: [],
    approvalsRequired: Math.max(1, Math.trunc(input.approvalsRequired)),
    createdAt: now,
    expiresAt: now + input.ttlMinutes * 60_000,
    ...(input.evidence ? { evidence: input.evidence.slice(0, 500) } : {}),
  };
}

/** The hash fields a new request is stored as (its votes live in a set of their own). */
export function storedFields(r: ApprovalRequest): Record<string, string | number> {
  return {
    id: r.id,
    action: r.action,
    jobId: r.jobId,
    requester: r.requester,
    reason: r.reason,
    channel: r.channel,
    jobStatusAtRequest: r.jobStatusAtRequest,
    state: r.state,
    approvalsRequired: r.approvalsRequired,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    ...(r.evidence ? { evidence: r.evidence } : {}),
  };
}

/** Options of the store; history is how long a decided request stays readable after expiry. */
export interface ApprovalStoreOptions {
  redis: Redis;
  keys: Keys;
  /** Kept this long past `expiresAt`, for `/ft audit` and late clicks; default 7 days. */
  historyMs?: number;
  /** Lifetime of a modal reference; default 15 minutes. */
  modalRefTtlSeconds?: number;
}

import { undoOf } from '../../api/actions.ts';
import type { ApprovalStore, GateAction } from '../../store/approvals.ts';
import type { AuditEntry, AuditEvent } from '../../store/audit.ts';
import { AuditLog } from '../../store/audit.ts';
import type { ApprovedHolds, Hold } from '../../store/holds.ts';
import { errorText } from '../../util/error-text.ts';
import { groupMention, joinMd, type Mrkdwn, userMention } from '../../views/mrkdwn.ts';
import type { ApprovalServiceDeps, GatePolicy } from './types.ts';

/** What every part of the gate works with: its dependencies and the approval store. */
export interface Gate {
  readonly d: ApprovalServiceDeps;
  readonly store: ApprovalStore;
  /** What approvers agreed to and is still in effect, per job. */
  readonly holds: ApprovedHolds;
}

/** The rules and approvers that hold for job `jobId`'s resource. */
export function policyOf(g: Gate, jobId: string): GatePolicy {
  return g.d.policyFor?.(jobId) ?? { config: g.d.config, roles: g.d.roles };
}

/** Whether `action` would undo the approved action `hold` records. */
export function undoesHold(action: GateAction, hold: Hold | null): boolean {
  return hold !== null && undoOf(hold.action) === action;
}

/**
 * After an action took effect: a config-gated one (approved, or an approver's own) holds
 * until it is undone; any other clears the hold it undoes. Best effort once the action is done:
 * a Redis error here must not turn success into an error.
 */
export async function afterEffect(
  g: Gate,
  action: GateAction,
  jobId: string,
  by: string,
  requestId?: string,
): Promise<void> {
  try {
    if (policyOf(g, jobId).config.gatedActions.includes(action) && undoOf(action)) {
      await g.holds.set(jobId, {
        action: action as Hold['action'],
        by,
        at: g.d.clock(),
        ...(requestId ? { requestId } : {}),
      });
    } else if (undoesHold(action, await g.holds.get(jobId))) {
      await g.holds.clear(jobId);
    }
  } catch {
    // The hold is a guard for later requests; failing to write it is logged by guardRedis.
  }
}

/** A logger for reading the audit trail, which logs nothing when it only reads. */
const silent = { info: () => undefined };

const SLACK_ID = /^[A-Z0-9]+$/;

/** The approvers as Slack mentions: the groups when there are any, else the users. */
export function mention(g: Gate, jobId: string): Mrkdwn {
  const { users, groups } = policyOf(g, jobId).config.approvers;
  const safeGroups = groups.filter((id) => SLACK_ID.test(id));
  if (safeGroups.length) return joinMd(safeGroups.map(groupMention), ' ');
  return joinMd(users.filter((u) => SLACK_ID.test(u)).map(userMention), ' ');
}

/** Audits; once the action has happened, a failing audit must not turn success into an error. */
export async function audit(
  g: Gate,
  entry: { event: AuditEvent; who: string } & Partial<Omit<AuditEntry, 'id' | 'at'>>,
): Promise<void> {
  try {
    await g.d.audit.append({ ...entry, at: g.d.clock() });
  } catch (err) {
    g.d.logger?.warn({ err: errorText(err), event: entry.event }, 'audit append failed');
  }
}

/** Whether the audit trail already holds this request's outcome (read only when recovering). */
export async function outcomeAudited(
  g: Gate,
  request: { id: string; jobId: string },
): Promise<boolean> {
  const reader = new AuditLog({ redis: g.d.redis, keys: g.d.keys, logger: silent });
  const entries = await reader.latest({ jobId: request.jobId, count: 200 }).catch(() => []);
  return entries.some(
    (e) => e.requestId === request.id && (e.event === 'executed' || e.event === 'failed'),
  );
}

/** Subscribes the asking channel to the job; a failure is logged, never the user's problem. */
export async function watch(g: Gate, channel: string, jobId: string): Promise<void> {
  try {
    await g.d.onWatch?.(channel, jobId);
  } catch (err) {
    g.d.logger?.warn({ err: errorText(err), channel, jobId }, 'could not watch the job');
  }
}

import { isJobAction, undoOf } from '../api/actions.ts';
import { escapeInline, type Mrkdwn, md } from './mrkdwn.ts';

/**
 * The rule that an action undoing an approved one is gated too, in one sentence for help,
 * whoami and the README's wording: only when some gated action has an ungated undo.
 */
export function undoRuleText(gatedActions: readonly string[], isApprover: boolean): Mrkdwn | null {
  const pairs = gatedActions.filter(isJobAction).flatMap((a) => {
    const undo = undoOf(a);
    return undo && !gatedActions.includes(undo) ? [[a, undo] as const] : [];
  });
  const first = pairs[0];
  if (!first) return null;
  const done = escapeInline(first[0]);
  const undo = escapeInline(first[1]);
  return isApprover
    ? md`As an approver you may ${undo} a job that approvers agreed to ${done} directly; for anyone else that ${undo} asks an approver first.`
    : md`A ${undo} that undoes a ${done} approvers agreed to asks an approver first, like the ${done} did.`;
}

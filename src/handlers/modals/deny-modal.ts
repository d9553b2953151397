import type { App } from '@slack/bolt';
import { DENY_MODAL } from '../../views/action-ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { registerReferencedModal } from './submission.ts';

/**
 * The deny modal's submit: the reference names the request and the approver who opened it;
 * the Deny is then counted like a click, with the role and the request checked again.
 */
export function registerDenyModal(app: App, deps: HandlerDeps): void {
  registerReferencedModal(app, deps, {
    callbackId: DENY_MODAL,
    name: 'deny modal',
    resolve: (ref, user) => deps.approvals.resolveDenyRef(ref, user),
    act: (ref, caller, reason) =>
      deps.approvals.click({
        requestId: ref.requestId,
        clicker: caller.userId,
        vote: 'deny',
        reason,
      }),
  });
}

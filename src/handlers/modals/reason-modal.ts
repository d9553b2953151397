import type { App } from '@slack/bolt';
import { REASON_MODAL } from '../../views/action-ids.ts';
import type { HandlerDeps } from '../deps.ts';
import { registerReferencedModal } from './submission.ts';

/**
 * The reason modal's submit. Its `private_metadata` is an opaque reference; what it stands
 * for (action, job, channel) is read back from Redis and must belong to the submitting user.
 */
export function registerReasonModal(app: App, deps: HandlerDeps): void {
  registerReferencedModal(app, deps, {
    callbackId: REASON_MODAL,
    name: 'reason modal',
    resolve: (ref, user) => deps.approvals.resolveModalRef(ref, user),
    act: (ref, user, reason) =>
      deps.approvals.request({
        action: ref.action,
        jobId: ref.jobId,
        requester: user,
        channel: ref.channel,
        reason,
      }),
  });
}

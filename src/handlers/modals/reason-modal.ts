import type { App } from '@slack/bolt';
import { REASON_MODAL } from '../../views/action-ids.ts';
import { admitJob } from '../access.ts';
import type { HandlerDeps } from '../deps.ts';
import { registerReferencedModal } from './submission.ts';

/**
 * The reason modal's submit. Its `private_metadata` is an opaque reference; what it stands
 * for (action, job, channel) is read back from Redis and must belong to the submitting user,
 * and the channel's rules must still let them run the action on the job's resource.
 */
export function registerReasonModal(app: App, deps: HandlerDeps): void {
  registerReferencedModal(app, deps, {
    callbackId: REASON_MODAL,
    name: 'reason modal',
    resolve: (ref, user) => deps.approvals.resolveModalRef(ref, user),
    // The rules are asked again: they may have been reloaded while the modal was open.
    act: async (ref, caller, reason) =>
      deps.approvals.request({
        action: ref.action,
        jobId: await admitJob(deps, caller, ref.action, ref.jobId),
        requester: caller.userId,
        channel: ref.channel,
        reason,
      }),
  });
}

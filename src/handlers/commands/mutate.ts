import type { MessageView } from '../../views/types.ts';
import type { Caller, HandlerDeps } from '../deps.ts';

/**
 * `/ft pause|resume|cancel <job> [reason] [--dry-run]`: every mutation goes through the
 * approval gate, which decides whether it runs now, needs approvers, or is refused.
 */
export async function mutateJob(
  deps: HandlerDeps,
  caller: Caller,
  cmd: {
    verb: 'pause' | 'resume' | 'cancel';
    jobId: string;
    reason: string | null;
    dryRun: boolean;
  },
): Promise<MessageView> {
  const result = await deps.approvals.request({
    action: cmd.verb,
    jobId: cmd.jobId,
    requester: caller.userId,
    channel: caller.channelId,
    dryRun: cmd.dryRun,
    ...(cmd.reason ? { reason: cmd.reason } : {}),
  });
  return {
    text: result.ephemeral.text,
    blocks: (result.ephemeral.blocks ?? []) as MessageView['blocks'],
  };
}

/**
 * The one place Redis key names are built. Every key of ours and every BullMQ key shares the
 * prefix `{ns}`: the braces make it a Redis Cluster hash tag, so all keys land in one slot
 * and the Lua scripts and MULTI blocks that touch several keys work on Cluster and managed
 * Redis too. Tests and the sandbox pass their own namespace so they never touch real data.
 */
export const DEFAULT_NAMESPACE = 'ftops';

export function createKeys(namespace: string = DEFAULT_NAMESPACE) {
  const prefix = `{${namespace}}`;
  return {
    /** The BullMQ `prefix` option; BullMQ adds `:queue:…` itself. */
    bullPrefix: prefix,
    approval: (id: string) => `${prefix}:approval:${id}`,
    approvalVotes: (id: string) => `${prefix}:approval:${id}:votes`,
    approvalsPending: () => `${prefix}:approvals:pending`,
    /**
     * Approved requests not finished yet (not executed or failed, or not yet told), scored by
     * when work on them last began; the recovery sweep reads it.
     */
    approvalsApproved: () => `${prefix}:approvals:approved`,
    /** Decisions (requests, votes, approvals, denials, executions, expiries), newest last. */
    audit: () => `${prefix}:audit`,
    /** The same decisions about one job, for `/ft audit <job>`. */
    auditJob: (jobId: string) => `${prefix}:audit:job:${jobId}`,
    /** Refused clicks and commands, capped and kept apart so they never push decisions out. */
    auditRefusals: () => `${prefix}:audit:refusals`,
    /** Names the refusal entry that later refusals of one user on one subject fold into. */
    auditRefusalWindow: (subject: string, who: string) =>
      `${prefix}:audit:refused:${subject}:${who}`,
    /** How many refusals folded into the refusal entry that claimed `token`. */
    auditRefusalRepeats: (token: string) => `${prefix}:audit:refusal:${token}:repeats`,
    replay: (signature: string) => `${prefix}:replay:${signature}`,
    /** One Slack delivery (a trigger or an event), claimed by the first copy that arrives. */
    delivery: (id: string) => `${prefix}:replay:delivery:${id}`,
    /** One webhook delivery (its `webhook-id`), claimed by the first copy that arrives. */
    webhook: (id: string) => `${prefix}:webhook:${id}`,
    subscriptions: (channel: string) => `${prefix}:subs:channel:${channel}`,
    jobWatchers: (jobId: string) => `${prefix}:subs:job:${jobId}`,
    watchAllChannels: () => `${prefix}:subs:all`,
    watchedJobs: () => `${prefix}:watched`,
    lastStatus: (jobId: string) => `${prefix}:status:${jobId}`,
    card: (jobId: string, channel: string) => `${prefix}:card:${jobId}:${channel}`,
    actor: (jobId: string) => `${prefix}:actor:${jobId}`,
    /** Known unfinished jobs the poller may read, scored by `created_at` (Unix s). */
    trackedJobs: () => `${prefix}:poll:tracked`,
    /** Status transitions recorded but not yet handed to the notify queue. */
    transitionOutbox: () => `${prefix}:poll:outbox`,
    /** Held while one worker posts or updates a job's card in a channel. */
    cardLock: (jobId: string, channel: string) => `${prefix}:card:${jobId}:${channel}:lock`,
    /** When the next Slack message may go to `channel` (ms since epoch). */
    channelPace: (channel: string) => `${prefix}:pace:${channel}`,
    groupMembers: (groupId: string) => `${prefix}:usergroup:${groupId}`,
    modalRef: (id: string) => `${prefix}:modal:${id}`,
    /** Set while a resource's sweeps read nothing: its channels were told it is down. */
    resourceDown: (resource: string) => `${prefix}:resource:${resource}:down`,
    /**
     * A job's training series (a hash: the bounded points, checkpoints and pauses, the cursor
     * of the newest event read, the result file once read, a version for compare-and-set).
     */
    series: (jobKey: string) => `${prefix}:series:${jobKey}`,
    /** The gated action approvers last agreed to on a job (a pause), until it is undone. */
    approvedHold: (jobId: string) => `${prefix}:hold:${jobId}`,
  };
}
export type Keys = ReturnType<typeof createKeys>;

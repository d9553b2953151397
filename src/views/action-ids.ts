/**
 * The action_id, callback_id and block_id constants that views put on interactive elements
 * and handlers register for. They name a kind of action only: which job or request a click
 * is about travels in the element's `value`, and who may do it is decided on the server.
 */

/** Pause button on a running job; value = job ID. */
export const PAUSE_JOB = 'ftops.job.pause';
/** Resume button on a paused job; value = job ID. */
export const RESUME_JOB = 'ftops.job.resume';
/** Cancel button, shown only when a caller asks for it; value = job ID. */
export const CANCEL_JOB = 'ftops.job.cancel';
/** Refresh a job card; value = job ID. */
export const REFRESH_JOB = 'ftops.job.refresh';
/** Posts the job's training chart (into the card's thread when the card is a channel message). */
export const CHART_JOB = 'ftops.job.chart';
/** Watch a job from this channel; value = job ID. */
export const WATCH_JOB = 'ftops.job.watch';
/** Stop watching a job from this channel; value = job ID. */
export const UNWATCH_JOB = 'ftops.job.unwatch';

/** Approve button on an approval request; value = request ID. */
export const APPROVE_REQUEST = 'ftops.approval.approve';
/** Deny button on an approval request; value = request ID. */
export const DENY_REQUEST = 'ftops.approval.deny';

/** callback_id of the modal that asks for a reason before a pause/resume/cancel. */
export const REASON_MODAL = 'ftops.reason_modal';
/** block_id of the reason input in that modal. */
export const REASON_BLOCK = 'ftops.reason';
/** action_id of the reason input in that modal. */
export const REASON_INPUT = 'ftops.reason.input';
/** callback_id of the modal a Deny opens, asking the approver why (optionally). */
export const DENY_MODAL = 'ftops.deny_modal';

/** "Older entries" button under `/ft audit`; value = `<job ID or empty>|<stream ID of the last entry shown>`. */
export const AUDIT_OLDER = 'ftops.audit.older';

/**
 * "Which resource?" buttons when a bare job ID is on several; value = JSON
 * `{"t": <the command text>, "r": <resource name>}`. The command runs again from the top
 * for the clicker, with the bare ID taken to mean that resource's job.
 */
export const PICK_RESOURCE = 'ftops.job.pick_resource';

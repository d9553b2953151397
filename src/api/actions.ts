import { isTerminal } from './schemas.ts';

/**
 * The three job actions the fine-tuning API offers (`POST /fine_tuning/jobs/{id}/<action>`).
 * This is the one list: the `/ft` vocabulary's mutating verbs and the gate's actions are it.
 */
export const JOB_ACTIONS = ['pause', 'resume', 'cancel'] as const;

/** One of {@link JOB_ACTIONS}. */
export type JobAction = (typeof JOB_ACTIONS)[number];

/** Whether `word` names a job action. */
export function isJobAction(word: string): word is JobAction {
  return (JOB_ACTIONS as readonly string[]).includes(word);
}

const PAST_TENSE: Record<JobAction, string> = {
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
};

/** The past participle of an action ("paused"), for messages. */
export function pastTense(action: JobAction): string {
  return PAST_TENSE[action];
}

const UNDO: Partial<Record<JobAction, JobAction>> = { pause: 'resume', resume: 'pause' };

/** The action that undoes `action` (resume for pause, pause for resume); none for cancel. */
export function undoOf(action: JobAction): JobAction | undefined {
  return UNDO[action];
}

/**
 * Whether a job in `status` already shows the action's effect, so there is nothing left to
 * send. `queued` counts as resumed: a resumed job may be queued again before it runs (the
 * emulator's `queued` resume mode), and a retry that finds it there must not report failure.
 */
export function alreadyDone(action: JobAction, status: string): boolean {
  if (action === 'pause') return status === 'paused' || status === 'pausing';
  if (action === 'resume')
    return status === 'running' || status === 'resuming' || status === 'queued';
  return status === 'cancelled';
}

/**
 * Whether `action` applies to a job in `status` at all: pause only a running job, resume only
 * a paused one, cancel any job that has not finished.
 */
export function actionApplies(action: JobAction, status: string): boolean {
  if (action === 'pause') return status === 'running';
  if (action === 'resume') return status === 'paused';
  return !isTerminal(status);
}

import type { FineTuningJob } from '../api/schemas.ts';
import { REASON_MAX } from '../vocabulary/index.ts';
import { REASON_BLOCK, REASON_INPUT, REASON_MODAL } from './action-ids.ts';
import { contextBlock, fieldsBlock } from './blocks.ts';
import { jobFields } from './job-card.ts';
import { fitPlain, LIMITS } from './limits.ts';
import { code, md, plainText } from './mrkdwn.ts';
import type { KnownBlock, ModalView } from './types.ts';

/** What the reason modal needs. */
export interface ReasonModalInput {
  /**
   * An opaque reference to what the modal is about, stored server-side (e.g. a Redis key
   * suffix); it is the whole `private_metadata`, so nothing in the modal grants anything.
   */
  ref: string;
  action: 'pause' | 'resume' | 'cancel';
  job: FineTuningJob;
  /** The action needs an approver's consent: the submit button says it will ask. */
  needsApproval?: boolean;
  /** Require a reason (default: required for pause and cancel). */
  reasonRequired?: boolean;
  now: number;
}

const TITLES = { pause: 'Pause a job', resume: 'Resume a job', cancel: 'Cancel a job' } as const;
const SUBMITS = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel job' } as const;

/** The `views.open` modal that asks why before a pause, resume or cancel. */
export function reasonModal(input: ReasonModalInput): ModalView {
  const required = input.reasonRequired ?? input.action !== 'resume';
  const blocks: KnownBlock[] = [
    fieldsBlock([md`*Job*\n${code(input.job.id)}`, ...jobFields(input.job, input.now)]),
  ];
  if (input.needsApproval) {
    blocks.push(contextBlock(md`This action needs an approver: submitting sends them a request.`));
  }
  blocks.push({
    type: 'input',
    block_id: REASON_BLOCK,
    optional: !required,
    label: { type: 'plain_text', text: 'Reason' },
    hint: { type: 'plain_text', text: 'Kept in the audit log and shown to approvers.' },
    element: {
      type: 'plain_text_input',
      action_id: REASON_INPUT,
      multiline: true,
      max_length: REASON_MAX,
      placeholder: { type: 'plain_text', text: plainText('e.g. out of GPU budget until Monday') },
    },
  });
  return {
    type: 'modal',
    callback_id: REASON_MODAL,
    private_metadata: input.ref,
    title: { type: 'plain_text', text: fitPlain(TITLES[input.action], LIMITS.modalTitle) },
    submit: {
      type: 'plain_text',
      text: fitPlain(
        input.needsApproval ? 'Ask approvers' : SUBMITS[input.action],
        LIMITS.modalButton,
      ),
    },
    close: { type: 'plain_text', text: 'Back' },
    blocks,
  };
}

import { REASON_MAX } from '../vocabulary/index.ts';
import { DENY_MODAL, REASON_BLOCK, REASON_INPUT } from './action-ids.ts';
import { sectionBlock } from './blocks.ts';
import { code, escapeInline, md, plainText, userMention } from './mrkdwn.ts';
import type { ModalView } from './types.ts';

/** What the deny modal needs. */
export interface DenyModalInput {
  /** Opaque server-side reference to the request: the whole `private_metadata`. */
  ref: string;
  request: { action: string; jobId: string; requester: string };
}

/**
 * The modal a Deny click opens: the approver may say why, and the requester hears it. The
 * reason is optional: a quick "no" must stay one click and a submit away.
 */
export function denyModal(input: DenyModalInput): ModalView {
  const { action, jobId, requester } = input.request;
  return {
    type: 'modal',
    callback_id: DENY_MODAL,
    private_metadata: input.ref,
    title: { type: 'plain_text', text: 'Deny a request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      sectionBlock(
        md`Deny ${userMention(requester)}'s request to *${escapeInline(action)}* ${code(jobId)}? Nothing will be changed on the job.`,
      ),
      {
        type: 'input',
        block_id: REASON_BLOCK,
        optional: true,
        label: { type: 'plain_text', text: 'Reason' },
        hint: {
          type: 'plain_text',
          text: 'Told to the requester and kept in the audit log.',
        },
        element: {
          type: 'plain_text_input',
          action_id: REASON_INPUT,
          multiline: true,
          max_length: REASON_MAX,
          placeholder: {
            type: 'plain_text',
            text: plainText('e.g. the eval run needs it until 18:00'),
          },
        },
      },
    ],
  };
}

// A reason-modal submission with its private_metadata or response_url rewritten, built from a
// modal the bot really opened for the submitting user.
import { viewSubmissionBody, viewSubmissionPayload } from '../../../src/emulators/slack-signing.ts';
import { REASON_BLOCK, REASON_INPUT, REASON_MODAL } from '../../../src/views/action-ids.ts';
import { TRAINING } from '../../lib/world.ts';
import { foreignOrElsewhere } from './foreign.ts';
import type { Counters, Kind, Own } from './plan.ts';
import type { Setup } from './setup.ts';

/** One tampered request, ready to sign, and what its own state is. */
export interface Rewritten {
  variant: string;
  own: Own;
  body: string;
  /** The response_url the click carried (clicks only). */
  expectAnswerAt: string | undefined;
}

/** A modal submission by `user`. */
export function rewriteSubmission(
  s: Setup,
  kind: Kind,
  user: string,
  index: number,
  counters: Counters,
): Rewritten {
  const { choose, fakeId } = s.draws;
  const { refs, usedRefs, requests, jobs } = s;
  let variant = '';
  const mine = refs.filter((r) => r.user === user);
  let metadata: string;
  let responseUrls: Array<{ response_url: string }> = [];
  if (kind === 'metadata') {
    const others = refs.filter((r) => r.user !== user);
    const options: Array<[string, () => string]> = [
      ['another user’s open modal', () => choose(others).id],
      ['another user’s open modal', () => choose(others).id],
      ['own other modal (names another job)', () => choose(mine).id],
      ['used reference', () => (usedRefs.length > 0 ? choose(usedRefs) : fakeId())],
      ['unknown reference', () => fakeId()],
      ['approval request ID', () => choose(requests).id],
      ['job ID', () => choose(jobs)],
      [
        'forged JSON naming a job',
        () => JSON.stringify({ action: 'cancel', jobId: choose(jobs), user, channel: TRAINING }),
      ],
      ['garbage', () => choose(['', ' ', '../../modal', 'x'.repeat(3000), '{"']) as string],
    ];
    const [label, make] = choose(options);
    variant = label;
    metadata = make();
  } else {
    const own = choose(mine);
    metadata = own.id;
    const [label, url] = choose(foreignOrElsewhere(s, user));
    variant = `modal: ${label}`;
    responseUrls = [{ response_url: url }];
    if (label.startsWith('foreign')) counters.foreignClicks++;
  }
  const own: Own = { type: 'modal', ref: metadata };
  const payload = viewSubmissionPayload({
    user,
    callbackId: REASON_MODAL,
    privateMetadata: metadata,
    values: {
      [REASON_BLOCK]: {
        [REASON_INPUT]: { type: 'plain_text_input', value: `tampered ${index}` },
      },
    },
  });
  payload.response_urls = responseUrls;
  const body = viewSubmissionBody(payload);
  return { variant, own, body, expectAnswerAt: undefined };
}

// A button click with its value, block_id, message or response_url rewritten, built from a
// genuine approval request or job card the clicking user was shown.
import { blockActionsBody, blockActionsPayload } from '../../../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST, DENY_REQUEST } from '../../../src/views/action-ids.ts';
import { pick } from '../../lib/campaign.ts';
import { APPROVALS, TRAINING } from '../../lib/world.ts';
import { foreignOrElsewhere } from './foreign.ts';
import type { Button, Counters, Kind, Own } from './plan.ts';
import type { Rewritten } from './rewrite-submission.ts';
import type { Setup } from './setup.ts';

/** A button click by `user`: on an approval request, or on one of the user's job cards. */
export async function rewriteClick(
  s: Setup,
  kind: Kind,
  user: string,
  counters: Counters,
): Promise<Rewritten> {
  const { random, choose, hex, fakeId } = s.draws;
  const { world, requests, cards, jobs } = s;
  const slack = world.slack;
  let variant = '';
  let responseUrl: string | undefined;
  const onRequest = random() < 0.5;
  let button: Button;
  let messageTs: string;
  let channel: string;
  let ephemeral: boolean;
  if (onRequest) {
    const pendingIds = new Set(await world.redis.zrange(world.keys.approvalsPending(), 0, -1));
    const pool = requests.filter((r) => pendingIds.has(r.id));
    const req = random() < 0.8 && pool.length > 0 ? choose(pool) : choose(requests);
    button = choose(req.buttons.filter((b) => random() < 0.25 || b.actionId === APPROVE_REQUEST));
    messageTs = req.ts;
    channel = APPROVALS;
    ephemeral = false;
  } else {
    const card = choose(cards.filter((c) => c.user === user));
    button = choose(card.buttons);
    messageTs = card.ts;
    channel = TRAINING;
    ephemeral = true;
  }
  const genuineUrl = slack.responseUrl(channel, user, messageTs);
  const payload = blockActionsPayload({
    user,
    channel,
    actionId: button.actionId,
    value: button.value,
    blockId: button.blockId,
    responseUrl: genuineUrl,
    message: ephemeral
      ? { ts: messageTs, ephemeral: true }
      : {
          ts: messageTs,
          text: requests.find((r) => r.ts === messageTs)?.text ?? '',
          blocks: requests.find((r) => r.ts === messageTs)?.blocks ?? [],
        },
  });
  const action = (payload.actions as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  responseUrl = genuineUrl;
  if (kind === 'value') {
    const options: Array<[string, () => string]> = onRequest
      ? [
          ['another request', () => choose(requests).id],
          ['another request', () => choose(requests).id],
          [
            'a request of the clicker’s own',
            () => (requests.find((r) => r.requester === user) ?? choose(requests)).id,
          ],
          ['unknown request ID', () => fakeId()],
          ['a job ID', () => choose(jobs)],
          [
            'garbage',
            () => choose(['', '../../x', 'x'.repeat(2000), `${button.value}x`, '{"id":1}']),
          ],
        ]
      : [
          ['another job', () => choose(jobs)],
          ['another job', () => choose(jobs)],
          ['unknown job', () => `ftjob-tamper${hex(12)}`],
          ['a request ID', () => choose(requests).id],
          [
            'garbage',
            () => choose(['', '../../admin', 'ftjob-abc/../../files', `ftjob-${'a'.repeat(400)}`]),
          ],
        ];
    const [label, make] = choose(options);
    variant = label;
    action.value = make();
  } else if (kind === 'block_id') {
    const other = choose(requests);
    const otherCard = choose(cards);
    const options: Array<[string, () => string]> = [
      ['another request’s block', () => other.buttons[0]?.blockId ?? other.id],
      ['another card’s block', () => otherCard.buttons[0]?.blockId ?? otherCard.jobId],
      ['a request ID', () => other.id],
      ['a job ID', () => choose(jobs)],
      ['key-like', () => `approval:${other.id}`],
      ['garbage', () => choose(['', 'x'.repeat(255), '../..', '{"jobId":"x"}'])],
    ];
    const [label, make] = choose(options);
    variant = label;
    action.block_id = make();
  } else if (kind === 'message') {
    const other = choose(requests);
    const otherCard = choose(cards);
    const options: Array<[string, () => Record<string, unknown>]> = [
      [
        'another request’s message',
        () => ({ ts: other.ts, text: other.text, blocks: other.blocks }),
      ],
      [
        'another job’s card',
        () => ({ ts: otherCard.ts, text: otherCard.text, blocks: otherCard.blocks }),
      ],
      [
        'forged blocks naming other targets',
        () => ({
          ts: `${1_700_000_000 + pick(random, 1e6)}.000${pick(random, 900) + 100}`,
          text: `${other.jobId} ${other.id}`,
          blocks: [
            {
              type: 'actions',
              block_id: other.id,
              elements: [
                {
                  type: 'button',
                  action_id: button.actionId,
                  value: onRequest ? other.id : otherCard.jobId,
                  text: { type: 'plain_text', text: 'x' },
                },
              ],
            },
          ],
        }),
      ],
    ];
    const [label, make] = choose(options);
    variant = label;
    const message = make();
    payload.message = {
      type: 'message',
      user: 'U0FTBOT',
      ...message,
    };
    payload.container = {
      type: 'message',
      message_ts: message.ts,
      channel_id: channel,
      is_ephemeral: false,
    };
  } else {
    const options = [...foreignOrElsewhere(s, user)];
    const [label, url] = choose(options);
    variant = label;
    payload.response_url = url;
    responseUrl = url;
    if (label.startsWith('foreign')) counters.foreignClicks++;
  }
  const value = String(action.value ?? '');
  const own: Own =
    button.actionId === APPROVE_REQUEST || button.actionId === DENY_REQUEST
      ? { type: 'request', id: value }
      : { type: 'job', jobId: value, actionId: button.actionId };
  const body = blockActionsBody(payload);
  return { variant, own, body, expectAnswerAt: responseUrl };
}

// The pending approval request across the outage: finding its message, clicking Approve on it,
// reading the click's answer, and counting the pauses it caused.
import { buttonsOf } from '../../../src/emulators/slack/inspect.ts';
import { blockActionsBody, blockActionsPayload } from '../../../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST } from '../../../src/views/action-ids.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { waitUntil } from '../../lib/campaign.ts';
import type { Answer, World } from '../../lib/world.ts';
import { ackText, bodyText } from './answers.ts';
import { withTimeout } from './send.ts';

export interface ApprovalRequest {
  channel: string;
  ts: string;
  requestId: string;
  blockId: string;
}

/** The posted request message for `jobId` with its Approve button. */
export async function findApprovalRequest(
  w: World,
  jobId: string,
): Promise<ApprovalRequest | undefined> {
  let found: ApprovalRequest | undefined;
  await waitUntil(() => {
    for (const [channel, messages] of w.slack.messages) {
      for (const m of messages) {
        if (m.ephemeral || m.thread_ts || !m.text.includes(jobId)) continue;
        const button = buttonsOf(m.blocks).find((b) => b.actionId === APPROVE_REQUEST);
        if (button) {
          found = { channel, ts: m.ts, requestId: button.value, blockId: button.blockId };
          return true;
        }
      }
    }
    return false;
  }, 5000);
  return found;
}

export interface Click {
  ack: Answer;
  responseUrl: string;
}

export async function click(
  w: World,
  bot: BotProcess,
  req: ApprovalRequest,
  user: string,
): Promise<Click> {
  const responseUrl = w.slack.responseUrl(req.channel, user, req.ts);
  const body = blockActionsBody(
    blockActionsPayload({
      user,
      channel: req.channel,
      actionId: APPROVE_REQUEST,
      value: req.requestId,
      blockId: req.blockId,
      responseUrl,
      message: { ts: req.ts },
    }),
  );
  const ack = (await withTimeout(w.signed(bot, body), 10_000)) ?? {
    status: 0,
    body: '',
    ms: 10_000,
  };
  return { ack, responseUrl };
}

export function clickText(w: World, c: Click): string | undefined {
  const fromAck = ackText(c.ack.body);
  if (fromAck) return fromAck;
  const posted = w.slack.responses.find((r) => r.url === c.responseUrl);
  return posted ? bodyText(posted.body) : undefined;
}

export function answeredClick(w: World, c: Click): Promise<boolean> {
  return waitUntil(() => clickText(w, c) !== undefined, 8000);
}

export function pauseCalls(w: World, jobId: string): number {
  return w.ft.requests.filter(
    (r) => r.method === 'POST' && r.path === `/fine_tuning/jobs/${jobId}/pause`,
  ).length;
}

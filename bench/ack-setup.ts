/**
 * The Slack side of the ack bench (ack.ts): the signed requests it fires, the pending request
 * its Approve clicks land on, and the wait for the answers at the response_urls.
 */
import type { startSlackEmulator } from '../src/emulators/slack/index.ts';
import { buttonsOf } from '../src/emulators/slack/inspect.ts';
import {
  blockActionsBody,
  blockActionsPayload,
  newTriggerId,
  signRequest,
  slashCommandBody,
} from '../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST } from '../src/views/action-ids.ts';
import type { SignedRequest } from './load.ts';

export const SIGNING_SECRET = 'bench-signing-secret-0123456789';
export const CHANNEL = 'C0TRAINING';
export const USER = 'U0REQUEST';
export const APPROVER = 'U0APPROVE';

export type Workload = 'help' | 'status' | 'approve';

type SlackEmulator = Awaited<ReturnType<typeof startSlackEmulator>>;

/**
 * Builds signed requests of a workload, each with its own trigger_id and response_url (hence
 * its own signature); `mixed` alternates help and status, the load of the slow-API table.
 * One counter across calls, so `/ft status` walks through `jobs` over the whole bench.
 */
export function signedRequests(
  slack: SlackEmulator,
  requestId: { id: string; ts: string },
  jobs: readonly string[],
): (load: Workload | 'mixed', n: number) => Array<SignedRequest & { responseUrl: string }> {
  let serial = 0;
  return (load, n) =>
    Array.from({ length: n }, (_, k) => {
      const i = serial++;
      const w: Workload = load === 'mixed' ? (k % 2 === 0 ? 'help' : 'status') : load;
      if (w === 'approve') {
        const responseUrl = slack.responseUrl(CHANNEL, APPROVER);
        const body = blockActionsBody(
          blockActionsPayload({
            user: APPROVER,
            channel: CHANNEL,
            actionId: APPROVE_REQUEST,
            value: requestId.id,
            blockId: 'ftops.approval',
            responseUrl,
            message: { ts: requestId.ts },
          }),
        );
        return { body, headers: { ...signRequest(SIGNING_SECRET, body) }, responseUrl };
      }
      const responseUrl = slack.responseUrl(CHANNEL, USER);
      const body = slashCommandBody({
        text: w === 'help' ? 'help' : `status ${jobs[i % jobs.length]}`,
        user_id: USER,
        channel_id: CHANNEL,
        response_url: responseUrl,
        trigger_id: newTriggerId(),
      });
      return { body, headers: { ...signRequest(SIGNING_SECRET, body) }, responseUrl };
    });
}

/** Waits until every response URL in `index` got an answer (or the time is up); url → when. */
export async function answersFor(
  slack: SlackEmulator,
  index: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let from = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (; from < slack.responses.length; from++) {
      const r = slack.responses[from];
      if (r && index.has(r.url) && !seen.has(r.url)) seen.set(r.url, r.at);
    }
    if (seen.size >= index.size || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Asks to pause `job` through the app and votes once as the approver; the pending request. */
export async function pendingRequest(
  url: string,
  slack: SlackEmulator,
  job: string,
): Promise<{ id: string; ts: string }> {
  const send = async (body: string) => {
    const res = await fetch(`${url}/slack/events`, {
      method: 'POST',
      body,
      headers: { ...signRequest(SIGNING_SECRET, body) },
    });
    await res.text();
  };
  await send(
    slashCommandBody({
      text: `pause ${job} bench`,
      user_id: USER,
      channel_id: CHANNEL,
      response_url: slack.responseUrl(CHANNEL, USER),
      trigger_id: newTriggerId(),
    }),
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const message = (slack.messages.get(CHANNEL) ?? []).find(
      (m) => !m.ephemeral && m.text.includes(job) && m.blocks,
    );
    const approve = message
      ? buttonsOf(message.blocks).find((b) => b.actionId === APPROVE_REQUEST)
      : undefined;
    if (message && approve?.value) {
      const responseUrl = slack.responseUrl(CHANNEL, APPROVER);
      await send(
        blockActionsBody(
          blockActionsPayload({
            user: APPROVER,
            channel: CHANNEL,
            actionId: APPROVE_REQUEST,
            value: approve.value,
            blockId: 'ftops.approval',
            responseUrl,
            message: { ts: message.ts },
          }),
        ),
      );
      return { id: approve.value, ts: message.ts };
    }
    if (Date.now() > deadline) throw new Error('the approval request was never posted');
    await new Promise((r) => setTimeout(r, 20));
  }
}

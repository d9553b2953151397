import { signRequest } from '../../../src/emulators/slack-signing.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { waitUntil } from '../../lib/campaign.ts';
import type { World } from '../../lib/world.ts';
import type { ValidUnit } from './plan.ts';

/** Answers per response_url, counted as they arrive (sequential replays wait for theirs). */
export function countAnswers(world: World): Map<string, number> {
  const answers = new Map<string, number>();
  world.slack.events.on('response', (r: { url: string }) => {
    answers.set(r.url, (answers.get(r.url) ?? 0) + 1);
  });
  return answers;
}
/** Sends a valid request (with its concurrent replays, if it has any). */
export async function sendValid(world: World, bot: BotProcess, secret: string, u: ValidUnit) {
  const headers: Record<string, string> = { ...signRequest(secret, u.body) };
  u.headers = headers;
  const copies = u.mode === 'concurrent' ? 1 + u.copies : 1;
  const sending = Promise.all(
    Array.from({ length: copies }, () => send(world, bot, u.body, headers)),
  ).then((acks) => {
    for (const a of acks) u.statuses.push(a.status);
  });
  u.sent = sending;
  await sending;
}

/** Re-sends a valid request byte for byte, once its answer has arrived. */
export async function replayAfterAnswer(
  world: World,
  bot: BotProcess,
  u: ValidUnit,
  answers: Map<string, number>,
) {
  await u.sent;
  const answered = await waitUntil(() => (answers.get(u.url) ?? 0) >= 1, 30_000, 20);
  if (answered) u.afterAnswer++;
  const ack = await send(world, bot, u.body, u.headers ?? {});
  u.statuses.push(ack.status);
}

/** POSTs a request; a connection the bot dropped or refused counts as status 0, not a crash. */
export async function send(
  world: World,
  bot: BotProcess,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number }> {
  try {
    return await world.post(bot, body, headers);
  } catch {
    return { status: 0 };
  }
}

/** Waits until nothing new reaches either emulator for half a second (at most 10 s). */
export async function quiet(world: World): Promise<void> {
  const size = () =>
    `${world.ft.requests.length}/${world.slack.calls.length}/${world.slack.responses.length}`;
  let last = size();
  let since = Date.now();
  await waitUntil(
    () => {
      const now = size();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= 500;
    },
    10_000,
    50,
  );
}

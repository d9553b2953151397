// Requests to the bot: signed `/ft` commands, each recorded with the phase of the outage it was
// sent and acked in, and /readyz; none waits longer than its timeout.
import { slashCommandBody } from '../../../src/emulators/slack-signing.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { REQUESTER, type World } from '../../lib/world.ts';
import type { Phase, Sent } from './plan.ts';

/** Sends one signed `/ft …` and keeps track of it; never waits more than 10 s. */
export function commander(
  w: World,
  bot: BotProcess,
  phaseNow: () => Phase,
): (text: string, channel: string, jobId: string) => Promise<Sent> {
  return async (text: string, channel: string, jobId: string): Promise<Sent> => {
    const responseUrl = w.slack.responseUrl(channel, REQUESTER);
    const body = slashCommandBody({
      text,
      user_id: REQUESTER,
      channel_id: channel,
      response_url: responseUrl,
    });
    const sent: Sent = { jobId, responseUrl, sentAt: Date.now(), phaseAtSend: phaseNow() };
    try {
      const ack = await withTimeout(w.signed(bot, body), 10_000);
      if (ack) {
        sent.ack = ack;
        sent.ackAt = Date.now();
        sent.phaseAtAck = phaseNow();
      } else sent.failed = 'no ack within 10 s';
    } catch (err) {
      sent.failed = err instanceof Error ? err.message : String(err);
    }
    return sent;
  };
}

export async function readyz(bot: BotProcess): Promise<{ status: number; redisOk: boolean }> {
  try {
    const res = await fetch(`${bot.url}/readyz`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json().catch(() => ({}))) as { checks?: { redis?: { ok?: boolean } } };
    return { status: res.status, redisOk: body.checks?.redis?.ok === true };
  } catch {
    return { status: 0, redisOk: false };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

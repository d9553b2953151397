import { createHmac } from 'node:crypto';
import { MAX_CLOCK_SKEW_SECONDS } from '../../../src/bot/verify-signature.ts';
import { signRequest } from '../../../src/emulators/slack-signing.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { APPROVALS, REQUESTER, TRAINING, type World } from '../../lib/world.ts';
import type { ForgedUnit } from './plan.ts';
import { send } from './send.ts';

const secondsNow = () => Math.floor(Date.now() / 1000);

/** Sends one forgery of its category, built from a request that would otherwise be valid. */
export async function sendForged(world: World, bot: BotProcess, secret: string, u: ForgedUnit) {
  const [r1, r2] = u.rolls;
  const now = secondsNow();
  const variant = (k: number) => Math.floor(r1 * k);
  let body = u.body;
  let headers: Record<string, string>;
  switch (u.category) {
    case 'wrong-signature': {
      const good = signRequest(secret, body, now);
      const hex = good['x-slack-signature'].slice(3);
      const sig = [
        `v0=${createHmac('sha256', String(r2)).update(body).digest('hex')}`, // random hex
        `v0=${hex.toUpperCase()}`,
        `v1=${hex}`,
        `v0=${hex.slice(0, -1)}`,
        'v0=',
      ][variant(5)] as string;
      headers = { ...good, 'x-slack-signature': sig };
      break;
    }
    case 'other-secret':
      headers = { ...signRequest(`${secret.slice(0, -1)}${r2 < 0.5 ? 'x' : 'y'}`, body, now) };
      if (variant(2) === 1) headers = { ...signRequest(`other-${r2}`, body, now) };
      break;
    case 'stale': {
      const ts = [
        now - MAX_CLOCK_SKEW_SECONDS - 1 - Math.floor(r2 * 10),
        now - 3600 - Math.floor(r2 * 365 * 86_400),
        0,
      ][variant(3)] as number;
      headers = { ...signRequest(secret, body, ts) };
      break;
    }
    case 'future': {
      // At least 30 s over the limit: the bot reads its clock a moment after we read ours.
      const ts = [
        now + MAX_CLOCK_SKEW_SECONDS + 30 + Math.floor(r2 * 60),
        now + 86_400 + Math.floor(r2 * 10 * 365 * 86_400),
      ][variant(2)] as number;
      headers = { ...signRequest(secret, body, ts) };
      break;
    }
    case 'body-changed': {
      headers = { ...signRequest(secret, body, now) };
      const changes = [
        (b: string) => b.replace(REQUESTER, 'U0APPROVE'),
        (b: string) => b.replace(TRAINING, APPROVALS),
        (b: string) =>
          b
            .replace(/text=(status|watch|pause|resume)/, 'text=cancel')
            .replace('ftops.job.refresh', 'ftops.job.resume')
            .replace('ftops.job.watch', 'ftops.job.unwatch'),
        (b: string) => `${b}&is_admin=true`,
      ];
      body = (changes[variant(changes.length)] as (b: string) => string)(body);
      // A change that changed nothing would be a valid request, not a forgery.
      if (body === u.body)
        throw new Error(`body-changed forgery left the ${u.kind} body as it was`);
      break;
    }
    case 'no-signature': {
      const { 'x-slack-signature': _drop, ...rest } = signRequest(secret, body, now);
      headers = [
        rest,
        { ...rest, 'x-slack-signature': '' },
        { 'content-type': 'application/x-www-form-urlencoded' },
      ][variant(3)] as Record<string, string>;
      break;
    }
    case 'no-timestamp': {
      const { 'x-slack-request-timestamp': _drop, ...rest } = signRequest(secret, body, now);
      headers = variant(2) === 0 ? rest : { ...rest, 'x-slack-request-timestamp': '' };
      break;
    }
    case 'timestamp-changed': {
      const shift = 1 + Math.floor(r2 * 120);
      const signedAt = variant(2) === 0 ? now - shift : now;
      const sent = variant(2) === 0 ? now : now - shift;
      headers = {
        ...signRequest(secret, body, signedAt),
        'x-slack-request-timestamp': String(sent),
      };
      break;
    }
  }
  const ack = await send(world, bot, body, headers);
  u.status = ack.status;
}

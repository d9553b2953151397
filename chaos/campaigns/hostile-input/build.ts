// Turns a generated case into the body a bot receives: values resolved against the harvested
// request IDs and modal references, payload fields deleted or overwritten as the case says.
import {
  blockActionsPayload,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../../src/emulators/slack-signing.ts';
import { REASON_BLOCK, REASON_INPUT } from '../../../src/views/action-ids.ts';
import { REQUESTER, TRAINING, type World } from '../../lib/world.ts';
import type { Mutation, Source } from './arbitraries.ts';
import { JOB_IDS } from './inputs.ts';
import { type Case, FORM } from './plan.ts';
import type { Harvest } from './setup.ts';

/** Turns a generated case into a body, with a fresh response_url where the case has one. */
export function build(
  world: World,
  c: Case,
  h: Harvest,
): { body: string; contentType: string; responseUrl?: string } {
  const resolve = (s: Source): unknown => {
    switch (s.src) {
      case 'job':
        return JOB_IDS[s.i % JOB_IDS.length];
      case 'request':
        return h.requests.length ? h.requests[s.i % h.requests.length] : 'no-request';
      case 'ref':
        return h.refs.length ? h.refs[s.i % h.refs.length] : 'no-ref';
      case 'text':
        return s.text;
      case 'wrong':
        return s.value;
    }
  };
  switch (c.kind) {
    case 'command': {
      const responseUrl = world.slack.responseUrl(TRAINING, REQUESTER);
      const body = slashCommandBody({
        text: c.text,
        user_id: c.user,
        channel_id: c.channel,
        response_url: responseUrl,
        command: c.command,
      });
      return { body, contentType: FORM, responseUrl };
    }
    case 'action': {
      const responseUrl = world.slack.responseUrl(TRAINING, REQUESTER);
      const value = resolve(c.value);
      const payload = blockActionsPayload({
        user: c.user,
        channel: c.channel,
        actionId: c.actionId,
        value: typeof value === 'string' ? value : '',
        blockId: c.blockId,
        responseUrl,
        ...(c.messageText ? { message: { ts: '1732000000.000100', text: c.messageText } } : {}),
      });
      const first = (payload.actions as Array<Record<string, unknown>>)[0];
      if (first && typeof value !== 'string') first.value = value;
      for (const m of c.mutations) setPath(payload, m);
      return {
        body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        contentType: FORM,
        responseUrl,
      };
    }
    case 'view': {
      const meta = resolve(c.meta);
      const reason = resolve(c.reason);
      const payload = viewSubmissionPayload({
        user: c.user,
        callbackId: c.callbackId,
        privateMetadata: typeof meta === 'string' ? meta : '',
        values: { [REASON_BLOCK]: { [REASON_INPUT]: { type: 'plain_text_input', value: reason } } },
      });
      const view = payload.view as Record<string, unknown>;
      if (typeof meta !== 'string') view.private_metadata = meta;
      for (const m of c.mutations) setPath(payload, m);
      return {
        body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        contentType: FORM,
      };
    }
    case 'raw':
      return { body: c.body, contentType: c.contentType };
  }
}

function setPath(obj: Record<string, unknown>, m: Mutation): void {
  let at: unknown = obj;
  for (const key of m.path.slice(0, -1)) {
    if (!at || typeof at !== 'object') return;
    at = (at as Record<string, unknown>)[key];
  }
  if (!at || typeof at !== 'object') return;
  const last = m.path.at(-1) as string;
  if (m.op === 'delete') delete (at as Record<string, unknown>)[last];
  else (at as Record<string, unknown>)[last] = m.value;
}

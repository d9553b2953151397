// Real IDs for generated cases to point at, so hostile payloads also reach the code paths behind
// a valid approval request or modal reference.
import { blockActionsPayload, slashCommandBody } from '../../../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST, CANCEL_JOB, PAUSE_JOB } from '../../../src/views/action-ids.ts';
import { waitUntil } from '../../lib/campaign.ts';
import { APPROVALS, REQUESTER, TRAINING, type World } from '../../lib/world.ts';
import { JOB_IDS } from './inputs.ts';

export interface Harvest {
  requests: string[];
  refs: string[];
}

/** Real approval request IDs (from `/ft pause` as the requester) and modal refs (Pause clicks). */
export async function harvestIds(
  world: World,
  bot: Awaited<ReturnType<World['startBot']>>,
): Promise<Harvest> {
  for (const id of ['ftjob-hostile0', 'ftjob-hostile1']) {
    const body = slashCommandBody({
      text: `pause ${id} harvest`,
      user_id: REQUESTER,
      channel_id: TRAINING,
      response_url: world.slack.responseUrl(TRAINING, REQUESTER),
    });
    await world.signed(bot, body);
  }
  for (let i = 0; i < 4; i++) {
    const payload = blockActionsPayload({
      user: REQUESTER,
      channel: TRAINING,
      actionId: i % 2 ? CANCEL_JOB : PAUSE_JOB,
      value: JOB_IDS[i % 2] as string,
      blockId: 'card',
      responseUrl: world.slack.responseUrl(TRAINING, REQUESTER),
    });
    await world.signed(bot, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }
  const requests = (): string[] => {
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) for (const x of v) walk(x);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.action_id === APPROVE_REQUEST && typeof o.value === 'string') out.push(o.value);
        for (const x of Object.values(o)) walk(x);
      }
    };
    for (const m of world.slack.messages.get(APPROVALS) ?? []) walk(m.blocks);
    return out;
  };
  const refs = (): string[] =>
    world.slack
      .callsTo('views.open')
      .map(
        (c) => (c.args.view as { private_metadata?: string } | undefined)?.private_metadata ?? '',
      )
      .filter(Boolean);
  await waitUntil(() => requests().length >= 2 && refs().length >= 4, 10_000);
  return { requests: [...new Set(requests())], refs: refs() };
}

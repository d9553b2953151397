import { slashCommandBody } from '../../../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST } from '../../../src/views/action-ids.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { seededRandom, waitUntil } from '../../lib/campaign.ts';
import { approveButton, clickButton } from '../../lib/clicks.ts';
import { APPROVER, REQUESTER, TRAINING, type World } from '../../lib/world.ts';
import { picker } from './strings.ts';

export interface Session {
  jobs: number;
  commands: number;
  answered: number;
  /** Status changes made to watched jobs, and how many the channel announced. */
  changes: number;
  announced: number;
  errorsServed: number;
  approved: boolean;
}

export async function runSession(
  world: World,
  web: BotProcess,
  opts: { seed: number; jobs: number; log: (line: string) => void },
): Promise<Session> {
  const random = seededRandom(opts.seed);
  const h = picker(random);
  let commands = 0;
  let answered = 0;
  const command = async (text: string, user = REQUESTER) => {
    commands++;
    const url = world.slack.responseUrl(TRAINING, user);
    const ack = await world.signed(
      web,
      slashCommandBody({ text, user_id: user, channel_id: TRAINING, response_url: url }),
    );
    // An answer is the ack's own body or a post to the response_url.
    const got =
      (ack.status === 200 && ack.body.length > 2) ||
      (await waitUntil(() => world.slack.responses.some((r) => r.url === url), 10_000));
    if (ack.status === 200 && got) answered++;
  };

  await command('watch all');
  const ids: string[] = [];
  const statuses = ['running', 'running', 'paused', 'succeeded', 'failed', 'hostile'];
  for (let i = 0; i < opts.jobs; i++) {
    const kind = statuses[i % statuses.length] as string;
    const job = world.ft.addJob({
      status: (kind === 'hostile' ? h() : kind) as never,
      model: h(),
      user_provided_suffix: h(),
      training_file: h(),
      metadata: { team: h(), note: h() },
      ...(kind === 'succeeded' ? { fine_tuned_model: h() } : {}),
      ...(kind === 'failed' ? { error: { code: h(), message: h(), param: null } } : {}),
      fail: { code: h(), message: h(), atStep: 3 },
    });
    ids.push(job.id);
  }
  opts.log(`${ids.length} hostile jobs added`);
  await command('list 50');
  for (const id of ids) {
    for (const verb of ['status', 'events', 'checkpoints', 'audit']) await command(`${verb} ${id}`);
    await command(`pause ${id} ${h().slice(0, 200)}`);
    await command(`resume ${id} --dry-run`);
  }
  await command('approvals', APPROVER);
  await command('audit', APPROVER);

  // The approver approves one request: the execution's outcome and the thread reply.
  let approved = false;
  const request = approveButton(world);
  if (request) {
    const { url, ack } = await clickButton(world, web, {
      user: APPROVER,
      actionId: APPROVE_REQUEST,
      button: request,
    });
    approved =
      ack.status === 200 &&
      (await waitUntil(() => world.slack.responses.some((r) => r.url === url), 10_000));
  }

  // Error bodies: every answer of the API is a 500 (or 429) whose code and message are hostile.
  const before = world.ft.requests.length;
  world.ft.setFaults({ rate: 1, kinds: ['500', '429'], retryAfterMs: 0, errorText: h() });
  for (const id of ids.slice(0, 3)) await command(`status ${id}`);
  await command('list');
  const errorsServed = world.ft.requests.slice(before).filter((r) => r.status >= 429).length;
  world.ft.setFaults({ retryAfterMs: 0 });

  // Status changes the watching channel hears about, to hostile statuses and errors too.
  let changes = 0;
  for (const id of ids) {
    const job = world.ft.getJob(id);
    if (!job || ['succeeded', 'failed', 'cancelled'].includes(job.status)) continue;
    let to = changes % 3 === 0 ? 'failed' : changes % 3 === 1 ? h() : 'succeeded';
    // A hostile status equal to the one the job has is no change at all.
    if (to === job.status) to = 'failed';
    world.ft.setStatus(id, to, {
      ...(to === 'failed' ? { error: { code: h(), message: h(), param: null } } : {}),
      ...(to === 'succeeded' ? { fine_tuned_model: h() } : {}),
    });
    changes++;
  }
  const cards = () =>
    (world.slack.messages.get(TRAINING) ?? []).filter(
      (m) => !m.ephemeral && !m.thread_ts && ids.some((id) => m.text.includes(id)),
    ).length;
  await waitUntil(() => cards() >= changes, 30_000, 200);
  return {
    jobs: ids.length,
    commands,
    answered,
    changes,
    announced: cards(),
    errorsServed,
    approved,
  };
}

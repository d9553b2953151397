// Drives one web bot: real decisions (requests approved or denied) interleaved with a flood of
// refused clicks and refused commands from people who are not approvers, then reads the audit
// back through `/ft audit`, page by page, and `/ft audit <job>` for every job.
import { buttonsOf, visibleText } from '../../../src/emulators/slack/inspect.ts';
import { slashCommandBody } from '../../../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST, AUDIT_OLDER, DENY_REQUEST } from '../../../src/views/action-ids.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { waitUntil } from '../../lib/campaign.ts';
import {
  approveButton,
  clickButton,
  denyWithReason,
  type MessageButton,
} from '../../lib/clicks.ts';
import { APPROVALS, APPROVER, OUTSIDER, REQUESTER, TRAINING, type World } from '../../lib/world.ts';

type Button = MessageButton;

export interface FloodPlan {
  requests: number;
  clicks: number;
  commands: number;
  concurrency: number;
}

export interface Flood {
  decisions: number;
  /** Requests left pending for the flood to click on (one decision each: requested). */
  bait: number;
  decidedJobs: string[];
  clicksSent: number;
  clicksAcked: number;
  commandsSent: number;
  commandsAcked: number;
  /** Lines of decisions `/ft audit` listed over all its pages, and how many pages. */
  listed: number;
  pages: number;
  /** Jobs whose `/ft audit <job>` lists all their decisions. */
  jobsComplete: number;
}

export async function runFlood(
  world: World,
  web: BotProcess,
  plan: FloodPlan,
  log: (line: string) => void,
): Promise<Flood> {
  const answerOf = async (url: string) => {
    await waitUntil(() => world.slack.responses.some((r) => r.url === url), 15_000);
    const body = world.slack.responses.find((r) => r.url === url)?.body ?? {};
    return { text: visibleText(body), buttons: buttonsOf(body.blocks) };
  };
  const command = (text: string, user: string, channel = TRAINING) => {
    const url = world.slack.responseUrl(channel, user);
    const sent = world.signed(
      web,
      slashCommandBody({ text, user_id: user, channel_id: channel, response_url: url }),
    );
    return { url, sent };
  };
  const click = (user: string, actionId: string, b: Button, channel = APPROVALS) =>
    clickButton(world, web, { user, actionId, button: b, channel });
  const requestButton = (jobId: string) => approveButton(world, (text) => text.includes(jobId));
  const ask = async (jobId: string) => {
    await command(`pause ${jobId} flood test`, REQUESTER).sent;
    await waitUntil(() => requestButton(jobId) !== undefined, 15_000);
    return requestButton(jobId);
  };

  // Bait: requests left pending, for the flood to click on.
  const bait: Button[] = [];
  for (let i = 0; i < 3; i++) {
    const b = await ask(world.ft.addJob({ status: 'running' }).id);
    if (b) bait.push(b);
  }
  const finished = world.ft.addJob({ status: 'succeeded' }).id;
  const running = world.ft.addJob({ status: 'running' }).id;

  // The flood: refused clicks (an outsider's, the requester's own) and refused commands.
  let clicksAcked = 0;
  let commandsAcked = 0;
  let clicksSent = 0;
  let commandsSent = 0;
  const floodOne = async (i: number) => {
    if (
      i % Math.max(1, Math.round(plan.clicks / plan.commands)) === 0 &&
      commandsSent < plan.commands
    ) {
      commandsSent++;
      const text = [`audit`, `pause ${finished}`, `resume ${running}`, `audit ${finished}`][i % 4];
      const a = await command(text as string, OUTSIDER).sent;
      if (a.status === 200) commandsAcked++;
      return;
    }
    clicksSent++;
    const b = bait[i % bait.length] as Button;
    const who = i % 5 === 0 ? REQUESTER : OUTSIDER;
    const { ack } = await click(who, i % 7 === 0 ? DENY_REQUEST : APPROVE_REQUEST, b);
    if (ack.status === 200) clicksAcked++;
  };
  const total = plan.clicks + plan.commands;
  let next = 0;
  const flood = Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        await floodOne(i);
        if (i % 10_000 === 9_999) log(`${i + 1} of ${total} flood requests sent`);
      }
    }),
  );

  // Meanwhile, real decisions: half the requests approved (requested, approved, executed),
  // half denied (requested, denied).
  let decisions = 0;
  const decidedJobs: string[] = [];
  for (let i = 0; i < plan.requests; i++) {
    const jobId = world.ft.addJob({ status: 'running' }).id;
    const b = await ask(jobId);
    if (!b) continue;
    const approve = i % 2 === 0;
    if (approve) await answerOf((await click(APPROVER, APPROVE_REQUEST, b)).url);
    else {
      const told = world.slack.callsTo('chat.postEphemeral').length;
      await denyWithReason(world, web, { user: APPROVER, button: b, reason: 'flood test' });
      await waitUntil(() => world.slack.callsTo('chat.postEphemeral').length > told, 15_000);
    }
    decisions += approve ? 3 : 2;
    decidedJobs.push(jobId);
  }
  await flood;
  log(`${decisions} decisions made among ${total} flood requests`);

  // `/ft audit`, page by page through "Older entries".
  let listed = 0;
  let pages = 0;
  const first = command('audit', APPROVER, APPROVALS);
  await first.sent;
  let page = await answerOf(first.url);
  for (;;) {
    pages++;
    // Decisions are listed above the refusals, which the first page shows apart.
    const decisionsPart = page.text.split('Refused attempts')[0] ?? '';
    listed += (decisionsPart.match(/^• /gm) ?? []).length;
    const older = page.buttons.find((b) => b.actionId === AUDIT_OLDER);
    if (!older || pages > 100) break;
    const button = { ts: '1.0', value: older.value, blockId: older.blockId };
    const c = await click(APPROVER, AUDIT_OLDER, button, APPROVALS);
    page = await answerOf(c.url);
  }

  // `/ft audit <job>` for every decided job: its request and its decision are there.
  let jobsComplete = 0;
  for (const [i, jobId] of decidedJobs.entries()) {
    const c = command(`audit ${jobId}`, APPROVER, APPROVALS);
    await c.sent;
    const { text } = await answerOf(c.url);
    const want =
      i % 2 === 0
        ? ['asked to pause', 'approved the request', 'was carried out']
        : ['asked to pause', 'denied the request'];
    if (want.every((w) => text.includes(w))) jobsComplete++;
  }
  return {
    decisions,
    bait: bait.length,
    decidedJobs,
    clicksSent,
    clicksAcked,
    commandsSent,
    commandsAcked,
    listed,
    pages,
    jobsComplete,
  };
}

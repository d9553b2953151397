// The bot behind the private Redis, and the state that must survive the outage, made as users
// make it: every job watched in its channel, `watch all`, and a pause waiting for approval.
import type { FineTuningJob } from '../../../src/api/schemas.ts';
import type { BotProcess } from '../../lib/bot-process.ts';
import { TRAINING, type World } from '../../lib/world.ts';
import type { Answers } from './answers.ts';
import { type ApprovalRequest, findApprovalRequest } from './approval.ts';
import type { Sent, Sizes } from './plan.ts';

/** The watching channels, and one bot (role all) polling every second. */
export async function startBot(
  w: World,
  size: Sizes,
): Promise<{ channels: string[]; bot: BotProcess }> {
  const channels = Array.from({ length: size.channels }, (_, i) => `C0RESTART${i}`);
  for (const [i, id] of channels.entries()) w.slack.addChannel({ id, name: `restart-${i}` });
  const bot = await w.startBot('redis-restart', {
    role: 'all',
    paceMs: 20,
    fastRetry: true,
    env: { FT_POLL_INTERVAL_SECONDS: '1' },
  });
  return { channels, bot };
}

/**
 * Before the outage: each job watched in its channel, every job by `watch all` in
 * #ml-training, and a pause waiting for approval.
 */
export async function watchAndRequest(
  w: World,
  jobs: FineTuningJob[],
  watcherOf: Map<string, string | undefined>,
  command: (text: string, channel: string, jobId: string) => Promise<Sent>,
  answers: Answers,
): Promise<{
  setup: Sent[];
  setupOk: number;
  approvalJob: FineTuningJob;
  request: ApprovalRequest | undefined;
}> {
  const { answered, verdict } = answers;
  const setup: Sent[] = [];
  setup.push(await command('watch all', TRAINING, 'every'));
  for (const job of jobs) {
    setup.push(await command(`watch ${job.id}`, watcherOf.get(job.id) as string, job.id));
  }
  const approvalJob = w.ft.addJob({ status: 'running', user_provided_suffix: 'gated' });
  setup.push(await command(`pause ${approvalJob.id} eval loss diverged`, TRAINING, approvalJob.id));
  await Promise.all(setup.map((s) => answered(s)));
  const setupOk = setup.filter((s) => verdict(s) === 'normal').length;
  const request = await findApprovalRequest(w, approvalJob.id);
  return { setup, setupOk, approvalJob, request };
}

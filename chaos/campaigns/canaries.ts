import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  signRequest,
  slashCommandBody,
  slashCommandPayload,
} from '../../src/emulators/slack-signing.ts';
import { APPROVE_REQUEST } from '../../src/views/action-ids.ts';
import { spawnBot } from '../lib/bot-process.ts';
import { type Campaign, n, type Row, waitUntil } from '../lib/campaign.ts';
import { canaryNeedles } from '../lib/canaries.ts';
import { approveButton, clickButton } from '../lib/clicks.ts';
import type { Evidence } from '../lib/evidence.ts';
import { APPROVER, REQUESTER, startWorld, TRAINING, type World } from '../lib/world.ts';

const DOCTOR = fileURLToPath(new URL('../../src/doctor/main.ts', import.meta.url));

/**
 * 8. Secret canaries. Every process of the battery ran with canary secrets (chaos/lib/
 * canaries.ts). This campaign adds a session of its own that touches every path a secret
 * could leak through — HTTP and Socket Mode bots at debug level, a poller worker, a failed API
 * call, a forged request, an approval, `npm run doctor`, a start-up with a bad setting — then
 * searches everything the battery left (every log line of every process, every body sent to
 * Slack, every Redis key and value) for each canary and for its random tag alone.
 */
export const runCanaries: Campaign = async (opts) => {
  const t0 = performance.now();
  const { evidence } = opts;
  const log = opts.log ?? (() => undefined);
  const world = await startWorld({ evidence });
  let used: UsedCanaries;
  try {
    used = await session(world, evidence, log);
  } finally {
    await world.close();
  }

  const hits = scan(evidence);
  const processes = new Set(
    evidence.logs.map((line) => /"pid":(\d+)/.exec(line)?.[1]).filter(Boolean),
  ).size;
  const where = (kind: keyof typeof hits) =>
    hits[kind].length === 0 ? '0 hits' : `${hits[kind].length} hits: ${hits[kind].join(', ')}`;
  const rows: Row[] = [
    {
      tried: 'canaries in use: API key, bot token, signing secret, app token',
      happened: `${n(used.apiOk)} API answers to the canary key, ${n(used.slackOk)} Slack calls with the canary bot token, ${n(used.signedAnswered)} signed requests answered, Socket Mode ${used.socket ? 'connected' : 'not connected'} with the canary app token`,
      target: 'every canary really used',
      met: used.apiOk > 0 && used.slackOk > 0 && used.signedAnswered > 0 && used.socket,
    },
    {
      tried: 'paths a secret could leak through: approval, announcement, doctor, refused start',
      happened: `approved pause ${used.paused ? 'done' : 'not done'}, announcement ${used.announced ? 'posted' : 'not posted'}, start with a bad setting ${used.refusedStart ? 'refused' : 'NOT refused'}, ${n(used.toolLines)} lines from the doctor and the refused start`,
      target: 'all exercised',
      met: used.paused && used.announced && used.refusedStart && used.toolLines > 0,
    },
    {
      tried: `${n(evidence.logs.length)} log lines from ${n(processes)} bot processes, the doctor and a refused start`,
      happened: where('logs'),
      target: '0 hits',
      met: hits.logs.length === 0 && evidence.logs.length > 0,
    },
    {
      tried: `${n(evidence.slackBodies.length)} bodies sent to Slack (Web API, response_url, messages, views)`,
      happened: where('slack'),
      target: '0 hits',
      met: hits.slack.length === 0 && evidence.slackBodies.length > 0,
    },
    {
      tried: `${n(evidence.redisDump.length / 2)} Redis keys with their values`,
      happened: where('redis'),
      target: '0 hits',
      met: hits.redis.length === 0 && evidence.redisDump.length > 0,
    },
  ];
  return {
    name: 'canaries',
    title: '8. Secret canaries',
    rows,
    durationMs: performance.now() - t0,
  };
};

interface UsedCanaries {
  apiOk: number;
  slackOk: number;
  signedAnswered: number;
  socket: boolean;
  /** Lines written by the doctor and by the start refused for a bad setting. */
  toolLines: number;
  /** The start with a bad setting exited before listening. */
  refusedStart: boolean;
  paused: boolean;
  announced: boolean;
}

/** Where each canary was found, as "NAME in <place>" strings. */
export function scan(evidence: Evidence): { logs: string[]; slack: string[]; redis: string[] } {
  const needles = canaryNeedles(evidence.canaries);
  const find = (texts: readonly string[]) => {
    const found: string[] = [];
    for (const text of texts)
      for (const { name, needle } of needles)
        if (text.includes(needle)) found.push(`${name} in ${JSON.stringify(text.slice(0, 80))}`);
    return found;
  };
  return {
    logs: find(evidence.logs),
    slack: find(evidence.slackBodies),
    redis: find(evidence.redisDump),
  };
}

async function session(
  world: World,
  evidence: Evidence,
  log: (line: string) => void,
): Promise<UsedCanaries> {
  const debug = { LOG_LEVEL: 'debug' };
  const [web, worker, socket] = await Promise.all([
    world.startBot('canary-web', { role: 'web', env: debug }),
    world.startBot('canary-worker', {
      role: 'worker',
      paceMs: 20,
      env: { ...debug, FT_POLL_INTERVAL_SECONDS: '1' },
    }),
    world.startBot('canary-socket', {
      role: 'web',
      env: { ...debug, SLACK_APP_TOKEN: evidence.canaries.SLACK_APP_TOKEN },
    }),
  ]);
  void worker;
  void socket;
  log('three bots up (HTTP, worker, Socket Mode)');
  let signedAnswered = 0;
  const command = async (text: string, user = REQUESTER) => {
    const url = world.slack.responseUrl(TRAINING, user);
    const ack = await world.signed(
      web,
      slashCommandBody({ text, user_id: user, channel_id: TRAINING, response_url: url }),
    );
    const answered = await waitUntil(
      () => world.slack.responses.some((r) => r.url === url),
      10_000,
    );
    if (ack.status === 200 && answered) signedAnswered++;
    return url;
  };

  const job = world.ft.addJob({ status: 'running', user_provided_suffix: 'canary' });
  const watched = world.ft.addJob({ status: 'running' });
  for (const text of ['help', 'whoami', 'list 5', `status ${job.id}`, `watch ${watched.id}`])
    await command(text);
  world.ft.failNext(8, '500');
  await command(`events ${job.id}`);
  await command('approvals', APPROVER);
  await command('audit', APPROVER);

  // A forged request: signed with the wrong secret, refused, and its refusal logged.
  const forged = slashCommandBody({
    text: `pause ${job.id}`,
    user_id: REQUESTER,
    channel_id: TRAINING,
    response_url: world.slack.responseUrl(TRAINING, REQUESTER),
  });
  await world.post(web, forged, {
    ...signRequest(`not-${evidence.canaries.SLACK_SIGNING_SECRET}`, forged),
  });

  // An approval from request to pause.
  await command(`pause ${job.id} canary reason`);
  await waitUntil(() => approveButton(world) !== undefined, 10_000);
  const request = approveButton(world);
  if (request) {
    const { url, ack } = await clickButton(world, web, {
      user: APPROVER,
      actionId: APPROVE_REQUEST,
      button: request,
    });
    if (
      ack.status === 200 &&
      (await waitUntil(() => world.slack.responses.some((r) => r.url === url), 10_000))
    )
      signedAnswered++;
  }

  // The worker announces a change of the watched job.
  world.ft.setStatus(watched.id, 'paused');
  const announced = await waitUntil(
    () =>
      (world.slack.messages.get(TRAINING) ?? []).some(
        (m) => m.text.includes(watched.id) && /paused/i.test(m.text),
      ),
    15_000,
  );

  // Socket Mode: a command over the WebSocket the canary app token opened.
  const socketUp = await waitUntil(() => world.slack.socketConnected(), 10_000);
  if (socketUp) {
    await world.slack.sendSocketEnvelope(
      'slash_commands',
      slashCommandPayload({
        text: `status ${job.id}`,
        user_id: REQUESTER,
        channel_id: TRAINING,
        response_url: world.slack.responseUrl(TRAINING, REQUESTER),
      }),
    );
  }

  // The doctor, and a start refused for a bad setting, both with every canary in their env.
  const linesBefore = evidence.logs.length;
  await runDoctor(world.env(), evidence);
  const refusedStart = await spawnBot({
    name: 'bad-config',
    env: { ...world.env(), FT_POLL_INTERVAL_SECONDS: 'soon' },
    onLine: (line) => evidence.addLogLine(line),
  }).then(
    async (bot) => {
      await bot.kill();
      return false; // it started: the bad setting was not refused
    },
    () => true, // refused, as it should be: its output is what is searched
  );

  return {
    apiOk: world.ft.requests.filter((r) => r.status >= 200 && r.status < 300).length,
    slackOk: world.slack.calls.filter((c) => c.ok).length,
    signedAnswered,
    socket: socketUp,
    toolLines: evidence.logs.length - linesBefore,
    refusedStart,
    paused: world.ft.requests.some(
      (r) =>
        r.method === 'POST' && r.path === `/fine_tuning/jobs/${job.id}/pause` && r.status === 200,
    ),
    announced,
  };
}

function runDoctor(env: Record<string, string>, evidence: Evidence): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', DOCTOR], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => evidence.addLogLine(line));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

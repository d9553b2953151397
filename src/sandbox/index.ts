import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { type Ftops, secretsOf, startFtops } from '../bot/compose.ts';
import { type LogLevel, loadConfig } from '../bot/config/index.ts';
import { createLogger } from '../bot/logger.ts';
import { demoJobs } from '../emulators/fine-tuning/demo.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../emulators/fine-tuning/index.ts';
import {
  type SlackEmulator,
  type SlackMessage,
  type SlackView,
  startSlackEmulator,
} from '../emulators/slack/index.ts';
import { type AccessPanel, describeAccess } from './access-panel.ts';
import { SlackBridge } from './bridge.ts';
import {
  buildDirectory,
  DEMO_REQUESTER,
  SANDBOX_USERGROUPS,
  SECOND_APPROVER,
} from './directory.ts';
import { LiveFeed } from './live.ts';
import { firstFreePort, isPortFree } from './ports.ts';
import {
  clearNamespace,
  type EnsureRedisOptions,
  ensureRedis,
  type SandboxRedis,
} from './redis.ts';
import {
  AZURE_RESOURCE,
  KEY_VARIABLES,
  OPENAI_RESOURCE,
  platformJobs,
  sandboxConfigFile,
  TEAM_CHANNELS,
} from './resources.ts';
import { pageMessage, type SandboxResource, sandboxRoutes } from './routes.ts';
import { describeRules, type SandboxRuleVariable } from './rules.ts';
import { loadStaticFiles } from './static-files.ts';

export { NoRedisError } from './redis.ts';

/** The channel that watches every job from the start (#ml-training). */
export const TRAINING_CHANNEL = 'C0TRAINING';
/** Where approval requests go (#approvals). */
export const APPROVAL_CHANNEL = 'C0APPROVALS';

/** Options of {@link startSandbox}; every one has a default fit for `npm run sandbox`. */
export interface SandboxOptions {
  /** Port of the page and the bot; default 3000, 0 = a free port. Taken → the next free one. */
  port?: number;
  /** Redis key namespace, so the sandbox never touches a real deployment's data; default `ftops-sandbox` (`ftops-sandbox-<port>` off port 3000). */
  namespace?: string;
  /** The bot's sweep period (FT_POLL_INTERVAL_SECONDS); default 3. */
  pollSeconds?: number;
  /** Where to find Redis: REDIS_URL as `url`; unset = 127.0.0.1:6379, else a private redis-server. */
  redis?: EnsureRedisOptions;
  /** FT_APPROVER_IDS; default the user group S0APPROVERS (avery and jordan). */
  approvers?: string;
  /** Approval settings as in the environment (FT_APPROVALS_REQUIRED, …); unset = the defaults. */
  rules?: Partial<Record<SandboxRuleVariable, string>>;
  /** The bot's log level; default 'warn' so the terminal stays readable. */
  logLevel?: LogLevel;
  /** A logger for the bot instead of one on standard output. */
  logger?: Logger;
  /** Send `/ft watch all` in #ml-training as riley at start; default true. */
  watchAll?: boolean;
}

/** A running sandbox: everything it started, and one way to stop it all. */
export interface Sandbox {
  url: string;
  port: number;
  /** The port asked for when it was taken and another one was used. */
  portTaken?: number;
  namespace: string;
  redis: SandboxRedis;
  /** The Azure resource's emulator (`azure-eastus`, the first in FT_CONFIG). */
  ft: FineTuningEmulator;
  /** The OpenAI platform's emulator (`openai-platform`). */
  platform: FineTuningEmulator;
  slack: SlackEmulator;
  ftops: Ftops;
  bridge: SlackBridge;
  /** The Azure resource's demo jobs' IDs, in the order of src/emulators/fine-tuning/demo.ts. */
  jobIds: string[];
  /** The OpenAI platform's jobs' IDs, in the order of `platformJobs` (resources.ts). */
  platformJobIds: string[];
  /** The one job ID both resources have (doc-search's), to show "which resource?". */
  sharedJobId: string;
  /** The FT_CONFIG file the bot was started with (removed on stop). */
  configFile: string;
  /** The resources and each channel's rule, as the side panel lists them. */
  access: AccessPanel;
  /** Milliseconds from the call to ready (the watch included). */
  startupMs: number;
  /** The approval rules in force, in sentences (as the page shows them). */
  rules: string[];
  stop(): Promise<void>;
}

/** Raised when no port near the asked one is free; the message says what to do. */
export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

/**
 * Starts two fine-tuning emulators (the resources `azure-eastus` and `openai-platform` of an
 * FT_CONFIG file written for the run), the Slack emulator, Redis when needed, and the real bot
 * on 127.0.0.1, with the Slack-like page served on the bot's port. Resolves once the page can
 * be opened and #ml-training watches every job.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const t0 = performance.now();
  const undo: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => {});
  };
  try {
    const wantedPort = opts.port ?? 3000;
    const port = await firstFreePort(wantedPort);
    if (port === undefined) {
      throw new PortTakenError(
        `Ports ${wantedPort}–${wantedPort + 19} are all taken. Free one, or pick another with PORT=…`,
      );
    }
    // Two sandboxes on one Redis must not share (and clear) each other's keys: the port,
    // which only one of them can hold, names the namespace when it is not the usual one.
    const namespace = opts.namespace ?? (port === 3000 ? 'ftops-sandbox' : `ftops-sandbox-${port}`);
    const redis = await ensureRedis(opts.redis);
    undo.push(() => redis.stop());
    // A clean slate: cards and approvals of an earlier run point at messages that are gone.
    await clearNamespace(redis.url, namespace);
    undo.push(() => clearNamespace(redis.url, namespace));

    // Two fine-tuning resources, each its own emulator with a key of its own: an Azure
    // resource with the usual demo jobs, and the OpenAI platform with a team's jobs.
    const keys = {
      azure: randomBytes(12).toString('hex'),
      openai: randomBytes(12).toString('hex'),
    };
    const [ft, platform, slack] = await Promise.all([
      startFineTuningEmulator({ realTime: true, apiKey: keys.azure }),
      startFineTuningEmulator({ realTime: true, bearerTokens: [keys.openai] }),
      startSlackEmulator(),
    ]);
    undo.push(
      () => ft.close(),
      () => platform.close(),
      () => slack.close(),
    );
    // The same jobs `seedDemoJobs` adds, added here so the side panel knows their IDs.
    const jobIds = demoJobs(ft.clock.now()).map((job) => ft.addJob(job).id);
    // doc-search's ID on both resources: a bare ID that two resources have.
    const sharedJobId = jobIds[3] as string;
    const platformJobIds = platformJobs(platform.clock.now(), sharedJobId).map(
      (job) => platform.addJob(job).id,
    );

    const dir = mkdtempSync(join(tmpdir(), 'ftops-sandbox-'));
    undo.push(async () => rmSync(dir, { recursive: true, force: true }));
    const configFile = join(dir, 'ftops.yaml');
    writeFileSync(
      configFile,
      sandboxConfigFile({ azureEndpoint: ft.url, openaiBaseUrl: platform.openaiBaseUrl }),
    );

    const signingSecret = randomBytes(24).toString('hex');
    // The keys reach the bot as the variables the file names, in the environment it loads
    // (not process.env: two sandboxes in one process keep their own).
    const config = loadConfig({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      FT_CONFIG: configFile,
      [KEY_VARIABLES[AZURE_RESOURCE]]: keys.azure,
      [KEY_VARIABLES[OPENAI_RESOURCE]]: keys.openai,
      REDIS_URL: redis.url,
      FT_REDIS_NAMESPACE: namespace,
      FT_APPROVER_IDS: opts.approvers ?? 'S0APPROVERS',
      FT_APPROVAL_CHANNEL: APPROVAL_CHANNEL,
      ...opts.rules,
      FT_POLL_INTERVAL_SECONDS: String(opts.pollSeconds ?? 3),
      LOG_LEVEL: opts.logLevel ?? 'warn',
      PORT: String(port || 3000),
    });
    const logger =
      opts.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });

    slack.addUser(SECOND_APPROVER);
    for (const [id, members] of Object.entries(SANDBOX_USERGROUPS)) slack.setUsergroup(id, members);
    for (const c of TEAM_CHANNELS) slack.addChannel({ id: c.id, name: c.name, isMember: true });
    const directory = buildDirectory(config.approval.approvers);
    const rules = describeRules(config.approval, directory);
    const access = describeAccess(config, directory);
    const resources: SandboxResource[] = [
      { name: AZURE_RESOURCE, ft, jobIds },
      { name: OPENAI_RESOURCE, ft: platform, jobIds: platformJobIds },
    ];
    const channelName = (id: string) => directory.channels.find((c) => c.id === id)?.name ?? id;
    let ftops: Ftops | undefined;
    const bridge = new SlackBridge({
      slack,
      signingSecret,
      channelName,
      eventsUrl: () => `${ftops?.url ?? ''}/slack/events`,
    });
    const live = new LiveFeed();
    undo.push(async () => live.close());
    for (const type of ['message', 'update', 'delete'] as const) {
      slack.events.on(type, (e: { channel: string; message: SlackMessage }) =>
        live.send(type, pageMessage(e.channel, e.message)),
      );
    }
    slack.events.on('view', ({ view }: { view: SlackView }) => {
      const user = view.user ?? bridge.userOfTrigger(view.trigger_id);
      if (user) live.send('view', { id: view.id, user, view: view.view });
    });

    const fallback = sandboxRoutes({
      slack,
      resources,
      bridge,
      live,
      directory,
      rules,
      access,
      files: loadStaticFiles(WEB_DIR),
      port: () => ftops?.port ?? port,
    });
    // Checked again: startFtops starts the poller before it listens, so a port taken in the
    // meantime is better refused here than half-started.
    if (port !== 0 && !(await isPortFree(port))) {
      throw new PortTakenError(`Port ${port} was taken while the sandbox started; try again.`);
    }
    ftops = await startFtops({ config, logger, port, host: '127.0.0.1', fallback });
    const started = ftops;
    undo.push(() => started.stop());

    if (opts.watchAll ?? true) await watchEverything(bridge, slack);
    // One sweep of each resource now, not in 3 s: the bot's index of known jobs then holds both
    // resources' jobs from the first command, so the ID both have is found on both (a lookup
    // trusts the index once it knows the ID on any resource).
    if (ftops.poller) await Promise.all([...ftops.poller.sweepers.values()].map((s) => s.sweep()));

    return {
      url: `http://127.0.0.1:${ftops.port}/`,
      port: ftops.port,
      ...(port !== wantedPort ? { portTaken: wantedPort } : {}),
      namespace,
      redis,
      ft,
      platform,
      slack,
      ftops,
      bridge,
      jobIds,
      platformJobIds,
      sharedJobId,
      configFile,
      access,
      rules,
      startupMs: Math.round(performance.now() - t0),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** `/ft watch all` from riley in #ml-training, through the real bot; waits for its answer. */
async function watchEverything(bridge: SlackBridge, slack: SlackEmulator): Promise<void> {
  const answered = new Promise<void>((resolve) => {
    const timer = setTimeout(done, 10_000);
    function done() {
      clearTimeout(timer);
      slack.events.off('response', done);
      resolve();
    }
    slack.events.on('response', done);
  });
  const ack = await bridge.command({
    user: DEMO_REQUESTER,
    channel: TRAINING_CHANNEL,
    text: '/ft watch all',
  });
  if (ack.status !== 200) throw new Error(`the bot refused /ft watch all (HTTP ${ack.status})`);
  await answered;
}

import type { TokenCredential } from '@azure/identity';
import { type Logger, LogLevel, WebClient } from '@slack/web-api';
import { createFineTuningClient } from '../api/index.ts';
import type { RetryPolicy } from '../api/types.ts';
import { type Config, ConfigError, loadConfig, SECRET_VARIABLES } from '../bot/config/index.ts';
import { scrubSecrets } from '../bot/logger.ts';
import { createRedisConnector, forEachPrimary } from '../store/redis.ts';
import { errorText } from '../util/error-text.ts';
import { CHECKS, type CheckResult, fail, pass, skip } from './check.ts';
import { checkFineTuningApi } from './fine-tuning-check.ts';
import {
  checkRedisAuth,
  checkRedisEvictionPolicy,
  checkRedisMode,
  checkRedisPing,
  entraTokenFailed,
  serverIsCluster,
} from './redis-checks.ts';
import { MANIFEST_URL, requiredBotScopes } from './scopes.ts';
import { checkApprovers, checkBotScopes, checkBotToken, checkSocketMode } from './slack-checks.ts';

/** Exit codes of `npm run doctor`. */
export const DOCTOR_EXIT = {
  /** Every check passed (warnings allowed). */
  ok: 0,
  /** At least one check failed. */
  failed: 1,
  /** The environment does not parse, so nothing else was checked (the bot itself exits 2 too). */
  config: 2,
} as const;

export interface DoctorOptions {
  /** Receives each line of the report, without a newline. */
  out: (line: string) => void;
  /** Entra ID credential; by default the client uses DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Per-request timeout for Slack, the fine-tuning API and Redis; default 10 s. */
  timeoutMs?: number;
  /** Backoff between the fine-tuning client's two attempts; tests pass a zero-delay one. */
  retryPolicy?: RetryPolicy;
  /** manifest.yml to read the required bot scopes from; default the repository's. */
  manifestUrl?: URL;
}

const SYMBOL = { ok: '✓', warn: '⚠', fail: '✗', skip: '–' } as const;

/** One check as printed: a status line, then an indented fix for failures and warnings. */
export function formatResult(result: CheckResult): string[] {
  const symbol = result.skipped
    ? SYMBOL.skip
    : !result.ok
      ? SYMBOL.fail
      : result.warning
        ? SYMBOL.warn
        : SYMBOL.ok;
  const lines = [`${symbol} ${result.name}: ${result.detail}`];
  if (result.fix && (!result.ok || result.warning)) lines.push(`    fix: ${result.fix}`);
  return lines;
}

// The Web API client's own warnings would interleave with the report; failures are reported
// through the checks instead.
const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function slackClient(token: string, config: Config, timeoutMs: number): WebClient {
  return new WebClient(token, {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    logger: silentLogger,
  });
}

/** Every value that must not be printed: the secret variables and Redis URL credentials. */
function secretsIn(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name]?.trim();
    if (value) values.push(value);
  }
  for (const entry of (env.REDIS_URL ?? '').split(',')) {
    try {
      const url = new URL(entry.trim());
      for (const part of [url.password, url.username]) {
        if (part) values.push(part, decodeURIComponent(part));
      }
    } catch {}
  }
  return values.filter((v) => v.length >= 4);
}

function configSummary(config: Config): string {
  const mode = config.slack.socketMode ? 'Socket Mode' : 'HTTP mode';
  const backendOf = (kind: 'azure' | 'openai', auth: string) =>
    kind === 'azure' ? `Azure OpenAI (${auth})` : 'OpenAI platform';
  if (config.configFile === undefined) {
    const ft = config.fineTuning;
    return `parsed: ${mode}, ${backendOf(ft.provider, ft.auth.type)}, role ${config.role}`;
  }
  const resources = config.resources.map((r) => `${r.name}: ${backendOf(r.kind, r.auth.type)}`);
  const channels = Object.keys(config.access.channels).length;
  return `parsed: ${mode}, role ${config.role}; ${config.configFile} names ${resources.length} resource${resources.length === 1 ? '' : 's'} (${resources.join(', ')}) and rules for ${channels} channel${channels === 1 ? '' : 's'}`;
}

/** The checks that need Redis, with short-lived clients that never retry for long. */
async function redisChecks(
  config: Config,
  opts: DoctorOptions,
  timeoutMs: number,
  secrets: string[],
): Promise<CheckResult[]> {
  const target = config.redis;
  const connector = createRedisConnector(target, {
    ...(opts.credential ? { credential: opts.credential } : {}),
  });
  const skipAll = (because: string) => [
    skip(CHECKS.redisMode, because),
    skip(CHECKS.redisAuth, because),
    skip(CHECKS.eviction, because),
  ];
  // One connection attempt: a doctor reports a dead Redis, it does not wait for it.
  const once = { commandTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs, singleAttempt: true };
  try {
    await connector.ready();
  } catch (err) {
    connector.close();
    return [entraTokenFailed(target, err), ...skipAll('no Entra ID token')];
  }
  secrets.push(...connector.secrets());
  let lastError: Error | undefined;
  const redis = connector.commands({
    name: 'ftops-doctor',
    ...once,
    onError: (err) => {
      lastError = err;
    },
  });
  // A cluster client that cannot connect says little; the seed alone says what it is.
  const probeSeed = async () => {
    const seed = createRedisConnector(
      { ...target, urls: [target.url], cluster: false },
      opts.credential ? { credential: opts.credential } : {},
    );
    const single = seed.commands({ ...once, name: 'ftops-doctor' });
    try {
      await seed.ready();
      return await serverIsCluster(single);
    } finally {
      seed.close();
      single.disconnect();
    }
  };
  try {
    const ping = await checkRedisPing(redis, target, () => lastError, probeSeed);
    if (!ping.ok) return [ping, ...skipAll('Redis did not answer')];
    return [
      ping,
      await checkRedisMode(redis, target),
      await checkRedisAuth(redis, target),
      await checkRedisEvictionPolicy(redis, () => forEachPrimary(redis, async (node) => node)),
    ];
  } finally {
    connector.close();
    redis.disconnect();
  }
}

async function slackChecks(
  config: Config,
  timeoutMs: number,
  manifestUrl: URL,
): Promise<CheckResult[]> {
  const bot = slackClient(config.slack.botToken, config, timeoutMs);
  const auth = await checkBotToken(bot, config.slack.apiUrl);
  const results = [auth.result];
  if (!auth.result.ok) {
    results.push(
      skip(CHECKS.slackScopes, 'the bot token did not work'),
      skip(CHECKS.approvers, 'the bot token did not work'),
    );
  } else {
    let required: string[] | undefined;
    try {
      required = await requiredBotScopes(manifestUrl);
    } catch (err) {
      results.push(
        fail(
          'Slack bot scopes',
          `could not read manifest.yml: ${errorText(err)}`,
          'Keep manifest.yml next to package.json (the image copies it).',
        ),
      );
    }
    if (required) results.push(checkBotScopes(auth.scopes, required));
    // Each distinct approver list once: resources that share the defaults share one check.
    const lists = new Map<string, Config['approval']>();
    for (const { approval } of config.resources)
      lists.set(JSON.stringify([approval.approvers, approval.gatedActions]), approval);
    for (const policy of lists.values())
      results.push(await checkApprovers(bot, policy.approvers, policy.gatedActions));
  }
  if (config.slack.appToken) {
    const app = slackClient(config.slack.appToken, config, timeoutMs);
    results.push(await checkSocketMode(app, config.slack.apiUrl));
  }
  return results;
}

/** Every resource at once, each on its own client: one that hangs delays only its own line. */
async function fineTuningChecks(config: Config, opts: DoctorOptions): Promise<CheckResult[]> {
  if (config.configFile === undefined) return [await fineTuningCheck(config.fineTuning, opts)];
  return Promise.all(
    config.resources.map(async (r) => {
      const result = await fineTuningCheck(
        {
          provider: r.kind,
          baseUrl: r.baseUrl,
          auth: r.auth,
          ...(r.apiVersion ? { apiVersion: r.apiVersion } : {}),
        },
        opts,
        r.headers,
      );
      return { ...result, name: `${result.name} (${r.name})` };
    }),
  );
}

async function fineTuningCheck(
  ft: Config['fineTuning'],
  opts: DoctorOptions,
  headers?: Readonly<Record<string, string>>,
): Promise<CheckResult> {
  const auth =
    ft.auth.type === 'entra' && opts.credential
      ? { ...ft.auth, credential: opts.credential }
      : ft.auth;
  const client = createFineTuningClient({
    baseUrl: ft.baseUrl,
    auth,
    ...(ft.apiVersion ? { apiVersion: ft.apiVersion } : {}),
    ...(headers ? { headers } : {}),
    timeoutMs: opts.timeoutMs ?? 10_000,
    maxRetries: 1,
    retryPolicy: opts.retryPolicy ?? { baseDelayMs: 250, maxDelayMs: 1_000 },
  });
  try {
    return await checkFineTuningApi(client, ft);
  } finally {
    await client.close();
  }
}

/**
 * Checks a configuration end to end (environment, Redis, Slack, the fine-tuning API, approver
 * groups, Socket Mode), prints one line per check through `out`, and returns the exit code:
 * 0 when all pass, 1 when any fails, 2 when the environment does not parse.
 */
export async function runDoctor(env: NodeJS.ProcessEnv, opts: DoctorOptions): Promise<number> {
  const secrets = secretsIn(env);
  const print = (line: string) => opts.out(scrubSecrets(line, secrets));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  print('ftops doctor: checking the configuration in this environment');

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const count = err.problems.length === 1 ? '1 problem' : `${err.problems.length} problems`;
    print(`${SYMBOL.fail} Configuration: ${count}`);
    for (const problem of err.problems) print(`    - ${problem}`);
    print('    fix: set the variables above (see .env.example and README → Configuration).');
    print('Nothing else was checked: the other checks need a valid configuration.');
    return DOCTOR_EXIT.config;
  }

  // Keys read from the files FT_CONFIG names are secrets too.
  secrets.push(...(config.fileSecrets ?? []));
  const results: CheckResult[] = [pass(CHECKS.config, configSummary(config))];
  for (const line of formatResult(results[0]!)) print(line);
  // One group at a time, in a fixed order, so the report reads the same on every run.
  const groups = [
    () => redisChecks(config, opts, timeoutMs, secrets),
    () => slackChecks(config, timeoutMs, opts.manifestUrl ?? MANIFEST_URL),
    () => fineTuningChecks(config, opts),
  ];
  for (const group of groups) {
    for (const result of await group()) {
      results.push(result);
      for (const line of formatResult(result)) print(line);
    }
  }

  const failed = results.filter((r) => !r.ok).length;
  const warned = results.filter((r) => r.warning).length;
  const skipped = results.filter((r) => r.skipped).length;
  const ran = results.length - skipped;
  if (failed > 0) {
    const notRun = skipped > 0 ? `; ${skipped} more could not run because of that` : '';
    print(`${failed} of ${results.length} checks failed${notRun}.`);
    return DOCTOR_EXIT.failed;
  }
  print(`All ${ran} checks passed${warned > 0 ? ` (${warned} with a warning)` : ''}.`);
  return DOCTOR_EXIT.ok;
}

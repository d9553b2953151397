import { z } from 'zod';
import { DEFAULT_NAMESPACE } from '../../store/keys.ts';
import { DEFAULT_REDIS_ENTRA_SCOPE, type RedisAuth, type RedisTarget } from '../../store/redis.ts';
import {
  anySecret,
  apiRoot,
  approverIds,
  azureEndpoint,
  caFile,
  channelId,
  flag,
  gatedActions,
  jobUrlTemplate,
  namespace,
  oneOf,
  pricePerMillion,
  redisUrls,
  redisUsername,
  secret,
  shown,
  slackApiUrl,
  tokenScope,
  variable,
  wholeNumber,
} from './parsers.ts';
import { OPEN_ACCESS } from './resources.ts';
import { ANSWER_PLACES, CONFIG_VARIABLES, type Config, LOG_LEVELS, ROLES } from './variables.ts';

/** What the environment alone says: the resources come after, from it or from FT_CONFIG. */
export type EnvConfig = Omit<Config, 'fineTuning' | 'resources'> & {
  fineTuning?: Config['fineTuning'];
};

const configPath = (value: string) =>
  /\.(ya?ml|json)$/i.test(value)
    ? value
    : { problem: `expected the path of a .yaml, .yml or .json file, got ${shown(value)}` };

/** The environment as one zod schema: every variable parsed, every problem listed at once. */

function onlyKnownVariables(env: unknown): Record<string, unknown> {
  const source = (typeof env === 'object' && env !== null ? env : {}) as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = source[name];
    const trimmed = typeof value === 'string' ? value.trim() : value;
    if (trimmed !== '' && trimmed !== undefined) picked[name] = trimmed;
  }
  return picked;
}

export const EITHER_BACKEND = 'AZURE_OPENAI_ENDPOINT or OPENAI_API_KEY';

const OPENAI_API = 'https://api.openai.com/v1';

/** What the Redis variables say together; only values that parsed on their own are read. */
interface RedisVariables {
  REDIS_URL?: unknown;
  REDIS_CLUSTER?: unknown;
  REDIS_CA_FILE?: unknown;
  REDIS_USERNAME?: unknown;
  REDIS_PASSWORD?: unknown;
  REDIS_ENTRA?: unknown;
}

/** The user and password the seed URLs carry (all seeds that carry any must agree). */
function urlCredentials(urls: readonly string[]): { username?: string; password?: string }[] {
  const seen = new Map<string, { username?: string; password?: string }>();
  for (const entry of urls) {
    const url = new URL(entry);
    if (!url.username && !url.password) continue;
    const username = url.username ? decodeURIComponent(url.username) : undefined;
    const password = url.password ? decodeURIComponent(url.password) : undefined;
    seen.set(JSON.stringify([username, password]), {
      ...(username !== undefined && { username }),
      ...(password !== undefined && { password }),
    });
  }
  return [...seen.values()];
}

/** The rules that join the Redis variables: [variable, problem] pairs. */
function redisProblems(env: RedisVariables): [string, string][] {
  const problems: [string, string][] = [];
  const urls = Array.isArray(env.REDIS_URL) ? (env.REDIS_URL as string[]) : undefined;
  const cluster = env.REDIS_CLUSTER === true;
  const entra = env.REDIS_ENTRA === true;
  const username = typeof env.REDIS_USERNAME === 'string' ? env.REDIS_USERNAME : undefined;
  const password = typeof env.REDIS_PASSWORD === 'string' ? env.REDIS_PASSWORD : undefined;
  if (!urls) return problems;
  if (urls.length > 1 && env.REDIS_CLUSTER === false)
    problems.push([
      'REDIS_URL',
      `names ${urls.length} Redis nodes: set REDIS_CLUSTER=true for a Redis Cluster (they are its seeds), or give one URL`,
    ]);
  if (cluster && urls.some((u) => !['', '/', '/0'].includes(new URL(u).pathname)))
    problems.push([
      'REDIS_URL',
      'names a database (/N), but a Redis Cluster has only database 0: drop the /N',
    ]);
  const tls = new URL(urls[0] as string).protocol === 'rediss:';
  if (typeof env.REDIS_CA_FILE === 'string' && !tls)
    problems.push([
      'REDIS_CA_FILE',
      'is set but REDIS_URL is redis:// (no TLS): use rediss:// to connect over TLS',
    ]);
  const inUrl = urlCredentials(urls);
  if (inUrl.length > 1)
    problems.push([
      'REDIS_URL',
      'its seeds carry different credentials: put one user and password on all (or in REDIS_USERNAME and REDIS_PASSWORD)',
    ]);
  const urlUser = inUrl[0]?.username;
  const urlPassword = inUrl[0]?.password;
  if (username !== undefined && urlUser !== undefined)
    problems.push(['REDIS_USERNAME', 'REDIS_URL names a user too: keep one of them']);
  if (password !== undefined && urlPassword !== undefined)
    problems.push(['REDIS_PASSWORD', 'REDIS_URL carries a password too: keep one of them']);
  if (entra && (password !== undefined || urlPassword !== undefined))
    problems.push([
      'REDIS_ENTRA',
      'sends Microsoft Entra ID tokens as the Redis password, so no other password may be set: unset REDIS_PASSWORD and take the password out of REDIS_URL',
    ]);
  if (
    env.REDIS_ENTRA === false &&
    (username ?? urlUser) !== undefined &&
    (password ?? urlPassword) === undefined
  )
    problems.push([
      username !== undefined ? 'REDIS_USERNAME' : 'REDIS_URL',
      'names a Redis user but no password: set REDIS_PASSWORD (or REDIS_ENTRA=true for Microsoft Entra ID)',
    ]);
  return problems;
}

/** The Redis connection the variables describe (after `redisProblems` found nothing). */
function redisTarget(env: {
  REDIS_URL: string[];
  REDIS_CLUSTER: boolean;
  REDIS_CA_FILE?: string | undefined;
  REDIS_USERNAME?: string | undefined;
  REDIS_PASSWORD?: string | undefined;
  REDIS_ENTRA: boolean;
  REDIS_ENTRA_SCOPE: string;
}): RedisTarget {
  const [inUrl] = urlCredentials(env.REDIS_URL);
  const username = env.REDIS_USERNAME ?? inUrl?.username;
  const password = env.REDIS_PASSWORD ?? inUrl?.password;
  const auth: RedisAuth = env.REDIS_ENTRA
    ? { type: 'entra', scope: env.REDIS_ENTRA_SCOPE, ...(username && { username }) }
    : password !== undefined
      ? { type: 'password', ...(username && { username }), password }
      : { type: 'none' };
  return {
    url: env.REDIS_URL[0] as string,
    urls: env.REDIS_URL,
    cluster: env.REDIS_CLUSTER,
    ...(env.REDIS_CA_FILE !== undefined && { caFile: env.REDIS_CA_FILE }),
    auth,
  };
}

/** The one schema: each variable on its own, then the rules that join several. */
export const envSchema = z.preprocess(
  onlyKnownVariables,
  z
    .object({
      SLACK_BOT_TOKEN: variable(
        secret('xoxb-', 'a bot token'),
        'required, a bot token starting with xoxb-',
      ),
      SLACK_SIGNING_SECRET: variable(anySecret).optional(),
      SLACK_APP_TOKEN: variable(secret('xapp-', 'an app-level token')).optional(),
      SLACK_API_URL: variable(slackApiUrl).prefault('https://slack.com/api/'),
      PORT: variable(wholeNumber(1, 65535, 'a port number')).prefault('3000'),
      AZURE_OPENAI_ENDPOINT: variable(azureEndpoint).optional(),
      AZURE_OPENAI_API_KEY: variable(anySecret).optional(),
      AZURE_OPENAI_TOKEN_SCOPE: variable(tokenScope).prefault(
        'https://cognitiveservices.azure.com/.default',
      ),
      AZURE_OPENAI_API_VERSION: variable(oneOf(['v1', 'preview'] as const)).optional(),
      OPENAI_API_KEY: variable(anySecret).optional(),
      OPENAI_BASE_URL: variable(apiRoot).prefault(OPENAI_API),
      REDIS_URL: variable(redisUrls).prefault('redis://127.0.0.1:6379'),
      REDIS_CLUSTER: variable(flag).prefault('false'),
      REDIS_CA_FILE: variable(caFile).optional(),
      REDIS_USERNAME: variable(redisUsername).optional(),
      REDIS_PASSWORD: variable(anySecret).optional(),
      REDIS_ENTRA: variable(flag).prefault('false'),
      REDIS_ENTRA_SCOPE: variable(tokenScope).prefault(DEFAULT_REDIS_ENTRA_SCOPE),
      FT_REDIS_NAMESPACE: variable(namespace).prefault(DEFAULT_NAMESPACE),
      FT_APPROVER_IDS: variable(approverIds).prefault(','),
      FT_GATED_ACTIONS: variable(gatedActions).prefault('pause,cancel'),
      FT_APPROVALS_REQUIRED: variable(wholeNumber(1, 10, 'a whole number')).prefault('1'),
      FT_APPROVER_SELF_SERVICE: variable(flag).prefault('false'),
      FT_APPROVAL_CHANNEL: variable(channelId).optional(),
      FT_APPROVAL_TTL_MINUTES: variable(
        wholeNumber(1, 10080, 'a whole number of minutes'),
      ).prefault('60'),
      // Seconds, not minutes, and no floor above 1: the sandbox and tests poll quickly.
      FT_POLL_INTERVAL_SECONDS: variable(
        wholeNumber(1, 86400, 'a whole number of seconds'),
      ).prefault('60'),
      FT_JOB_URL: variable(jobUrlTemplate).optional(),
      FT_PRICE_PER_MILLION_TOKENS: variable(pricePerMillion).optional(),
      FT_ROLE: variable(oneOf(ROLES, 'all, web, worker')).prefault('all'),
      FT_ANSWER_IN: variable(oneOf(ANSWER_PLACES, 'web, worker')).prefault('web'),
      LOG_LEVEL: variable(oneOf(LOG_LEVELS)).prefault('info'),
      FT_CONFIG: variable(configPath).optional(),
    })
    .superRefine(
      (env, ctx) => {
        if (env.SLACK_APP_TOKEN === undefined && env.SLACK_SIGNING_SECRET === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['SLACK_SIGNING_SECRET'],
            message:
              'required in HTTP mode (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode',
          });
        }
        for (const [path, message] of redisProblems(env)) {
          ctx.addIssue({ code: 'custom', path: [path], message });
        }
        if (
          env.AZURE_OPENAI_ENDPOINT === undefined &&
          env.OPENAI_API_KEY === undefined &&
          env.FT_CONFIG === undefined
        ) {
          ctx.addIssue({
            code: 'custom',
            path: [EITHER_BACKEND],
            message:
              env.AZURE_OPENAI_API_KEY === undefined
                ? 'one is required: AZURE_OPENAI_ENDPOINT (e.g. https://myres.openai.azure.com) for Azure, or OPENAI_API_KEY for the OpenAI platform (or FT_CONFIG, a file naming several resources)'
                : 'AZURE_OPENAI_API_KEY is set but AZURE_OPENAI_ENDPOINT is not (e.g. https://myres.openai.azure.com)',
          });
        }
      },
      // Run even when single variables failed, so every problem is reported in one go.
      { when: () => true },
    )
    .transform((env): EnvConfig => {
      const fineTuning: Config['fineTuning'] | undefined =
        env.AZURE_OPENAI_ENDPOINT !== undefined
          ? {
              provider: 'azure',
              baseUrl: env.AZURE_OPENAI_ENDPOINT,
              auth:
                env.AZURE_OPENAI_API_KEY !== undefined
                  ? { type: 'api-key', key: env.AZURE_OPENAI_API_KEY }
                  : { type: 'entra', scope: env.AZURE_OPENAI_TOKEN_SCOPE },
              ...(env.AZURE_OPENAI_API_VERSION && { apiVersion: env.AZURE_OPENAI_API_VERSION }),
            }
          : env.OPENAI_API_KEY !== undefined
            ? {
                provider: 'openai',
                baseUrl: env.OPENAI_BASE_URL,
                auth: { type: 'bearer', token: env.OPENAI_API_KEY },
              }
            : undefined;
      return {
        slack: {
          botToken: env.SLACK_BOT_TOKEN,
          ...(env.SLACK_SIGNING_SECRET !== undefined && {
            signingSecret: env.SLACK_SIGNING_SECRET,
          }),
          ...(env.SLACK_APP_TOKEN !== undefined && { appToken: env.SLACK_APP_TOKEN }),
          apiUrl: env.SLACK_API_URL,
          socketMode: env.SLACK_APP_TOKEN !== undefined,
        },
        port: env.PORT,
        ...(fineTuning ? { fineTuning } : {}),
        redis: { ...redisTarget(env), namespace: env.FT_REDIS_NAMESPACE },
        approval: {
          approvers: env.FT_APPROVER_IDS,
          gatedActions: env.FT_GATED_ACTIONS,
          approvalsRequired: env.FT_APPROVALS_REQUIRED,
          selfService: env.FT_APPROVER_SELF_SERVICE,
          ...(env.FT_APPROVAL_CHANNEL !== undefined && { channel: env.FT_APPROVAL_CHANNEL }),
          ttlMinutes: env.FT_APPROVAL_TTL_MINUTES,
        },
        poller: { intervalSeconds: env.FT_POLL_INTERVAL_SECONDS },
        // OpenAI's dashboard has one address per job; Azure AI Foundry's depends on the
        // project, so it is linked only when FT_JOB_URL says where.
        ...((env.FT_JOB_URL ??
          (fineTuning?.provider === 'openai' && fineTuning.baseUrl === OPENAI_API
            ? 'https://platform.openai.com/finetune/{job}'
            : undefined)) && {
          jobUrl: env.FT_JOB_URL ?? 'https://platform.openai.com/finetune/{job}',
        }),
        ...(env.FT_PRICE_PER_MILLION_TOKENS !== undefined && {
          pricePerMillionTokens: env.FT_PRICE_PER_MILLION_TOKENS,
        }),
        role: env.FT_ROLE,
        answerIn: env.FT_ANSWER_IN,
        logLevel: env.LOG_LEVEL,
        access: OPEN_ACCESS,
        ...(env.FT_CONFIG !== undefined ? { configFile: env.FT_CONFIG } : {}),
      };
    }),
);

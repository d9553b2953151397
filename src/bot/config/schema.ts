import { z } from 'zod';
import { DEFAULT_NAMESPACE } from '../../store/keys.ts';
import { DEFAULT_REDIS_ENTRA_SCOPE } from '../../store/redis.ts';
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
import { redisProblems, redisTarget } from './redis-env.ts';
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

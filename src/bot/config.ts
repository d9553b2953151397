import { z } from 'zod';
import type { ClientAuth } from '../api/types.ts';
import type { ApprovalPolicyConfig } from '../handlers/approval/index.ts';
import { DEFAULT_NAMESPACE } from '../store/keys.ts';
import { isMutatingVerb, MUTATING_VERBS, type MutatingVerb } from '../vocabulary/index.ts';

/** pino's levels, in order of severity. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Which parts one process runs: the Slack-facing web side, the poller worker, or both. */
export const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** Variables whose values are never echoed in a message or a log line. */
export const SECRET_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'AZURE_OPENAI_API_KEY',
  'OPENAI_API_KEY',
] as const;

/** Every variable ftops reads, in the order problems are reported (the README table's order). */
export const CONFIG_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'PORT',
  'AZURE_OPENAI_ENDPOINT',
  'AZURE_OPENAI_API_KEY',
  'AZURE_OPENAI_TOKEN_SCOPE',
  'AZURE_OPENAI_API_VERSION',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'REDIS_URL',
  'FT_REDIS_NAMESPACE',
  'FT_APPROVER_IDS',
  'FT_GATED_ACTIONS',
  'FT_APPROVALS_REQUIRED',
  'FT_APPROVER_SELF_SERVICE',
  'FT_APPROVAL_CHANNEL',
  'FT_APPROVAL_TTL_MINUTES',
  'FT_POLL_INTERVAL_SECONDS',
  'FT_ROLE',
  'LOG_LEVEL',
] as const;
type Variable = (typeof CONFIG_VARIABLES)[number];

/** The validated, deeply frozen configuration of one ftops process. */
export interface Config {
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret?: string;
    readonly appToken?: string;
    /** Slack Web API base URL, always ending in `/`. */
    readonly apiUrl: string;
    /** True when SLACK_APP_TOKEN is set: Bolt connects over Socket Mode instead of serving HTTP. */
    readonly socketMode: boolean;
  };
  readonly port: number;
  readonly fineTuning: {
    readonly provider: 'azure' | 'openai';
    /** The API root: `{endpoint}/openai/v1` for Azure, OPENAI_BASE_URL for OpenAI; no trailing slash. */
    readonly baseUrl: string;
    readonly auth: Readonly<ClientAuth>;
    readonly apiVersion?: 'v1' | 'preview';
  };
  readonly redis: { readonly url: string; readonly namespace: string };
  readonly approval: ApprovalPolicyConfig;
  readonly poller: { readonly intervalSeconds: number };
  readonly role: Role;
  readonly logLevel: LogLevel;
}

/** The environment is not usable; `problems` holds one line per bad or missing variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid configuration (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = Object.freeze([...problems]);
  }
}

// Values that look like credentials are never echoed, even from a non-secret variable
// (a token pasted into the wrong variable is still a token).
const LOOKS_SECRET = /xox[a-z]-|xapp-|\bsk-|:\/\/[^/\s]*:[^/\s]*@/i;

/** How a bad (non-secret) value is quoted back: JSON-escaped, cut short, credentials hidden. */
function shown(value: unknown): string {
  if (typeof value !== 'string') return `a ${typeof value}`;
  if (LOOKS_SECRET.test(value)) return 'a value that looks like a credential (not shown)';
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
}

/** A transform step that either returns the parsed value or a problem message. */
type Parse<T> = (value: string) => T | { problem: string };

/** A string variable parsed by `parse`; its problem becomes a zod issue on that variable. */
function variable<T>(parse: Parse<T>, missing?: string) {
  return z
    .string({
      error: (iss) => (iss.input === undefined && missing ? missing : 'expected a string'),
    })
    .transform((value, ctx): T => {
      const result = parse(value);
      if (typeof result === 'object' && result !== null && 'problem' in result) {
        ctx.addIssue({ code: 'custom', message: result.problem });
        return z.NEVER;
      }
      return result as T;
    });
}

function wholeNumber(min: number, max: number, what: string): Parse<number> {
  return (value) => {
    const n = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    return n >= min && n <= max
      ? n
      : { problem: `expected ${what} from ${min} to ${max}, got ${shown(value)}` };
  };
}

function oneOf<const T extends readonly string[]>(
  values: T,
  label = values.join(', '),
): Parse<T[number]> {
  return (value) => {
    const lower = value.toLowerCase();
    return values.includes(lower)
      ? (lower as T[number])
      : { problem: `expected one of ${label}, got ${shown(value)}` };
  };
}

function httpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

const slackApiUrl: Parse<string> = (value) => {
  const url = httpUrl(value);
  if (!url) return { problem: `expected an http(s) URL, got ${shown(value)}` };
  // The Web API client joins method names onto this base, so it must end with a slash.
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Accepts the resource endpoint, with or without a trailing `/openai/v1`, and returns the API root. */
const azureEndpoint: Parse<string> = (value) => {
  const url = httpUrl(value);
  const secure = url?.protocol === 'https:' || LOOPBACK_HOSTS.has(url?.hostname ?? '');
  if (!url || !secure || url.search || url.hash || url.username || url.password) {
    return {
      problem: `expected the resource endpoint as an https URL, e.g. https://myres.openai.azure.com (http only for localhost), got ${shown(value)}`,
    };
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/i, '');
  return `${url.origin}${path}/openai/v1`;
};

const apiRoot: Parse<string> = (value) => {
  const url = httpUrl(value);
  if (!url || url.search || url.hash)
    return { problem: `expected an http(s) URL, got ${shown(value)}` };
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
};

const redisUrl: Parse<string> = (value) => {
  try {
    const url = new URL(value);
    if (url.protocol === 'redis:' || url.protocol === 'rediss:') return value;
  } catch {}
  // Not echoed: a Redis URL often carries a password.
  return { problem: 'is set but is not a redis:// or rediss:// URL (value not shown)' };
};

const USER_ID = /^[UW][A-Z0-9]+$/;
const GROUP_ID = /^S[A-Z0-9]+$/;

const approverIds: Parse<{ users: string[]; groups: string[] }> = (value) => {
  const entries = [...new Set(value.split(',').map((entry) => entry.trim()))].filter(Boolean);
  const bad = entries.filter((id) => !USER_ID.test(id) && !GROUP_ID.test(id));
  if (bad.length > 0) {
    return {
      problem: `${bad.map(shown).join(', ')}: expected Slack user IDs (U…, W…) or user-group IDs (S…), uppercase, e.g. U0123ABCD`,
    };
  }
  return {
    users: entries.filter((id) => USER_ID.test(id)),
    groups: entries.filter((id) => GROUP_ID.test(id)),
  };
};

const gatedActions: Parse<MutatingVerb[]> = (value) => {
  const entries = value
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  // An empty value means "unset" (the default), so turning the gate off is spelled `none`.
  if (entries.length === 1 && entries[0] === 'none') return [];
  const bad = entries.filter((entry) => !isMutatingVerb(entry));
  if (bad.length > 0 || entries.length === 0) {
    return {
      problem: `expected a comma list of ${MUTATING_VERBS.join(', ')} (or none), got ${shown(value)}`,
    };
  }
  return MUTATING_VERBS.filter((verb) => entries.includes(verb));
};

const BOOLEANS = new Map([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['no', false],
]);
const flag: Parse<boolean> = (value) =>
  BOOLEANS.get(value.toLowerCase()) ?? {
    problem: `expected true or false (or 1/0, yes/no), got ${shown(value)}`,
  };

const channelId: Parse<string> = (value) =>
  /^[CG][A-Z0-9]+$/.test(value)
    ? value
    : { problem: `expected a channel ID such as C0123ABCD (not a #name), got ${shown(value)}` };

const tokenScope: Parse<string> = (value) =>
  /^\S+$/.test(value)
    ? value
    : {
        problem: `expected a scope such as https://cognitiveservices.azure.com/.default, got ${shown(value)}`,
      };

const namespace: Parse<string> = (value) =>
  /^[A-Za-z0-9_-]{1,64}$/.test(value)
    ? value
    : { problem: `expected up to 64 letters, digits, - or _, got ${shown(value)}` };

const secret =
  (prefix: string, kind: string): Parse<string> =>
  (value) =>
    value.startsWith(prefix)
      ? value
      : { problem: `is set but does not look like ${kind} (${prefix}…)` };

const anySecret: Parse<string> = (value) => value;

/** Empty (or blank) strings count as unset, as in t3-env; values are trimmed. */
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

const EITHER_BACKEND = 'AZURE_OPENAI_ENDPOINT or OPENAI_API_KEY';

/** The one schema: each variable on its own, then the rules that join several. */
const envSchema = z.preprocess(
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
      OPENAI_BASE_URL: variable(apiRoot).prefault('https://api.openai.com/v1'),
      REDIS_URL: variable(redisUrl).prefault('redis://127.0.0.1:6379'),
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
      FT_ROLE: variable(oneOf(ROLES, 'all, web, worker')).prefault('all'),
      LOG_LEVEL: variable(oneOf(LOG_LEVELS)).prefault('info'),
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
        if (env.AZURE_OPENAI_ENDPOINT === undefined && env.OPENAI_API_KEY === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [EITHER_BACKEND],
            message:
              env.AZURE_OPENAI_API_KEY === undefined
                ? 'one is required: AZURE_OPENAI_ENDPOINT (e.g. https://myres.openai.azure.com) for Azure, or OPENAI_API_KEY for the OpenAI platform'
                : 'AZURE_OPENAI_API_KEY is set but AZURE_OPENAI_ENDPOINT is not (e.g. https://myres.openai.azure.com)',
          });
        }
      },
      // Run even when single variables failed, so every problem is reported in one go.
      { when: () => true },
    )
    .transform((env): Config => {
      const fineTuning: Config['fineTuning'] =
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
          : {
              provider: 'openai',
              baseUrl: env.OPENAI_BASE_URL,
              auth: { type: 'bearer', token: env.OPENAI_API_KEY ?? '' },
            };
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
        fineTuning,
        redis: { url: env.REDIS_URL, namespace: env.FT_REDIS_NAMESPACE },
        approval: {
          approvers: env.FT_APPROVER_IDS,
          gatedActions: env.FT_GATED_ACTIONS,
          approvalsRequired: env.FT_APPROVALS_REQUIRED,
          selfService: env.FT_APPROVER_SELF_SERVICE,
          ...(env.FT_APPROVAL_CHANNEL !== undefined && { channel: env.FT_APPROVAL_CHANNEL }),
          ttlMinutes: env.FT_APPROVAL_TTL_MINUTES,
        },
        poller: { intervalSeconds: env.FT_POLL_INTERVAL_SECONDS },
        role: env.FT_ROLE,
        logLevel: env.LOG_LEVEL,
      };
    }),
);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function orderOf(name: PropertyKey | undefined): number {
  const index = CONFIG_VARIABLES.indexOf(
    (name === EITHER_BACKEND ? 'AZURE_OPENAI_ENDPOINT' : name) as Variable,
  );
  return index === -1 ? CONFIG_VARIABLES.length : index;
}

/** Replaces any secret value from `env` found in `text`: a last guard behind the messages above. */
function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let safe = text;
  for (const name of SECRET_VARIABLES) {
    const raw = env[name];
    const value = typeof raw === 'string' ? raw.trim() : undefined;
    // Very short values would blank out ordinary words; they are not credentials anyway.
    if (value && value.length >= 6) safe = safe.split(value).join(`[${name}]`);
  }
  return safe;
}

/**
 * Reads and validates the whole environment at once. Throws a `ConfigError` listing every
 * bad or missing variable; never echoes a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (result.success) return deepFreeze(result.data);
  const problems = [...result.error.issues]
    .sort((a, b) => orderOf(a.path[0]) - orderOf(b.path[0]))
    .map((issue) => redactSecrets(`${issue.path.map(String).join('.')}: ${issue.message}`, env));
  throw new ConfigError(problems);
}

/** Where `exitOnConfigError` writes and how it ends the process; injectable for tests. */
export interface ExitIO {
  writeError(text: string): void;
  exit(code: number): never;
}

const processIO: ExitIO = {
  writeError: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** Runs `load`; on a `ConfigError` prints its problems (no stack trace) and exits with code 2. */
export function exitOnConfigError<T>(load: () => T, io: ExitIO = processIO): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.writeError(`ftops: cannot start, ${error.message}\nSee README.md → Configuration.\n`);
    return io.exit(2);
  }
}

function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.href;
  } catch {
    return 'unparseable (not shown)';
  }
}

const setOrUnset = (value: unknown) => (value ? 'set' : 'unset');

/** A summary of the configuration that is safe to log: secrets appear only as "set"/"unset". */
export function describeConfig(config: Config) {
  const { slack, fineTuning, approval } = config;
  const { auth } = fineTuning;
  return {
    slack: {
      mode: slack.socketMode ? 'socket' : 'http',
      botToken: setOrUnset(slack.botToken),
      signingSecret: setOrUnset(slack.signingSecret),
      appToken: setOrUnset(slack.appToken),
      apiUrl: slack.apiUrl,
    },
    port: config.port,
    fineTuning: {
      provider: fineTuning.provider,
      baseUrl: fineTuning.baseUrl,
      auth:
        auth.type === 'entra' ? `entra (scope ${auth.scope ?? 'default'})` : `${auth.type} (set)`,
      apiVersion: fineTuning.apiVersion ?? 'not sent',
    },
    redis: { url: redactRedisUrl(config.redis.url), namespace: config.redis.namespace },
    approval: {
      approvers: [...approval.approvers.users, ...approval.approvers.groups],
      gatedActions: [...approval.gatedActions],
      approvalsRequired: approval.approvalsRequired,
      selfService: approval.selfService,
      channel: approval.channel ?? 'the channel asked in',
      ttlMinutes: approval.ttlMinutes,
    },
    pollIntervalSeconds: config.poller.intervalSeconds,
    role: config.role,
    logLevel: config.logLevel,
  };
}

import type { ClientAuth } from '../../api/types.ts';
import type { ApprovalPolicyConfig } from '../../handlers/approval/index.ts';
import type { RedisTarget } from '../../store/redis.ts';
import type { AccessConfig, ResourceConfig } from './resources.ts';

/** The variables ftops reads, the configuration they make and the error when they are wrong. */

/** pino's levels, in order of severity. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Which parts one process runs: the Slack-facing web side, the poller worker, or both. */
export const ROLES = ['all', 'web', 'worker'] as const;
export type Role = (typeof ROLES)[number];
/** Where a command or an Approve click is worked on after its ack (FT_ANSWER_IN). */
export const ANSWER_PLACES = ['web', 'worker'] as const;
export type AnswerPlace = (typeof ANSWER_PLACES)[number];

/** Variables whose values are never echoed in a message or a log line. */
export const SECRET_VARIABLES = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'AZURE_OPENAI_API_KEY',
  'OPENAI_API_KEY',
  'REDIS_PASSWORD',
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
  'REDIS_CLUSTER',
  'REDIS_CA_FILE',
  'REDIS_USERNAME',
  'REDIS_PASSWORD',
  'REDIS_ENTRA',
  'REDIS_ENTRA_SCOPE',
  'FT_REDIS_NAMESPACE',
  'FT_APPROVER_IDS',
  'FT_GATED_ACTIONS',
  'FT_APPROVALS_REQUIRED',
  'FT_APPROVER_SELF_SERVICE',
  'FT_APPROVAL_CHANNEL',
  'FT_APPROVAL_TTL_MINUTES',
  'FT_POLL_INTERVAL_SECONDS',
  'FT_JOB_URL',
  'FT_PRICE_PER_MILLION_TOKENS',
  'FT_ROLE',
  'FT_ANSWER_IN',
  'LOG_LEVEL',
  'FT_CONFIG',
] as const;
export type Variable = (typeof CONFIG_VARIABLES)[number];

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
  /**
   * The first resource's connection, for the tools that talk to one (the sandbox, the
   * emulator's self-test). Everything else reads `resources`.
   */
  readonly fineTuning: {
    readonly provider: 'azure' | 'openai';
    /** The API root: `{endpoint}/openai/v1` for Azure, OPENAI_BASE_URL for OpenAI; no trailing slash. */
    readonly baseUrl: string;
    readonly auth: Readonly<ClientAuth>;
    readonly apiVersion?: 'v1' | 'preview';
  };
  /** Where Redis is, how to reach it (cluster, TLS, credentials) and the key prefix. */
  readonly redis: RedisTarget & { readonly namespace: string };
  readonly approval: ApprovalPolicyConfig;
  readonly poller: { readonly intervalSeconds: number };
  /** The job page in the provider's portal, with `{job}` for the ID; none when unknown. */
  readonly jobUrl?: string;
  /** Dollars per million training tokens, for every resource that does not set its own. */
  readonly pricePerMillionTokens?: number;
  readonly role: Role;
  /**
   * `web`: the process that acks a command also answers it. `worker`: it acks and hands the
   * command (and Approve clicks) over Redis to a worker, which answers through response_url.
   */
  readonly answerIn: AnswerPlace;
  readonly logLevel: LogLevel;
  /**
   * Every fine-tuning backend, in the order written; the environment alone makes one named
   * `default` from the variables above.
   */
  readonly resources: readonly ResourceConfig[];
  /** Which channel may see and change what; open to everyone without a file. */
  readonly access: AccessConfig;
  /** The FT_CONFIG file these came from, when there is one. */
  readonly configFile?: string;
  /** Secrets read through the file, never to be logged. */
  readonly fileSecrets?: readonly string[];
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

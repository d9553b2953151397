import { z } from 'zod';
import { RESOURCE_NAME, VERBS } from '../../vocabulary/index.ts';
import {
  apiRoot,
  approverIds,
  azureEndpoint,
  channelId,
  gatedActions,
  jobUrlTemplate,
  shown,
  tokenScope,
} from './parsers.ts';

/**
 * The shape of the FT_CONFIG file, as written (snake_case). Objects are strict, so a typo in
 * a key is reported instead of silently ignored. Values reuse the environment's parsers, so a
 * value means the same in the file as in a variable. Secrets are never values here: only the
 * name of a variable (`…_env`) or of a mounted file (`…_file`) that holds them.
 */

type Parse<T> = (value: string) => T | { problem: string };

/** A string field parsed like the variable of the same meaning. */
function field<T>(parse: Parse<T>) {
  return z.string({ error: 'expected a string' }).transform((value, ctx): T => {
    const result = parse(value.trim());
    if (typeof result === 'object' && result !== null && 'problem' in result) {
      ctx.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    }
    return result as T;
  });
}

/** `[U…, S…]` or `"U…,S…"`: Slack user and user-group IDs. */
const idList = z
  .union([z.array(z.string()), z.string()], { error: 'expected a list of Slack user or group IDs' })
  .transform((v) => (Array.isArray(v) ? v.join(',') : v))
  .pipe(field(approverIds));

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected the name of an environment variable' });
const filePath = z.string().min(1, { error: 'expected a file path' });

const approvalSchema = z
  .strictObject({
    approvers: idList,
    approvals_required: z.int().min(1).max(10),
    self_service: z.boolean(),
    gated_actions: z
      .union([z.array(z.string()), z.string()])
      .transform((v) => (Array.isArray(v) ? (v.length === 0 ? 'none' : v.join(',')) : v))
      .pipe(field(gatedActions)),
    channel: field(channelId),
    ttl_minutes: z.int().min(1).max(10080),
  })
  .partial();

const pollInterval = z.int().min(1).max(86400);

/** A price in dollars per million training tokens (positive, finite, below a sane ceiling). */
const price = z
  .number({ error: 'expected a price in dollars per million training tokens' })
  .positive({ error: 'expected a positive price' })
  .max(1_000_000, { error: 'expected a price per million tokens below 1,000,000' });

/**
 * One price for every model on the resource, or one per base model (a name, or its start:
 * `gpt-4o-mini` prices `gpt-4o-mini-2024-07-18`; `*` for any other).
 */
const pricePerMillionTokens = z.union([price, z.record(z.string().min(1).max(200), price)], {
  error: 'expected a price (dollars per million training tokens) or {model: price, …}',
});

const azureAuth = z.union(
  [
    z.strictObject({ api_key_env: envName }),
    z.strictObject({ api_key_file: filePath }),
    z.strictObject({
      entra: z
        .strictObject({
          scope: field(tokenScope).optional(),
          /** A user-assigned managed identity's client ID; DefaultAzureCredential otherwise. */
          client_id: z.string().optional(),
        })
        .prefault({}),
    }),
  ],
  { error: 'expected one of {api_key_env: NAME}, {api_key_file: PATH} or {entra: {}}' },
);
const openaiAuth = z.union(
  [z.strictObject({ api_key_env: envName }), z.strictObject({ api_key_file: filePath })],
  { error: 'expected {api_key_env: NAME} or {api_key_file: PATH}' },
);

const common = {
  poll_interval_seconds: pollInterval.optional(),
  job_url: field(jobUrlTemplate).optional(),
  approval: approvalSchema.optional(),
  /** For the card's estimated cost; none shown without it. */
  price_per_million_tokens: pricePerMillionTokens.optional(),
};

const azureResource = z.strictObject({
  kind: z.literal('azure'),
  endpoint: field(azureEndpoint),
  api_version: z.enum(['v1', 'preview']).optional(),
  auth: azureAuth,
  ...common,
});

const openaiResource = z.strictObject({
  kind: z.literal('openai'),
  base_url: field(apiRoot).optional(),
  auth: openaiAuth,
  organization: z
    .string()
    .regex(/^org-[A-Za-z0-9]+$/, 'expected org-…')
    .optional(),
  project: z
    .string()
    .regex(/^proj_[A-Za-z0-9]+$/, 'expected proj_…')
    .optional(),
  webhook_secret_env: envName.optional(),
  webhook_secret_file: filePath.optional(),
  ...common,
});

const resourceSchema = z.discriminatedUnion('kind', [azureResource, openaiResource], {
  error: (iss) =>
    iss.code === 'invalid_union' && iss.input && typeof iss.input === 'object'
      ? `expected kind: azure or kind: openai, got ${shown((iss.input as { kind?: unknown }).kind)}`
      : 'expected a resource (kind: azure or kind: openai, with its endpoint and auth)',
});

const verbList = z.union([
  z.literal('all'),
  z.array(
    z.enum(VERBS, {
      error: (iss) => `expected a verb (${VERBS.join(', ')}), got ${shown(iss.input)}`,
    }),
  ),
]);
const resourceList = z.union([z.literal('all'), z.array(z.string())]);

const grantSchema = z.strictObject({ resources: resourceList, verbs: verbList });

const channelRuleSchema = z.strictObject({
  name: z.string().max(80).optional(),
  users: idList.optional(),
  allow: z.union([grantSchema.transform((g) => [g]), z.array(grantSchema)]),
});

export const configFileSchema = z.strictObject({
  defaults: z
    .strictObject({
      poll_interval_seconds: pollInterval.optional(),
      job_url: field(jobUrlTemplate).optional(),
      approval: approvalSchema.optional(),
    })
    .optional(),
  resources: z
    .record(
      z.string().regex(RESOURCE_NAME, {
        error: (iss) =>
          `a resource name is lowercase letters, digits and -, up to 40, got ${shown(iss.input)}`,
      }),
      resourceSchema,
    )
    .refine((r) => Object.keys(r).length > 0, { error: 'name at least one resource' }),
  access: z
    .strictObject({
      users: idList.optional(),
      admins: idList.optional(),
      default: channelRuleSchema.optional(),
      channels: z
        .record(
          z.string().regex(/^[CG][A-Z0-9]+$/, {
            error: (iss) =>
              `expected a channel ID such as C0123ABCD (not a #name), got ${shown(iss.input)}`,
          }),
          channelRuleSchema,
        )
        .optional(),
    })
    .optional(),
});

export type ConfigFile = z.output<typeof configFileSchema>;
export type ResourceEntry = z.output<typeof resourceSchema>;
export type ChannelRuleEntry = z.output<typeof channelRuleSchema>;
export type ApprovalEntry = z.output<typeof approvalSchema>;

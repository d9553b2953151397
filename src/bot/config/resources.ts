import type { AccessConfig } from '../../access/index.ts';
import type { ClientAuth } from '../../api/types.ts';
import type { ApprovalPolicyConfig } from '../../handlers/approval/index.ts';

/**
 * The many-resources part of the configuration: named fine-tuning backends, and which channel
 * may see and change which of them. The environment alone makes one resource named `default`
 * and one rule that lets every channel do everything, which is how ftops behaved before.
 */

export type { AccessConfig, ChannelRule, Grant } from '../../access/index.ts';
export { DEFAULT_RESOURCE } from '../../vocabulary/index.ts';

/** One fine-tuning backend: an Azure resource or Foundry project, or the OpenAI platform. */
export interface ResourceConfig {
  readonly name: string;
  readonly kind: 'azure' | 'openai';
  /** The API root (`…/openai/v1`, or OpenAI's base URL), no trailing slash. */
  readonly baseUrl: string;
  readonly auth: Readonly<ClientAuth>;
  readonly apiVersion?: 'v1' | 'preview';
  /** Extra headers on every call (OpenAI's `OpenAI-Organization`, `OpenAI-Project`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly pollIntervalSeconds: number;
  /** The job page in the provider's portal, with `{job}` for the ID; none when unknown. */
  readonly jobUrl?: string;
  /**
   * Dollars per million training tokens, for the card's estimated cost: one for every model,
   * or by base model (see `priceFor` in src/training/estimate.ts).
   */
  readonly pricePerMillionTokens?: number | Readonly<Record<string, number>>;
  /** The approval gate's rules for this resource (the global ones unless overridden). */
  readonly approval: ApprovalPolicyConfig;
  /** The `whsec_…` secret OpenAI signs this resource's webhooks with. */
  readonly webhookSecret?: string;
}

/** Every channel may do everything on every resource: the environment-only behaviour. */
export const OPEN_ACCESS: AccessConfig = {
  admins: { users: [], groups: [] },
  channels: {},
  default: {
    allow: [{ resources: 'all', verbs: 'all' }],
    source: 'the default (no FT_CONFIG file)',
  },
};

import type { Verb } from '../vocabulary/index.ts';

/** Slack user IDs and user-group IDs, as the approver list and the access rules name people. */
export interface PeopleList {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

/** One permission: these verbs on these resources. */
export interface Grant {
  readonly resources: 'all' | readonly string[];
  readonly verbs: 'all' | readonly Verb[];
}

/** What one channel (or the default) may do, and where in the file that is said. */
export interface ChannelRule {
  /** A label for messages, e.g. `#team-vision`; the channel link is used when absent. */
  readonly name?: string;
  /** Who may use ftops here; anyone who may use ftops at all when absent. */
  readonly users?: PeopleList;
  readonly allow: readonly Grant[];
  /** Where the rule is written, e.g. `ftops.yaml → access.channels.C0VISION`. */
  readonly source: string;
}

/** Who may use ftops, and what each channel may do with which resource. */
export interface AccessConfig {
  /** Who may use ftops at all; everyone in the workspace when absent. */
  readonly users?: PeopleList;
  /** Who can change these rules, named in every refusal. */
  readonly admins: PeopleList;
  readonly channels: Readonly<Record<string, ChannelRule>>;
  /** For channels not listed, and for direct messages. */
  readonly default: ChannelRule;
}

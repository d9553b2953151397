import {
  DEFAULT_CHANNELS,
  DEFAULT_USERGROUPS,
  DEFAULT_USERS,
  SLACK_WORKSPACE,
} from '../emulators/slack/index.ts';
import { TEAM_CHANNELS } from './resources.ts';

/** What the sandbox page calls each person, from the approver setting. */
export type SandboxRole = 'approver' | 'requester' | 'outsider' | 'bot';

/** One person of the emulated workspace as the page shows them. */
export interface DirectoryUser {
  id: string;
  name: string;
  realName: string;
  role: SandboxRole;
}

/** Names the page needs to render mentions and its channel list. */
export interface Directory {
  team: string;
  botUserId: string;
  users: DirectoryUser[];
  /** Each with its topic line, what it is for in the tour. */
  channels: Array<{ id: string; name: string; topic: string }>;
  groups: Array<{ id: string; handle: string; members: string[] }>;
}

/** The person who asks for things in the demo; everyone else who is not an approver is an outsider. */
export const DEMO_REQUESTER = 'U0REQUEST';

/**
 * A second approver, in the sandbox's workspace only: with one, N-of-M approvals could not be
 * tried, nor an approver's own request be approved by someone else.
 */
export const SECOND_APPROVER = { id: 'U0APPROV2', name: 'jordan', realName: 'Jordan Approver' };

/** The sandbox's approver group: avery and jordan. */
export const SANDBOX_USERGROUPS: Record<string, string[]> = {
  ...Object.fromEntries(
    Object.entries(DEFAULT_USERGROUPS).map(([id, e]) => [id, Array.isArray(e) ? [...e] : []]),
  ),
  S0APPROVERS: [
    ...(Array.isArray(DEFAULT_USERGROUPS.S0APPROVERS) ? DEFAULT_USERGROUPS.S0APPROVERS : []),
    SECOND_APPROVER.id,
  ],
};

/** The topic lines of the emulator's own channels. */
const TOPICS: Record<string, string> = {
  C0TRAINING: 'Watches every fine-tuning job',
  C0APPROVALS: 'Where ftops asks approvers',
};

/** Friendly handles for the fixture user groups (the emulator only knows their IDs). */
const GROUP_HANDLES: Record<string, string> = { S0APPROVERS: 'approvers' };

/**
 * The workspace's people, channels (the emulator's own and the team channels of the sandbox's
 * FT_CONFIG) and groups, each person labelled by the approver setting.
 */
export function buildDirectory(approvers: {
  users: readonly string[];
  groups: readonly string[];
}): Directory {
  const groups = Object.entries(SANDBOX_USERGROUPS).map(([id, members]) => ({
    id,
    handle: GROUP_HANDLES[id] ?? id.toLowerCase(),
    members: [...members],
  }));
  const approverIds = new Set(approvers.users);
  for (const group of groups) {
    if (approvers.groups.includes(group.id)) for (const m of group.members) approverIds.add(m);
  }
  const roleOf = (id: string, isBot?: boolean): SandboxRole => {
    if (isBot) return 'bot';
    if (approverIds.has(id)) return 'approver';
    return id === DEMO_REQUESTER ? 'requester' : 'outsider';
  };
  return {
    team: SLACK_WORKSPACE.teamName,
    botUserId: SLACK_WORKSPACE.botUserId,
    users: [...DEFAULT_USERS, SECOND_APPROVER].map((u) => ({
      id: u.id,
      name: u.name,
      realName: u.realName ?? u.name,
      role: roleOf(u.id, 'isBot' in u ? u.isBot : false),
    })),
    channels: [
      ...DEFAULT_CHANNELS.map((c) => ({ id: c.id, name: c.name, topic: TOPICS[c.id] ?? '' })),
      ...TEAM_CHANNELS.map((c) => ({ id: c.id, name: c.name, topic: c.topic })),
    ],
    groups,
  };
}

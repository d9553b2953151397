import {
  DEFAULT_CHANNELS,
  DEFAULT_USERGROUPS,
  DEFAULT_USERS,
  SLACK_WORKSPACE,
} from '../emulators/slack/index.ts';

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
  channels: Array<{ id: string; name: string }>;
  groups: Array<{ id: string; handle: string; members: string[] }>;
}

/** The person who asks for things in the demo; everyone else who is not an approver is an outsider. */
export const DEMO_REQUESTER = 'U0REQUEST';

/** Friendly handles for the fixture user groups (the emulator only knows their IDs). */
const GROUP_HANDLES: Record<string, string> = { S0APPROVERS: 'approvers' };

/** The workspace's people, channels and groups, each person labelled by the approver setting. */
export function buildDirectory(approvers: {
  users: readonly string[];
  groups: readonly string[];
}): Directory {
  const groups = Object.entries(DEFAULT_USERGROUPS).map(([id, entry]) => ({
    id,
    handle: GROUP_HANDLES[id] ?? id.toLowerCase(),
    members: Array.isArray(entry) ? [...entry] : [],
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
    users: DEFAULT_USERS.map((u) => ({
      id: u.id,
      name: u.name,
      realName: u.realName ?? u.name,
      role: roleOf(u.id, u.isBot),
    })),
    channels: DEFAULT_CHANNELS.map((c) => ({ id: c.id, name: c.name })),
    groups,
  };
}

import {
  type AccessConfig,
  ALWAYS_ALLOWED,
  mayRun,
  type PeopleList,
  ruleFor,
  visibleResources,
} from '../access/index.ts';
import type { ResourceConfig } from '../bot/config/index.ts';
import { VERBS } from '../vocabulary/index.ts';
import type { Directory } from './directory.ts';

/** One resource as the side panel lists it. */
export interface PanelResource {
  name: string;
  kind: 'azure' | 'openai';
  /** The API root ftops calls. */
  endpoint: string;
}

/** One channel's rule as the side panel lists it: what `/ft policy` there would say. */
export interface PanelChannelRule {
  channel: string;
  /** `#name`. */
  label: string;
  /** Where the rule is written (`ftops.yaml → access.channels.C…`, or the default). */
  source: string;
  /** Per resource the channel sees, what it may run there; and who may use ftops, if limited. */
  lines: string[];
}

/** The side panel's "Resources and channel rules". */
export interface AccessPanel {
  resources: PanelResource[];
  channels: PanelChannelRule[];
}

const list = (words: readonly string[]) => words.join(', ');

/**
 * The resources (name, kind, endpoint) and each of the workspace's channels' rules, in plain
 * sentences with people's names: per resource the channel sees, the verbs it may run there,
 * as `/ft policy` lists them (help, whoami and policy run everywhere, so they are left out).
 */
export function describeAccess(
  config: { resources: readonly ResourceConfig[]; access: AccessConfig },
  directory: Directory,
): AccessPanel {
  const names = config.resources.map((r) => r.name);
  const userName = (id: string) => directory.users.find((u) => u.id === id)?.name ?? id;
  const groupName = (id: string) => {
    const handle = directory.groups.find((g) => g.id === id)?.handle;
    return handle ? `@${handle}` : id;
  };
  const people = (p: PeopleList) => list([...p.groups.map(groupName), ...p.users.map(userName)]);
  const shown = VERBS.filter((v) => !ALWAYS_ALLOWED.includes(v));

  const channels = directory.channels.map((c): PanelChannelRule => {
    const rule = ruleFor(config.access, c.id);
    const lines = visibleResources(rule, names).map((name) => {
      const verbs = shown.filter((v) => mayRun(rule, v, name));
      return `${name}: ${verbs.length === shown.length ? 'every command' : list(verbs)}`;
    });
    if (lines.length === 0) lines.push('sees no resource');
    if (rule.users) lines.push(`only ${people(rule.users)} may use ftops here`);
    return { channel: c.id, label: `#${c.name}`, source: rule.source, lines };
  });
  return {
    resources: config.resources.map((r) => ({ name: r.name, kind: r.kind, endpoint: r.baseUrl })),
    channels,
  };
}

import type { ApproverList } from '../../handlers/approval/index.ts';
import type { ChannelRuleEntry, ConfigFile } from './file-schema.ts';
import type { Path, Report } from './file-types.ts';
import { shown } from './parsers.ts';
import type { AccessConfig, ChannelRule } from './resources.ts';

/** The access rules of the FT_CONFIG file: who may do what, on which resources, and where. */

export function resolveAccess(
  entry: ConfigFile['access'],
  names: ReadonlySet<string>,
  report: Report,
  label: string,
): AccessConfig {
  const rule = (e: ChannelRuleEntry, at: Path): ChannelRule => {
    e.allow.forEach((grant, i) => {
      if (grant.resources === 'all') return;
      grant.resources.forEach((name, j) => {
        if (!names.has(name))
          report(
            [...at, 'allow', ...(e.allow.length > 1 || i > 0 ? [i] : []), 'resources', j],
            `no resource is named ${shown(name)} (known: ${[...names].join(', ')})`,
          );
      });
    });
    return {
      ...(e.name ? { name: e.name.replace(/^#?/, '#') } : {}),
      ...(e.users ? { users: e.users } : {}),
      allow: e.allow.map((g) => ({ resources: g.resources, verbs: g.verbs })),
      source: `${label} → ${at.map(String).join('.')}`,
    };
  };
  const none: ApproverList = { users: [], groups: [] };
  const channels: Record<string, ChannelRule> = {};
  for (const [id, e] of Object.entries(entry?.channels ?? {}))
    channels[id] = rule(e, ['access', 'channels', id]);
  return {
    ...(entry?.users ? { users: entry.users } : {}),
    admins: entry?.admins ?? none,
    channels,
    // No default written: a listed channel gets its rule, any other may do everything, as
    // without a file. Writing `default` is how a team closes the rest of the workspace.
    default: entry?.default
      ? rule(entry.default, ['access', 'default'])
      : {
          allow: [{ resources: 'all', verbs: 'all' }],
          source: `${label} (no access.default: every verb on every resource)`,
        },
  };
}

import type { WebClient } from '@slack/web-api';
import type { ApproverList } from './types.ts';

/**
 * Who holds the approver role: a user listed by ID, or a member of a listed Slack user group.
 * Group membership comes from `usergroups.users.list` and is cached in process memory for at
 * most 60 s. Memory rather than Redis because the role check must not depend on a second
 * system to fail closed correctly, one call per group per minute per process is far inside
 * Slack's rate limit, and a 60 s staleness bound holds per process either way. Concurrent
 * checks share one in-flight lookup, so fifty clicks at once make one Slack call.
 * When Slack cannot answer, the check fails closed and says why.
 */

/** The one Slack method the role check calls. */
export type UsergroupsApi = Pick<WebClient, 'usergroups'>;

/** Result of a role check; `problems` explains lookups that failed (and so counted as "no"). */
export interface RoleCheck {
  approver: boolean;
  via?: 'user' | `group:${string}`;
  problems: string[];
}

/** Options of the role check. */
export interface ApproverRolesOptions {
  slack: UsergroupsApi;
  approvers: ApproverList;
  /** How long a group's membership is trusted; default and maximum 60 s. */
  cacheTtlMs?: number;
  clock?: () => number;
}

type Lookup = { ok: true; members: ReadonlySet<string> } | { ok: false; problem: string };

/** Checks whether a Slack user has the approver role. */
export class ApproverRoles {
  readonly #slack: UsergroupsApi;
  readonly #approvers: ApproverList;
  readonly #ttl: number;
  readonly #clock: () => number;
  readonly #cache = new Map<string, { at: number; lookup: Promise<Lookup> }>();

  constructor(opts: ApproverRolesOptions) {
    this.#slack = opts.slack;
    this.#approvers = opts.approvers;
    this.#ttl = Math.min(opts.cacheTtlMs ?? 60_000, 60_000);
    this.#clock = opts.clock ?? Date.now;
  }

  /** The configured approvers, for messages ("ask <!subteam^S1>"). */
  get approvers(): ApproverList {
    return this.#approvers;
  }

  /** Whether `userId` is an approver, and through what. */
  async check(userId: string, opts: { fresh?: boolean } = {}): Promise<RoleCheck> {
    if (this.#approvers.users.includes(userId))
      return { approver: true, via: 'user', problems: [] };
    const lookups = await Promise.all(
      this.#approvers.groups.map((g) => this.#members(g, opts.fresh === true)),
    );
    const problems: string[] = [];
    let via: RoleCheck['via'];
    this.#approvers.groups.forEach((group, i) => {
      const lookup = lookups[i];
      if (!lookup) return;
      if (!lookup.ok) problems.push(lookup.problem);
      else if (!via && lookup.members.has(userId)) via = `group:${group}`;
    });
    return via ? { approver: true, via, problems } : { approver: false, problems };
  }

  /** Forgets cached memberships (after a config reload, say). */
  clearCache(): void {
    this.#cache.clear();
  }

  #members(group: string, fresh = false): Promise<Lookup> {
    const now = this.#clock();
    const cached = this.#cache.get(group);
    if (!fresh && cached && now - cached.at < this.#ttl) return cached.lookup;
    const lookup = this.#fetch(group).then((result) => {
      // Failures are not cached: the next click asks Slack again.
      if (!result.ok && this.#cache.get(group)?.lookup === lookup) this.#cache.delete(group);
      return result;
    });
    this.#cache.set(group, { at: now, lookup });
    return lookup;
  }

  async #fetch(group: string): Promise<Lookup> {
    try {
      const res = await this.#slack.usergroups.users.list({ usergroup: group });
      return { ok: true, members: new Set(res.users ?? []) };
    } catch (err) {
      return { ok: false, problem: describeLookupFailure(group, err) };
    }
  }
}

/** Words a failed membership lookup for the person whose click was refused. */
export function describeLookupFailure(group: string, err: unknown): string {
  const e = err as { data?: { error?: unknown }; code?: unknown } | null;
  const slackError = typeof e?.data?.error === 'string' ? e.data.error : undefined;
  switch (slackError) {
    case 'plan_upgrade_required':
      return `User groups need a paid Slack plan, so membership of ${group} cannot be checked. List approvers by user ID in FT_APPROVER_IDS instead.`;
    case 'missing_scope':
      return `ftops lacks the usergroups:read scope, so membership of ${group} cannot be checked. Add the scope to the Slack app and reinstall it.`;
    case 'no_such_subteam':
    case 'subteam_not_found':
      return `User group ${group} does not exist; check FT_APPROVER_IDS.`;
    case undefined:
      break;
    default:
      return `Slack refused to list the members of ${group} (${slackError}), so it is not counted.`;
  }
  if (e?.code === 'slack_webapi_rate_limited_error') {
    return `Slack is rate limiting ftops, so membership of ${group} cannot be checked right now. Try again in a minute.`;
  }
  return `Slack did not answer whether you are in ${group}, so it is not counted. Try again in a minute.`;
}

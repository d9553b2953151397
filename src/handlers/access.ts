import {
  ALWAYS_ALLOWED,
  mayRun,
  type PeopleList,
  type Refusal,
  resourcesFor,
  ruleFor,
  visibleResources,
} from '../access/index.ts';
import { InvalidJobIdError } from '../api/errors.ts';
import { refusalView } from '../views/access.ts';
import type { MessageView } from '../views/types.ts';
import { jobKey, parseJobRef, type Verb } from '../vocabulary/index.ts';
import type { Caller, HandlerDeps } from './deps.ts';
import { JobNotFoundError } from './job-lookup.ts';

/**
 * The channel guardrails applied: every command, button and modal asks here before it reads or
 * changes anything. A refusal names the rule and who can change it; a job on a resource the
 * channel cannot see is "not found here", whether it exists elsewhere or not.
 */

/** A request the rules refuse; the listeners show `refusal` through the access view. */
export class AccessRefusedError extends Error {
  /** What the user reads: the refusal, its rule and who can change it. */
  readonly view: MessageView;
  constructor(
    readonly refusal: Refusal,
    channel: string,
    admins: PeopleList,
  ) {
    super('refused by the channel rules');
    this.name = 'AccessRefusedError';
    this.view = refusalView({ refusal, channel, admins });
  }
}

/** A bare job ID that two or more of the channel's resources have: the user picks one. */
export class AmbiguousJobError extends Error {
  constructor(
    readonly id: string,
    readonly keys: readonly string[],
  ) {
    super(`${id} exists on ${keys.length} resources`);
    this.name = 'AmbiguousJobError';
  }
}

/** The resources `verb` reaches for this caller here; throws AccessRefusedError when none. */
export async function admit(deps: HandlerDeps, caller: Caller, verb: Verb): Promise<string[]> {
  const rule = ruleFor(deps.access, caller.channelId);
  if (!ALWAYS_ALLOWED.includes(verb)) {
    const everyone = deps.access.users;
    if (everyone && !(await deps.isAmong(caller.userId, everyone)))
      throw new AccessRefusedError(
        { kind: 'not_a_user', scope: 'global', rule },
        caller.channelId,
        deps.access.admins,
      );
    if (rule.users && !(await deps.isAmong(caller.userId, rule.users)))
      throw new AccessRefusedError(
        { kind: 'not_a_user', scope: 'channel', rule },
        caller.channelId,
        deps.access.admins,
      );
  }
  const resources = resourcesFor(rule, verb, deps.resources.names);
  if (resources.length === 0)
    throw new AccessRefusedError(
      { kind: 'verb', verb, rule, elsewhere: [] },
      caller.channelId,
      deps.access.admins,
    );
  return resources;
}

/**
 * The key of the job `ref` names (a bare ID, or `<resource>:ftjob-…`), if `verb` may run on
 * it here. A bare ID on one resource is that resource's; on several, the index or the
 * resources themselves say which, and more than one match is an AmbiguousJobError.
 */
export async function admitJob(
  deps: HandlerDeps,
  caller: Caller,
  verb: Verb,
  ref: string,
  /** The resource a user picked after an AmbiguousJobError, for this bare ID. */
  picked?: string,
): Promise<string> {
  const allowed = await admit(deps, caller, verb);
  const parsed = parseJobRef(ref);
  if (!parsed) throw new InvalidJobIdError(ref);
  const rule = ruleFor(deps.access, caller.channelId);
  const visible = visibleResources(rule, deps.resources.names);
  const exact = parsed.kind === 'exact' ? parsed.resource : picked;
  if (exact !== undefined) {
    if (!visible.includes(exact)) throw notFoundHere(deps, ref, visible);
    if (!allowed.includes(exact))
      throw new AccessRefusedError(
        { kind: 'verb', verb, rule, elsewhere: allowed },
        caller.channelId,
        deps.access.admins,
      );
    return jobKey(exact, parsed.id);
  }
  if (visible.length === 1 && allowed.length === 1) return jobKey(allowed[0] as string, parsed.id);
  const { keys } = await deps.resources.find(visible, parsed.id);
  if (keys.length === 0) throw notFoundHere(deps, parsed.id, visible);
  const permitted = keys.filter((k) => allowed.some((r) => jobKey(r, parsed.id) === k));
  if (permitted.length === 0)
    throw new AccessRefusedError(
      { kind: 'verb', verb, rule, elsewhere: allowed },
      caller.channelId,
      deps.access.admins,
    );
  if (permitted.length > 1) throw new AmbiguousJobError(parsed.id, permitted);
  return permitted[0] as string;
}

/** Whether `verb` may run on job `key` here, without asking anyone (for rendering buttons). */
export function channelMay(deps: HandlerDeps, channel: string, verb: Verb, resource: string) {
  return mayRun(ruleFor(deps.access, channel), verb, resource);
}

function notFoundHere(deps: HandlerDeps, id: string, visible: readonly string[]) {
  const where =
    visible.length === 1
      ? deps.resources.hostOf(visible[0] as string)
      : `this channel’s resources (${visible.join(', ')})`;
  return new JobNotFoundError(id, where, []);
}

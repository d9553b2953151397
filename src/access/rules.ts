import type { Verb } from '../vocabulary/index.ts';
import type { AccessConfig, ChannelRule } from './types.ts';

/**
 * The channel guardrails as pure functions: which rule holds in a channel, which resources a
 * verb reaches there, and why a request is refused. Handlers (commands, buttons) and the
 * poller (who hears about which job) ask the same questions here.
 */

/** Verbs that only describe ftops or the caller: always allowed, so anyone can learn the rules. */
export const ALWAYS_ALLOWED: readonly Verb[] = ['help', 'whoami', 'policy'];

/** The rule that holds in `channel`: its own, or the default (also for direct messages). */
export function ruleFor(access: AccessConfig, channel: string): ChannelRule {
  return access.channels[channel] ?? access.default;
}

/** The resources on which `verb` may run under `rule`, in the order of `all`. */
export function resourcesFor(rule: ChannelRule, verb: Verb, all: readonly string[]): string[] {
  if (ALWAYS_ALLOWED.includes(verb)) return [...all];
  const allowed = new Set<string>();
  for (const grant of rule.allow) {
    if (grant.verbs !== 'all' && !grant.verbs.includes(verb)) continue;
    for (const name of grant.resources === 'all' ? all : grant.resources) allowed.add(name);
  }
  return all.filter((name) => allowed.has(name));
}

/** The resources a channel can see at all: those any of its grants names. */
export function visibleResources(rule: ChannelRule, all: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const grant of rule.allow)
    for (const name of grant.resources === 'all' ? all : grant.resources) seen.add(name);
  return all.filter((name) => seen.has(name));
}

/** Whether `verb` may run on `resource` in a channel under `rule`. */
export function mayRun(rule: ChannelRule, verb: Verb, resource: string): boolean {
  return resourcesFor(rule, verb, [resource]).length === 1;
}

/** Why a request is refused; the view turns it into words. */
export type Refusal =
  /** The caller is not among those who may use ftops (globally, or in this channel). */
  | { kind: 'not_a_user'; scope: 'global' | 'channel'; rule: ChannelRule }
  /** The verb runs on no resource here. */
  | { kind: 'verb'; verb: Verb; rule: ChannelRule; elsewhere: readonly string[] };

/**
 * Whether `verb` may run in this channel at all (on some resource), given whether the caller
 * is a user ftops lets in; `elsewhere` lists the resources the verb would reach in the rule's
 * own words, for the refusal.
 */
export function checkVerb(input: {
  rule: ChannelRule;
  verb: Verb;
  all: readonly string[];
}): { ok: true; resources: string[] } | { ok: false; refusal: Refusal } {
  const resources = resourcesFor(input.rule, input.verb, input.all);
  if (resources.length > 0) return { ok: true, resources };
  return {
    ok: false,
    refusal: { kind: 'verb', verb: input.verb, rule: input.rule, elsewhere: [] },
  };
}

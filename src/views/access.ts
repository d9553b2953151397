import type { ChannelRule, Grant, PeopleList, Refusal } from '../access/index.ts';
import { PICK_RESOURCE } from './action-ids.ts';
import { actionsBlock, button, contextBlock, headerBlock, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import {
  channelRef,
  code,
  EMPTY,
  escapeInline,
  groupMention,
  joinMd,
  type Mrkdwn,
  md,
  userMention,
} from './mrkdwn.ts';
import type { MessageView } from './types.ts';

/** The channel guardrails in words: refusals, `/ft policy`, and "which resource?". */

/** Who can change the rules, as mentions; a plain pointer when nobody is named. */
export function adminsText(admins: PeopleList): Mrkdwn {
  const who = [...admins.groups.map(groupMention), ...admins.users.map(userMention)];
  return who.length > 0
    ? md`Ask ${joinMd(who.slice(0, 10), ' or ')} to change it.`
    : md`Whoever runs ftops can change it (its configuration file).`;
}

function whereText(channel: string, rule: ChannelRule): Mrkdwn {
  if (rule.name) return escapeInline(rule.name);
  return /^[CG]/.test(channel) ? md`${channelRef(channel)}` : md`this conversation`;
}

function resourcesText(names: 'all' | readonly string[]): Mrkdwn {
  if (names === 'all') return md`every resource`;
  return joinMd(
    names.map((n) => code(n)),
    ', ',
  );
}

function verbsText(verbs: 'all' | readonly string[]): Mrkdwn {
  if (verbs === 'all') return md`every command`;
  return joinMd(
    verbs.map((v) => code(v)),
    ', ',
  );
}

function grantText(grant: Grant): Mrkdwn {
  return md`${verbsText(grant.verbs)} on ${resourcesText(grant.resources)}`;
}

/** Why a command or click was refused by the rules, which rule, and who can change it. */
export function refusalView(input: {
  refusal: Refusal;
  channel: string;
  admins: PeopleList;
}): MessageView {
  const { refusal, channel } = input;
  const here = whereText(channel, refusal.rule);
  let text: Mrkdwn;
  if (refusal.kind === 'not_a_user') {
    text =
      refusal.scope === 'global'
        ? md`⛔ You are not among the people who may use ftops in this workspace; nothing was done.`
        : md`⛔ In ${here}, ftops is for a listed set of people, and you are not among them; nothing was done.`;
  } else {
    const on =
      refusal.elsewhere.length > 0
        ? md` here except on ${resourcesText(refusal.elsewhere)}`
        : md` here`;
    text = md`⛔ ${code(refusal.verb)} is not allowed${on}; nothing was done.`;
  }
  const rule = md`Rule: ${escapeInline(refusal.rule.source)}. \`/ft policy\` shows what ${here} may do. ${adminsText(input.admins)}`;
  return fitMessage({ text, blocks: [sectionBlock(text), contextBlock(rule)] });
}

/** A bare ID on several resources: one button per resource, the command runs again on it. */
export function pickResourceView(input: {
  id: string;
  resources: readonly string[];
  commandText: string;
}): MessageView {
  const text = md`${code(input.id)} exists on ${input.resources.length} resources this channel uses. Which one did you mean?`;
  const buttons = input.resources.slice(0, 5).map((r) =>
    button({
      text: r,
      actionId: `${PICK_RESOURCE}.${r}`,
      value: JSON.stringify({ t: input.commandText.slice(0, 1500), r }),
    }),
  );
  const hint = md`Next time, name it exactly: ${code(`${input.resources[0]}:${input.id}`)}.`;
  return fitMessage({
    text,
    blocks: [sectionBlock(text), ...actionsBlock(buttons), contextBlock(hint)],
  });
}

/** One resource as `/ft policy` lists it. */
export interface PolicyResource {
  name: string;
  host: string;
  kind: 'azure' | 'openai';
  /** Verbs this channel may run on it, in the canonical order. */
  verbs: readonly string[];
  /** Every verb may run on it here. */
  allVerbs: boolean;
  approval: ApprovalRules;
}

function peopleText(people: PeopleList): Mrkdwn {
  const who = [...people.groups.map(groupMention), ...people.users.map(userMention)];
  return who.length > 0 ? joinMd(who.slice(0, 10), ', ') : md`_nobody_`;
}

/** What the policy view shows of a resource's approval rules (the gate's config fits it). */
export interface ApprovalRules {
  readonly gatedActions: readonly string[];
  readonly approvalsRequired: number;
  readonly selfService: boolean;
  readonly approvers: PeopleList;
}

function approvalText(a: ApprovalRules): Mrkdwn {
  if (a.gatedActions.length === 0) return md`no action needs approval`;
  const n = a.approvalsRequired === 1 ? md`1 approval` : md`${a.approvalsRequired} approvals`;
  const self = a.selfService ? md`; approvers' own requests run at once` : EMPTY;
  return md`${verbsText(a.gatedActions)} need ${n} from ${peopleText(a.approvers)}${self}`;
}

/** `/ft policy`: what this channel may do on which resource, who may use ftops, the approvals. */
export function policyView(input: {
  channel: string;
  rule: ChannelRule;
  everyone?: PeopleList;
  admins: PeopleList;
  resources: readonly PolicyResource[];
}): MessageView {
  const here = whereText(input.channel, input.rule);
  const title = md`What ${here} may do with ftops`;
  const lines: Mrkdwn[] = input.rule.allow.map((g) => md`• ${grantText(g)}`);
  const who: Mrkdwn[] = [];
  if (input.everyone) who.push(md`People who may use ftops at all: ${peopleText(input.everyone)}.`);
  if (input.rule.users) who.push(md`Here, only: ${peopleText(input.rule.users)}.`);
  const perResource = input.resources.map((r) => {
    const verbs = r.allVerbs ? md`every command` : verbsText(r.verbs);
    return md`*${code(r.name)}* (${escapeInline(r.kind === 'azure' ? 'Azure' : 'OpenAI')}, ${escapeInline(r.host)}): ${verbs}. Approval: ${approvalText(r.approval)}.`;
  });
  const none = md`_This channel sees no resource._`;
  const blocks = [
    headerBlock(`What this channel may do`),
    sectionBlock(md`${title}:\n${joinMd(lines, '\n')}`),
    ...(who.length ? [sectionBlock(joinMd(who, '\n'))] : []),
    sectionBlock(perResource.length ? joinMd(perResource, '\n') : none),
    contextBlock(md`Rule: ${escapeInline(input.rule.source)}. ${adminsText(input.admins)}`),
  ];
  return fitMessage({ text: title, blocks });
}

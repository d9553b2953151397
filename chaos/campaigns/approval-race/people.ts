import { pick, shuffle } from '../../lib/campaign.ts';
import { APPROVER, OUTSIDER } from '../../lib/world.ts';

/** Approvers through the user group S0APPROVERS (not listed by ID); APPROVER is listed by ID. */
export const GROUP_APPROVERS = ['U0GROUPAA', 'U0GROUPBB', 'U0GROUPCC', 'U0GROUPDD'] as const;
export const APPROVERS: readonly string[] = [APPROVER, ...GROUP_APPROVERS];
export const CLICKS_PER_TRIAL = 50;
export const REASONS = [
  'eval loss diverged',
  'need the GPUs for a hotfix',
  'wrong learning rate',
  'data leak suspected',
];

/**
 * Who clicks, in order: every approver but the requester at least once, the requester and the
 * outsider 4–8 times each, the rest random approvers; shuffled, then one outsider and one
 * requester click put first, one to each process, so the refusals of a still-pending request
 * are raced too, not only "already decided".
 */
export function clickers(random: () => number, requester: string): string[] {
  const deciders = APPROVERS.filter((a) => a !== requester);
  const users: string[] = [...deciders];
  const extra = 4 + pick(random, 5);
  for (let k = 0; k < extra; k++) users.push(requester, OUTSIDER);
  while (users.length < CLICKS_PER_TRIAL)
    users.push(deciders[pick(random, deciders.length)] as string);
  shuffle(random, users);
  for (const who of [OUTSIDER, requester]) users.unshift(...users.splice(users.indexOf(who), 1));
  return users;
}

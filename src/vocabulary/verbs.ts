import { JOB_ACTIONS } from '../api/actions.ts';

/**
 * The canonical `/ft` verbs. The parser, `help`, the manifest's usage hint (checked by
 * test/manifest.test.ts) and the approval gate all read this one list.
 */
export const VERBS = [
  'help',
  'list',
  'status',
  'events',
  'checkpoints',
  'chart',
  'pause',
  'resume',
  'cancel',
  'watch',
  'unwatch',
  'watching',
  'approvals',
  'audit',
  'whoami',
  'policy',
] as const;

/** One `/ft` verb. */
export type Verb = (typeof VERBS)[number];

/** The verbs that change a fine-tuning job; they take `--dry-run` and may be gated. */
export const MUTATING_VERBS = JOB_ACTIONS satisfies readonly Verb[];

/** A verb that changes a job. */
export type MutatingVerb = (typeof MUTATING_VERBS)[number];

/** Whether a word is one of the `/ft` verbs. */
export function isVerb(word: string): word is Verb {
  return (VERBS as readonly string[]).includes(word);
}

/** Whether a verb changes a job. */
export function isMutatingVerb(word: string): word is MutatingVerb {
  return (MUTATING_VERBS as readonly string[]).includes(word);
}

import type { KnownStatus } from '../api/schemas.ts';
import type { MutatingVerb, Verb } from './verbs.ts';

/** The `/ft` words: what a parsed command is, what can be wrong with one, and its limits. */

/** `list` shows this many jobs when no number is given. */
export const LIST_DEFAULT = 10;
/** The most jobs `list` shows. */
export const LIST_MAX = 50;
/** Reasons longer than this are cut (with an ellipsis). */
export const REASON_MAX = 500;

/** A parsed `/ft` command. `jobId: null` on watch/unwatch means every job; on audit, all jobs. */
export type Command =
  | { verb: 'help' }
  | { verb: 'list'; limit: number }
  | { verb: 'status' | 'events' | 'checkpoints' | 'chart'; jobId: string }
  | { verb: MutatingVerb; jobId: string; reason: string | null; dryRun: boolean }
  | { verb: 'watch'; jobId: string | null; only: KnownStatus[] | null }
  | { verb: 'unwatch'; jobId: string | null }
  | { verb: 'audit'; jobId: string | null }
  | { verb: 'watching' | 'approvals' | 'whoami' | 'policy' };

/** Why a command could not be parsed; `parseErrorMessage` turns it into words. */
export type ParseError =
  | { kind: 'unknown_verb'; verb: string; suggestion?: Verb }
  | { kind: 'missing_job'; verb: Verb }
  | { kind: 'invalid_job'; verb: Verb; input: string }
  | {
      kind: 'bad_argument';
      verb: Verb;
      /** Which argument: `n`, `--only`, a flag as typed, or `extra` for surplus words. */
      argument: string;
      input: string;
      expected: string;
      allowed?: readonly string[];
    };

/** The parser's result: a command, or an error to show the user. */
export type ParsedCommand = { ok: true; command: Command } | { ok: false; error: ParseError };

/**
 * Verbs only approvers may run (the audit trail names who did what). The one list: the
 * handler refuses by it, and help and whoami mark it.
 */
const APPROVER_ONLY_VERBS: readonly Verb[] = ['audit'];

/** Whether `verb` is for approvers only. */
export function isApproverOnly(verb: string): boolean {
  return (APPROVER_ONLY_VERBS as readonly string[]).includes(verb);
}

/** How each verb is written and what it does, for help and error messages. */
export const COMMAND_USAGE: Record<Verb, { usage: string; summary: string }> = {
  help: { usage: 'help', summary: 'show this help' },
  list: {
    usage: `list [n]`,
    summary: `the latest n jobs (default ${LIST_DEFAULT}, at most ${LIST_MAX})`,
  },
  status: { usage: 'status <job>', summary: 'a job card with status, timing and buttons' },
  events: { usage: 'events <job>', summary: 'the latest events of a job, with metrics' },
  checkpoints: { usage: 'checkpoints <job>', summary: 'the checkpoints a job has saved' },
  chart: { usage: 'chart <job>', summary: 'post a chart of the loss and accuracy curves' },
  pause: { usage: 'pause <job> [reason] [--dry-run]', summary: 'pause a running job' },
  resume: { usage: 'resume <job> [--dry-run]', summary: 'resume a paused job' },
  cancel: { usage: 'cancel <job> [reason] [--dry-run]', summary: 'cancel a job for good' },
  watch: {
    usage: 'watch <job>|all [--only failed,succeeded,…]',
    summary: 'announce status changes in this channel',
  },
  unwatch: { usage: 'unwatch <job>|all', summary: 'stop announcing in this channel' },
  watching: { usage: 'watching', summary: 'what this channel watches' },
  approvals: { usage: 'approvals', summary: 'approval requests waiting for a decision' },
  audit: { usage: 'audit [job]', summary: 'recent actions taken through ftops' },
  whoami: { usage: 'whoami', summary: 'your role and what you may run' },
  policy: { usage: 'policy', summary: 'what this channel may do, on which resources' },
};

import { ruleFor } from '../../access/index.ts';
import { pickResourceView } from '../../views/access.ts';
import { parseErrorView } from '../../views/errors.ts';
import type { MessageView } from '../../views/types.ts';
import { type ParsedCommand, parseCommand, parseJobRef } from '../../vocabulary/index.ts';
import { AccessRefusedError, AmbiguousJobError, admit, admitJob } from '../access.ts';
import type { Caller, HandlerDeps } from '../deps.ts';
import { auditLog, help, pendingApprovals, policy, whoami } from './about.ts';
import { chartJob } from './chart.ts';
import { jobCheckpoints, jobEvents, jobStatus, listJobs } from './job-reads.ts';
import { mutateJob } from './mutate.ts';
import { listWatching, unwatchJob, watchJob } from './watch.ts';

/** Runs one `/ft` command text for a caller and returns what to show them. */
export async function runCommand(
  deps: HandlerDeps,
  caller: Caller,
  text: string,
  /** The resource picked for the command's bare job ID, from a "which resource?" button. */
  picked?: string,
): Promise<{ verb: string; view: MessageView; userError: boolean }> {
  const parsed: ParsedCommand = parseCommand(text);
  if (!parsed.ok) {
    const verb =
      'verb' in parsed.error && typeof parsed.error.verb === 'string'
        ? parsed.error.verb
        : 'unknown';
    return {
      verb: parsed.error.kind === 'unknown_verb' ? 'unknown' : verb,
      view: parseErrorView(parsed.error),
      userError: true,
    };
  }
  const cmd = parsed.command;
  try {
    return { verb: cmd.verb, view: await dispatch(deps, caller, cmd, picked), userError: false };
  } catch (err) {
    if (err instanceof AccessRefusedError)
      return { verb: cmd.verb, view: err.view, userError: true };
    if (err instanceof AmbiguousJobError) {
      const resources = err.keys.map((k) => k.slice(0, k.length - err.id.length - 1) || 'default');
      return {
        verb: cmd.verb,
        view: pickResourceView({ id: err.id, resources, commandText: text }),
        userError: true,
      };
    }
    throw err;
  }
}

type Command = Extract<ParsedCommand, { ok: true }>['command'];

async function dispatch(
  deps: HandlerDeps,
  caller: Caller,
  cmd: Command,
  picked: string | undefined,
): Promise<MessageView> {
  // The job a command names, if it may run on it here: its key from now on.
  const job = (ref: string) =>
    admitJob(deps, caller, cmd.verb, ref, parseJobRef(ref)?.kind === 'bare' ? picked : undefined);
  switch (cmd.verb) {
    case 'help':
      return help(deps, caller);
    case 'policy':
      return policy(deps, caller, ruleFor(deps.access, caller.channelId));
    case 'list':
      return listJobs(deps, await admit(deps, caller, 'list'), cmd.limit);
    case 'status':
      return jobStatus(deps, caller, await job(cmd.jobId));
    case 'events':
      return jobEvents(deps, await job(cmd.jobId));
    case 'checkpoints':
      return jobCheckpoints(deps, await job(cmd.jobId));
    case 'chart':
      return chartJob(deps, caller, await job(cmd.jobId));
    case 'pause':
    case 'resume':
    case 'cancel':
      return mutateJob(deps, caller, { ...cmd, jobId: await job(cmd.jobId) });
    case 'watch':
      if (cmd.jobId === null) await admit(deps, caller, 'watch');
      return watchJob(deps, caller, {
        ...cmd,
        jobId: cmd.jobId === null ? null : await job(cmd.jobId),
      });
    case 'unwatch':
      if (cmd.jobId === null) await admit(deps, caller, 'unwatch');
      return unwatchJob(deps, caller, cmd.jobId === null ? null : await job(cmd.jobId));
    case 'watching':
      await admit(deps, caller, 'watching');
      return listWatching(deps, caller);
    case 'approvals':
      return pendingApprovals(deps, await admit(deps, caller, 'approvals'));
    case 'audit':
      if (cmd.jobId === null)
        return auditLog(deps, caller, null, await admit(deps, caller, 'audit'));
      return auditLog(deps, caller, await job(cmd.jobId));
    case 'whoami':
      return whoami(deps, caller);
  }
}

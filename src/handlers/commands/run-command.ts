import { parseErrorView } from '../../views/errors.ts';
import type { MessageView } from '../../views/types.ts';
import { type ParsedCommand, parseCommand } from '../../vocabulary/index.ts';
import type { Caller, HandlerDeps } from '../deps.ts';
import { auditLog, help, pendingApprovals, whoami } from './about.ts';
import { jobCheckpoints, jobEvents, jobStatus, listJobs } from './job-reads.ts';
import { mutateJob } from './mutate.ts';
import { listWatching, unwatchJob, watchJob } from './watch.ts';

/** Runs one `/ft` command text for a caller and returns what to show them. */
export async function runCommand(
  deps: HandlerDeps,
  caller: Caller,
  text: string,
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
  return { verb: cmd.verb, view: await dispatch(deps, caller, cmd), userError: false };
}

async function dispatch(
  deps: HandlerDeps,
  caller: Caller,
  cmd: Extract<ParsedCommand, { ok: true }>['command'],
): Promise<MessageView> {
  switch (cmd.verb) {
    case 'help':
      return help(deps, caller);
    case 'list':
      return listJobs(deps, cmd.limit);
    case 'status':
      return jobStatus(deps, caller, cmd.jobId);
    case 'events':
      return jobEvents(deps, cmd.jobId);
    case 'checkpoints':
      return jobCheckpoints(deps, cmd.jobId);
    case 'pause':
    case 'resume':
    case 'cancel':
      return mutateJob(deps, caller, cmd);
    case 'watch':
      return watchJob(deps, caller, cmd);
    case 'unwatch':
      return unwatchJob(deps, caller, cmd.jobId);
    case 'watching':
      return listWatching(deps, caller);
    case 'approvals':
      return pendingApprovals(deps);
    case 'audit':
      return auditLog(deps, caller, cmd.jobId);
    case 'whoami':
      return whoami(deps, caller);
  }
}

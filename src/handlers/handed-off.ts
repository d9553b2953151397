import { approveClick } from './actions/approval-buttons.ts';
import { answerCommand } from './commands/index.ts';
import type { HandedOff, HandlerDeps } from './deps.ts';
import { replyForError } from './reply.ts';

/** What is posted to a response_url: an ephemeral answer that never replaces the original. */
export interface ResponseBody {
  response_type: 'ephemeral';
  replace_original: false;
  text: string;
  blocks?: unknown[];
}

/**
 * Does the work another process acked (a command, an Approve click) and returns the answer
 * for its response_url: exactly what the acking process would have answered itself.
 */
export async function answerHandedOff(deps: HandlerDeps, work: HandedOff): Promise<ResponseBody> {
  if (work.kind === 'command') {
    const view = await answerCommand(deps, work.caller, work.text);
    return {
      response_type: 'ephemeral',
      replace_original: false,
      text: view.text,
      blocks: view.blocks,
    };
  }
  const { caller } = work;
  let answer: { text: string; blocks?: unknown[] };
  try {
    answer = (await approveClick(deps, caller.userId, work.requestId)).ephemeral;
  } catch (err) {
    const log = deps.logger.child({ correlationId: caller.correlationId, user: caller.userId });
    answer = replyForError(err, caller.correlationId, log);
  }
  return {
    response_type: 'ephemeral',
    replace_original: false,
    text: answer.text,
    ...(answer.blocks ? { blocks: answer.blocks } : {}),
  };
}

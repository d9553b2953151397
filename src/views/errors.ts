import { COMMAND_USAGE, type ParseError, VERBS } from '../vocabulary/index.ts';
import { contextBlock, sectionBlock } from './blocks.ts';
import { fitMessage } from './limits.ts';
import { code, escapeInline, escapeMrkdwn, joinMd, md, truncate } from './mrkdwn.ts';
import { parseErrorMessage } from './parse-error.ts';
import type { MessageView } from './types.ts';

/**
 * An error the user can act on. `message` is plain text (escaped here); the correlation ID
 * lets an operator find the log lines.
 */
export function errorView(message: string, correlationId?: string): MessageView {
  const text = md`⚠️ ${escapeMrkdwn(truncate(message, 2000))}`;
  const blocks = [sectionBlock(text)];
  if (correlationId)
    blocks.push(contextBlock(md`Reference: ${code(truncate(correlationId, 100))}`));
  return fitMessage({ text, blocks });
}

/** A job ID the API does not know: where it looked, the IDs it resembles, what to try. No reference: it is not a fault. */
export function notFoundView(input: {
  jobId: string;
  where: string;
  suggestions: readonly string[];
}): MessageView {
  const text = md`⚠️ ${code(truncate(input.jobId, 128))} was not found at ${escapeInline(truncate(input.where, 200))}.`;
  const hint =
    input.suggestions.length > 0
      ? md`Did you mean ${joinMd(
          input.suggestions.map((id) => code(id)),
          ' or ',
        )}? \`/ft list\` shows the newest jobs.`
      : md`\`/ft list\` shows the newest jobs and their IDs.`;
  return fitMessage({ text, blocks: [sectionBlock(text), contextBlock(hint)] });
}

/** Why `/ft …` was not understood, with the usage that applies and a "did you mean". */
export function parseErrorView(error: ParseError): MessageView {
  const text = md`⚠️ ${escapeMrkdwn(parseErrorMessage(error))}`;
  const usage =
    error.kind === 'unknown_verb'
      ? md`*Commands:* ${joinMd(
          VERBS.map((v) => code(v)),
          ' ',
        )}`
      : md`*Usage:* ${code(`/ft ${COMMAND_USAGE[error.verb].usage}`)}`;
  return fitMessage({
    text,
    blocks: [sectionBlock(text), contextBlock(md`${usage} · \`/ft help\` explains them.`)],
  });
}

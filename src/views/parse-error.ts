import { truncate as clip } from '../util/truncate.ts';
import { COMMAND_USAGE, type ParseError } from '../vocabulary/command.ts';

/** A one-paragraph, plain-text (not yet escaped) message telling the user what went wrong. */
export function parseErrorMessage(error: ParseError): string {
  switch (error.kind) {
    case 'unknown_verb': {
      const hint = error.suggestion ? ` Did you mean /ft ${error.suggestion}?` : '';
      return `I don't know the command "${error.verb}".${hint} Try /ft help for the list.`;
    }
    case 'missing_job':
      return `/ft ${error.verb} needs a job ID, like ftjob-abc123. Usage: /ft ${COMMAND_USAGE[error.verb].usage}`;
    case 'invalid_job':
      return `"${clip(error.input, 80)}" is not a fine-tuning job ID. Job IDs look like ftjob-abc123: "ftjob-" then letters, digits, "-" or "_". A link to the job works too.`;
    case 'bad_argument': {
      const what =
        error.argument === 'extra' ? `"${error.input}"` : `"${error.input}" for ${error.argument}`;
      const allowed = error.allowed ? ` Allowed: ${error.allowed.join(', ')}.` : '';
      return `/ft ${error.verb} did not expect ${what}: expected ${error.expected}.${allowed}`;
    }
  }
}

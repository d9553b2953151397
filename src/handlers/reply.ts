import type { Logger } from 'pino';
import { FineTuningError } from '../api/errors.ts';
import { isRedisUnavailable, RedisUnavailableError } from '../store/redis.ts';
import { errorView, notFoundView } from '../views/errors.ts';
import type { MessageView } from '../views/types.ts';
import { AccessRefusedError } from './access.ts';
import { ChartUploadError } from './commands/chart.ts';
import { JobNotFoundError, ResourcesUnavailableError } from './job-lookup.ts';

/**
 * Turns any failure into what the user reads. Errors of ours already carry a message fit for
 * a person; anything else is a bug, so the user gets the correlation ID and the log gets the
 * details under the same ID (never the other way round). `log` is the request's child logger,
 * which already carries the correlation ID, so it is not added to the line a second time.
 */
export function replyForError(err: unknown, correlationId: string, log: Logger): MessageView {
  if (err instanceof JobNotFoundError) return notFoundView(err);
  if (err instanceof AccessRefusedError) return err.view;
  if (err instanceof ChartUploadError) {
    log.warn({ code: err.code }, 'Slack refused a chart upload');
    return errorView(err.message, correlationId);
  }
  if (err instanceof ResourcesUnavailableError) {
    log.warn({ err }, 'no resource answered');
    return errorView(err.message, correlationId);
  }
  if (err instanceof FineTuningError) {
    log.warn({ err }, 'fine-tuning API call failed');
    return errorView(err.message, correlationId);
  }
  if (err instanceof RedisUnavailableError || isRedisUnavailable(err)) {
    log.error('Redis is not answering');
    return errorView(new RedisUnavailableError().message, correlationId);
  }
  // The logger shows an error's name and message, never its stack (src/bot/logger.ts).
  log.error({ err }, 'unexpected error in a Slack handler');
  return errorView(
    'Something went wrong on our side and nothing was changed. Please try again; if it keeps happening, give the operator this ID.',
    correlationId,
  );
}

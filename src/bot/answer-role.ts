import { answerHandedOff } from '../handlers/handed-off.ts';
import { buildHandlerDeps } from './handler-deps.ts';
import { createResponsePoster, HandoffWorker } from './handoff/index.ts';
import type { Services } from './services.ts';

/**
 * The worker's half of FT_ANSWER_IN=worker: answers the commands and Approve clicks a web
 * process acked and handed over, through their response_url. Loaded only where it runs, so
 * a worker without handoff never holds the handlers in memory.
 */
export function startAnswerWorker(s: Services): void {
  const deps = buildHandlerDeps(s);
  const poster = createResponsePoster(s.config.slack.apiUrl);
  const connection = s.redisConnector.bull({ name: 'ftops-answers' });
  const worker = new HandoffWorker({
    connection,
    keys: s.keys,
    answer: (work) => answerHandedOff(deps, work),
    post: poster.post,
    logger: s.logger.child({ component: 'answers' }),
  });
  s.stops.unshift(async () => {
    await worker.close();
    await poster.close();
    await connection.quit().catch(() => connection.disconnect());
  });
}

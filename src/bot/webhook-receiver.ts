import type { IncomingMessage, ServerResponse } from 'node:http';
import { PollScheduler } from '../poller/poll-scheduler.ts';
import { errorText } from '../util/error-text.ts';
import { jobKey } from '../vocabulary/index.ts';
import type { Services } from './services.ts';
import { createWebhookDedupe } from './webhooks/dedupe.ts';
import { createWebhookRoute } from './webhooks/route.ts';

/**
 * `POST /webhooks/openai/<resource>` for every resource with a webhook secret: a verified,
 * first-seen event asks the workers to read that job at once (a job on the sweep queue), so
 * a finished job is announced within seconds rather than at the next sweep. The receiving
 * process never calls the API itself: the answer to the sender stays fast, and the read
 * goes through the same compare-and-set as a sweep, so it is announced once either way.
 * Undefined when no resource has a secret.
 */
export function startWebhookReceiver(
  s: Services,
): ((req: IncomingMessage, res: ServerResponse) => void) | undefined {
  const secrets = new Map<string, string>();
  for (const r of s.resources.all)
    if (r.config.webhookSecret) secrets.set(r.name, r.config.webhookSecret);
  if (secrets.size === 0) return undefined;
  const logger = s.logger.child({ component: 'webhooks' });
  const reads = new PollScheduler({ connection: s.redis, keys: s.keys });
  // Redis trouble shows in the route's 503s and the workers' logs; BullMQ would add stacks.
  reads.queue.on('error', () => {});
  s.stops.unshift(() => reads.close());
  return createWebhookRoute({
    resources: secrets,
    claimDelivery: createWebhookDedupe(s.redis, s.keys.webhook),
    onJobEvent: (resource, id) =>
      reads.readNow(resource, jobKey(resource, id)).catch((err: unknown) => {
        // The delivery is claimed, so the sender will not retry: the next sweep is the backstop.
        logger.warn(
          { resource, jobId: id, err: errorText(err) },
          'could not queue the read a webhook asked for; the next sweep reads the job',
        );
      }),
    logger,
  });
}

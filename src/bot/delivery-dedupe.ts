import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';

/**
 * What makes a Slack delivery unique: the `trigger_id` of a command, click or form (one per
 * user action, in Slack's `digits.digits.hex` form), or the `event_id` of an event.
 */
export function deliveryIdOf(body: unknown): string | undefined {
  const b = (body ?? {}) as Record<string, unknown>;
  const trigger = b.trigger_id;
  if (typeof trigger === 'string' && /^\d{1,20}\.\d{1,20}\.[0-9a-f]{8,64}$/.test(trigger))
    return `t:${trigger}`;
  const event = b.event_id;
  if (typeof event === 'string' && /^Ev[A-Z0-9]{6,30}$/.test(event)) return `e:${event}`;
  return undefined;
}

/**
 * Global middleware: a delivery Slack sends again (Socket Mode `retry_attempt` > 0, an HTTP
 * `X-Slack-Retry-Num`) is acked and dropped, so a redelivered click or command has no second
 * effect. When Redis cannot say, the request goes on: its handler answers for Redis itself.
 */
export function dedupeDeliveries(
  claim: (id: string) => Promise<boolean>,
  logger: Logger,
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    // Over HTTP the front door claimed it already, with the signature (slack-ingress.ts).
    if ((args.context as { deliveryClaimed?: boolean }).deliveryClaimed) {
      await args.next();
      return;
    }
    const id = deliveryIdOf(args.body);
    let first = true;
    if (id !== undefined) {
      try {
        first = await claim(id);
      } catch {
        first = true;
      }
    }
    if (first) {
      await args.next();
      return;
    }
    logger.info('dropped a Slack delivery already handled (a redelivery or retry)');
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (typeof ack === 'function') await ack();
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { HandlerDeps } from '../handlers/deps.ts';
import { registerListeners } from '../handlers/index.ts';
import { claimDelivery, claimRequest } from '../store/replay.ts';
import { toSlackLogger } from './bolt-logger.ts';
import type { Config } from './config/index.ts';
import { dedupeDeliveries } from './delivery-dedupe.ts';
import { buildHandlerDeps } from './handler-deps.ts';
import { createResponsePoster, HandoffQueue } from './handoff/index.ts';
import { guardResponseUrls } from './response-url.ts';
import type { Services } from './services.ts';
import { FtopsApp } from './slack-app.ts';
import { replyClientOptions } from './slack-clients.ts';
import { createSlackIngress, newCorrelationId } from './slack-ingress.ts';
import {
  guardWorkspace,
  type Home,
  homeOf,
  isFromHome,
  originOf,
  rememberHome,
} from './workspace-guard.ts';

/**
 * The web role: answers Slack. One Bolt app either way; only the receiver differs, Socket Mode
 * (an outgoing WebSocket, started here) or HTTP (behind ftops' own ingress, which checks
 * signatures and replays before Bolt sees a request). Returns the HTTP handler for
 * `/slack/events`, or undefined in Socket Mode.
 */
export async function startWebRole(
  s: Services,
): Promise<((req: IncomingMessage, res: ServerResponse) => void) | undefined> {
  const { config, logger, metrics, redis, keys } = s;
  const deps: HandlerDeps = buildHandlerDeps(s);
  // Acked here, answered by a worker: this process stays free to ack the next request.
  if (config.answerIn === 'worker') deps.handoff = startHandoffQueue(s);
  const clientOptions = replyClientOptions(config.slack.apiUrl, logger);
  const slackLogger = toSlackLogger(logger, 'bolt');
  const receiver = createReceiver(config, slackLogger, clientOptions);
  const app = new FtopsApp(
    {
      token: config.slack.botToken,
      receiver,
      clientOptions,
      logger: slackLogger,
      // No conversation store: ftops keeps its state in Redis, and Bolt's default in-memory
      // one costs a middleware step on every request.
      convoStore: false,
    },
    logger.child({ component: 'bolt' }),
  );
  // Learnt now, so the first request does not wait for it; retried on a request if it failed.
  // Also kept at hand, so the door can tell a home request without waiting (slack-ingress.ts).
  let homeNow: Home | undefined;
  const home = rememberHome(async () => {
    homeNow = homeOf(await app.client.auth.test());
    return homeNow;
  });
  await home().catch(() =>
    logger.warn('Slack did not answer auth.test; requests are refused until it does'),
  );
  app.use(guardWorkspace(home, logger.child({ component: 'ingress' })));
  app.use(
    dedupeDeliveries(
      (id) => claimDelivery(redis, keys, id),
      logger.child({ component: 'ingress' }),
    ),
  );
  app.use(guardResponseUrls(config.slack.apiUrl, logger.child({ component: 'ingress' })));
  registerListeners(app, deps);
  if (receiver instanceof SocketModeReceiver) {
    await app.start();
    s.stops.unshift(() => app.stop());
    return undefined;
  }
  const poster = createResponsePoster(config.slack.apiUrl);
  s.stops.push(() => poster.close());
  return createSlackIngress({
    signingSecret: config.slack.signingSecret ?? '',
    boltListener: receiver.requestListener,
    claim: (signature, deliveryId) => claimRequest(redis, keys, signature, deliveryId),
    answerLater: (url, text) =>
      poster.post(url, { response_type: 'ephemeral', replace_original: false, text }),
    mayAckEarly: (body) => homeNow !== undefined && isFromHome(homeNow, originOf(body)),
    logger: logger.child({ component: 'ingress' }),
    onRefused: (reason) => metrics.slackRequestRefused(reason),
    onAnswered: (seconds, kind) => metrics.observeAck(seconds, kind),
  });
}

/** The one receiver factory: Socket Mode when an app token is configured, HTTP otherwise. */
function createReceiver(
  config: Config,
  logger: ReturnType<typeof toSlackLogger>,
  clientOptions: ReturnType<typeof replyClientOptions>,
): SocketModeReceiver | HTTPReceiver {
  if (config.slack.socketMode && config.slack.appToken) {
    return new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger,
      installerOptions: { clientOptions },
      customPropertiesExtractor: () => ({ correlationId: newCorrelationId() }),
    });
  }
  return new HTTPReceiver({
    signingSecret: config.slack.signingSecret ?? '',
    // The only way in is ftops' own door (slack-ingress.ts), which checked the signature and
    // its timestamp more strictly than Bolt does; a second HMAC would buy nothing.
    signatureVerification: false,
    logger,
    customPropertiesExtractor: (req) => {
      const tagged = req as { correlationId?: string; deliveryClaimed?: boolean };
      return {
        correlationId: tagged.correlationId ?? newCorrelationId(),
        deliveryClaimed: tagged.deliveryClaimed === true,
      };
    },
  });
}

/** The web side of FT_ANSWER_IN=worker: a queue on the command connection, closed on stop. */
function startHandoffQueue(s: Services): HandoffQueue {
  const handoff = new HandoffQueue({ connection: s.redis, keys: s.keys });
  s.stops.unshift(() => handoff.close());
  return handoff;
}

/**
 * Child process: the app under test for the ack bench, alone on its event loop. Started with
 * `ACK_TARGET` = `ftops` (the real app, `startFtops`), `bolt` (a bare Bolt app whose `/ft`
 * listener only acks: the baseline) or `bolt+ingress` (the bare Bolt app behind ftops's
 * ingress: strict signature check and Redis replay claim; it splits ftops's overhead in two).
 * `BENCH_ENV` holds the ftops environment as JSON. Tells the parent `{ port }`, then stops on
 * `{ cmd: 'stop' }`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { Redis } from 'ioredis';
import { noDelayRetryPolicy } from '../src/api/retry.ts';
import { secretsOf, startFtops } from '../src/bot/compose.ts';
import { loadConfig } from '../src/bot/config/index.ts';
import { createLogger } from '../src/bot/logger.ts';
import { createSlackIngress } from '../src/bot/slack-ingress.ts';
import { createKeys } from '../src/store/keys.ts';
import { claimRequest } from '../src/store/replay.ts';
import { fromParent, tellParent } from './child.ts';

/**
 * What the parent may ask of a target. `ftops-worker` is not measured itself: it is the worker
 * process (FT_ROLE=worker) that answers what an FT_ANSWER_IN=worker `ftops` hands it.
 */
export type AckTargetKind = 'ftops' | 'ftops-worker' | 'bolt' | 'bolt+ingress';

const kind = (process.env.ACK_TARGET ?? 'ftops') as AckTargetKind;
const env = JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>;
const config = loadConfig(env);
const logger = createLogger({ level: 'silent', secrets: secretsOf(config) });

async function start(): Promise<{ port: number; stop: () => Promise<void> }> {
  if (kind === 'ftops' || kind === 'ftops-worker') {
    const ftops = await startFtops({
      config: kind === 'ftops-worker' ? { ...config, role: 'worker' } : config,
      logger,
      port: 0,
      host: '127.0.0.1',
      retryPolicy: noDelayRetryPolicy,
    });
    return { port: ftops.port, stop: () => ftops.stop() };
  }
  const receiver = new HTTPReceiver({
    signingSecret: config.slack.signingSecret ?? '',
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    clientOptions: { slackApiUrl: config.slack.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.command('/ft', async ({ ack }) => {
    await ack();
  });
  // The baseline for a button click: acked, nothing else.
  app.action(/.*/, async ({ ack }) => {
    await ack();
  });
  if (kind === 'bolt') {
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    return {
      port: (server.address() as AddressInfo).port,
      stop: () => app.stop().then(() => undefined),
    };
  }
  // bolt+ingress: the same listener behind ftops's own front door, as compose.ts wires it.
  const redis = new Redis(config.redis.url);
  const keys = createKeys(config.redis.namespace);
  const ingress = createSlackIngress({
    signingSecret: config.slack.signingSecret ?? '',
    boltListener: receiver.requestListener,
    claim: (signature, deliveryId) => claimRequest(redis, keys, signature, deliveryId),
    logger,
  });
  const server = createServer(ingress);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await redis.quit();
    },
  };
}

const target = await start();
tellParent({ port: target.port });
await fromParent<{ cmd: 'stop' }>();
await target.stop();
tellParent({ stopped: true });
process.disconnect?.();

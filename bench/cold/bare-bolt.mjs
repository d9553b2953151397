// The baseline of the cold-start bench: a bare Bolt app over HTTP with one `/readyz` route,
// plain node, nothing else loaded. PORT and SLACK_SIGNING_SECRET come from the environment.
import bolt from '@slack/bolt';

const { App, HTTPReceiver, LogLevel } = bolt;
const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? 'x',
  logLevel: LogLevel.ERROR,
  customRoutes: [
    { path: '/readyz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('ok') },
  ],
});
const app = new App({
  token: 'xoxb-bench',
  receiver,
  logLevel: LogLevel.ERROR,
  tokenVerificationEnabled: false,
});
app.command('/ft', async ({ ack }) => ack());
await app.start(Number(process.env.PORT));

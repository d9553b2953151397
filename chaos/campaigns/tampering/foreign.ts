// A host that is not Slack, for rewritten response URLs to point at: anything it receives is a
// fault. Also the menu of response URLs that are not a click's own.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APPROVALS, TRAINING } from '../../lib/world.ts';
import { USERS } from './plan.ts';
import type { Setup } from './setup.ts';

/** A listener on a host that is not Slack; anything it receives is a fault. */
export interface Foreign {
  url: string;
  port: number;
  received: Array<{ method: string; url: string; body: string }>;
  close(): Promise<void>;
}

export async function startForeign(): Promise<Foreign> {
  const received: Foreign['received'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Response URLs that are not the click's own: other Slack ones, and a foreign host. */
export function foreignOrElsewhere(s: Setup, user: string): Array<[string, string]> {
  const { choose, hex } = s.draws;
  const { foreign, requests } = s;
  const slack = s.world.slack;
  const other = choose(USERS.filter((u) => u !== user));
  const someTs = choose(requests).ts;
  const path = `/response/${hex(24)}`;
  const slackOrigin = new URL(slack.url).host;
  return [
    ['another channel’s URL', slack.responseUrl(APPROVALS, user, someTs)],
    ['another user’s URL', slack.responseUrl(TRAINING, other)],
    ['foreign host', `${foreign.url}${path}`],
    ['foreign host (localhost)', `http://localhost:${foreign.port}${path}`],
    [
      'foreign host (Slack origin as userinfo)',
      `http://${slackOrigin}@127.0.0.1:${foreign.port}${path}`,
    ],
    [
      'foreign host (Slack URL in query)',
      `${foreign.url}${path}?next=${encodeURIComponent(slack.url)}`,
    ],
  ];
}

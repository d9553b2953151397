import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Server-Sent Events to every open page: each change the Slack emulator reports is pushed as
 * one named event with a JSON body, so what the poller posts appears without a reload.
 */
export class LiveFeed {
  readonly #clients = new Set<ServerResponse>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor() {
    // A comment line now and then keeps proxies and idle timeouts from closing the stream.
    this.#heartbeat = setInterval(() => this.#write(': keep-alive\n\n'), 15_000);
    this.#heartbeat.unref();
  }

  /** Answers `GET` with an open event stream and keeps it until the page goes away. */
  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    this.#clients.add(res);
    req.on('close', () => this.#clients.delete(res));
  }

  /** Sends one event to every open page. */
  send(event: string, data: unknown): void {
    this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends every stream (on shutdown, so the HTTP server can close). */
  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #write(chunk: string): void {
    for (const res of this.#clients) res.write(chunk);
  }
}

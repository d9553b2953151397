import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

/** The envelope types Slack sends over Socket Mode that the bot handles. */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** The outcome of one envelope: whether the app acked it in time, and what it acked with. */
export interface EnvelopeResult {
  acked: boolean;
  ackPayload?: unknown;
}

/** An envelope sent to the app, kept for assertions. */
export interface EnvelopeRecord {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  at: number;
  acked?: boolean;
  ackPayload?: unknown;
}

interface Pending {
  record: EnvelopeRecord;
  resolve: (r: EnvelopeResult) => void;
  timer: NodeJS.Timeout;
}

/**
 * The Socket Mode side of the emulator: hands out single-connection WebSocket URLs from
 * apps.connections.open and speaks Slack's envelope protocol (hello, envelopes, acks,
 * disconnect) the way @slack/socket-mode expects.
 */
export class SocketHub {
  readonly envelopes: EnvelopeRecord[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private readonly clients: WebSocket[] = [];

  constructor(
    private readonly opts: {
      wsBase: () => string;
      appId: string;
      ackTimeoutMs: number;
      events: EventEmitter;
    },
  ) {}

  /** A fresh `ws://…/socket?ticket=…` URL, as apps.connections.open returns. */
  issueUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${this.opts.wsBase()}/socket?ticket=${ticket}&app_id=${this.opts.appId}`;
  }

  /** Takes over an HTTP upgrade to `/socket`; answers 401 for a ticket not issued here. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/socket' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (client) => this.onConnection(client));
  }

  /** Whether an app is connected. */
  connected(): boolean {
    return this.clients.some((c) => c.readyState === c.OPEN);
  }

  /** Sends one envelope to the newest connection; resolves on the app's ack or after the timeout. */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    timeoutMs = this.opts.ackTimeoutMs,
    retryOf?: string,
  ): Promise<EnvelopeResult> {
    // A redelivery, as Slack sends one when an ack was late: same envelope, next attempt.
    const attempt = retryOf ? this.envelopes.filter((e) => e.envelope_id === retryOf).length : 0;
    const record: EnvelopeRecord = {
      envelope_id: retryOf ?? randomUUID(),
      type,
      payload,
      at: Date.now(),
    };
    this.envelopes.push(record);
    const client = this.clients.filter((c) => c.readyState === c.OPEN).at(-1);
    if (!client) {
      record.acked = false;
      return Promise.resolve({ acked: false });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(record.envelope_id, { acked: false }), timeoutMs);
      this.pending.set(record.envelope_id, { record, resolve, timer });
      client.send(
        JSON.stringify({
          envelope_id: record.envelope_id,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: attempt,
          retry_reason: attempt > 0 ? 'timeout' : '',
        }),
      );
    });
  }

  /** Asks every connected app to reconnect, as Slack does before recycling a connection. */
  disconnectAll(
    reason: 'warning' | 'refresh_requested' | 'link_disabled' = 'refresh_requested',
  ): void {
    for (const c of this.clients) {
      if (c.readyState === c.OPEN) {
        c.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'emulator' } }));
      }
    }
  }

  /** Drops unacked envelopes; forgets issued tickets. */
  reset(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, { acked: false });
    this.envelopes.length = 0;
    this.tickets.clear();
  }

  /**
   * Says goodbye to every app (a `disconnect` message, then a close frame), and terminates
   * any connection that has not finished closing within `graceMs`, so tests exit fast.
   */
  async close(graceMs = 250): Promise<void> {
    this.disconnectAll('link_disabled');
    for (const id of [...this.pending.keys()]) this.settle(id, { acked: false });
    await Promise.all(
      [...this.clients].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.readyState === c.CLOSED) return resolve();
            const timer = setTimeout(() => {
              c.terminate();
              resolve();
            }, graceMs);
            c.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            if (c.readyState === c.OPEN) c.close(1001, 'emulator closing');
          }),
      ),
    );
    this.clients.length = 0;
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(client: WebSocket): void {
    this.clients.push(client);
    client.on('close', () => {
      const i = this.clients.indexOf(client);
      if (i >= 0) this.clients.splice(i, 1);
      this.opts.events.emit('socket', { connected: this.connected() });
    });
    client.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onMessage(data.toString());
    });
    client.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.clients.length,
        debug_info: {
          host: 'applink-emulator',
          build_number: 1,
          approximate_connection_time: 18060,
        },
        connection_info: { app_id: this.opts.appId },
      }),
    );
    this.opts.events.emit('socket', { connected: true });
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return; // Slack ignores what it cannot parse
    }
    if (typeof msg !== 'object' || msg === null) return;
    const { envelope_id: id, payload } = msg as { envelope_id?: unknown; payload?: unknown };
    if (typeof id !== 'string') return;
    this.settle(id, payload === undefined ? { acked: true } : { acked: true, ackPayload: payload });
  }

  private settle(id: string, result: EnvelopeResult): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.record.acked = result.acked;
    if ('ackPayload' in result) p.record.ackPayload = result.ackPayload;
    this.opts.events.emit('envelope', { ...p.record });
    p.resolve(result);
  }
}

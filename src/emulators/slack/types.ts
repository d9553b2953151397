import type { EventEmitter } from 'node:events';
import type { SlackFile } from './files.ts';
import type { SlackChannel, SlackMessage, SlackUser } from './fixtures.ts';
import type { EnvelopeRecord, EnvelopeResult, EnvelopeType } from './socket.ts';
import type { SlackView } from './state.ts';

/** One Web API call as the emulator answered it (the token is left out of `args`). */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  ok: boolean;
  error?: string;
  /** HTTP status, 200 unless rate limited (429). */
  status: number;
  /** The client's name when it called through `apiUrlFor(name)`. */
  client?: string;
}

/** A chat.postMessage or chat.update Slack accepted: the message is stored, the answer not sent. */
export interface PostedCall {
  method: 'chat.postMessage' | 'chat.update';
  /** The client's name when it called through `apiUrlFor(name)`. */
  client?: string;
  channel: string;
  ts: string;
  args: Record<string, unknown>;
}

/** Told of every accepted post or update; the answer waits for the promise it returns. */
export type PostedHook = (posted: PostedCall) => void | Promise<void>;

/** One body POSTed to a response_url. */
export interface SlackResponse {
  url: string;
  body: Record<string, unknown>;
  at: number;
}

/** Options of {@link startSlackEmulator}. */
export interface SlackEmulatorOptions {
  port?: number;
  botToken?: string;
  appToken?: string;
  /** How long sendSocketEnvelope waits for an ack; Slack's own limit is 3 s. */
  ackTimeoutMs?: number;
}

/** A running Slack emulator; see docs/CONTRACTS.md ("Slack emulator"). */
export interface SlackEmulator {
  url: string;
  apiUrl: string;
  /** `${url}/c/<client>/api/`: the same API, with `client` noted on each call (tell bots apart). */
  apiUrlFor(client: string): string;
  botToken: string;
  appToken: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  responseUrl(channel?: string, user?: string, messageTs?: string): string;
  responses: SlackResponse[];
  messages: Map<string, SlackMessage[]>;
  views: Map<string, SlackView>;
  /** Files by id from files.getUploadURLExternal on; `bytes` once uploaded, `shares` once completed. */
  files: Map<string, SlackFile>;
  envelopes: EnvelopeRecord[];
  events: EventEmitter;
  addUser(u: SlackUser): void;
  setUsergroup(id: string, members: string[] | { error: string }): void;
  addChannel(c: SlackChannel): void;
  setRateLimit(channel: string, perSecond: number | null): void;
  /**
   * Calls `hook` after each successful chat.postMessage or chat.update has stored its message
   * and before the answer is sent, holding the answer until the hook settles (e.g. to kill the
   * caller between Slack accepting a post and the caller recording it). Returns an unsubscribe.
   */
  onPosted(hook: PostedHook): () => void;
  failNext(method: string, error: string): void;
  socketConnected(): boolean;
  sendSocketEnvelope(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    /** `retryOf`: send envelope `retryOf` again, as Slack redelivers one (`retry_attempt` > 0). */
    opts?: { timeoutMs?: number; retryOf?: string },
  ): Promise<EnvelopeResult>;
  disconnectSockets(reason?: 'warning' | 'refresh_requested' | 'link_disabled'): void;
  reset(): void;
  close(): Promise<void>;
}

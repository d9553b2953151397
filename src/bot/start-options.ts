import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenCredential } from '@azure/identity';
import type { Logger } from 'pino';
import type { FineTuningClient, RetryPolicy } from '../api/types.ts';
import type { ApprovalService } from '../handlers/approval/index.ts';
import type { Poller } from '../poller/index.ts';
import type { Config } from './config/index.ts';
import type { Metrics } from './metrics.ts';
import type { ReloadResult } from './reload.ts';

/** What a test, the sandbox or `main` may override when starting ftops. */
export interface StartOptions {
  config: Config;
  logger?: Logger;
  /** Entra ID credential; `DefaultAzureCredential` when the config asks for Entra and none is given. */
  credential?: TokenCredential;
  /** API retry backoff; tests pass a zero-delay one. */
  retryPolicy?: RetryPolicy;
  /** Per-attempt API timeout; 30 s when not given (the chaos battery shortens it). */
  apiTimeoutMs?: number;
  /** Gap between two posts to one channel; the poller's default (1.1 s) when not given. */
  paceMs?: number;
  /**
   * How soon the announcements of a worker that died are taken over: BullMQ's lock and
   * stalled-check timings (30 s each) and the card lock (60 s) when not given.
   */
  notifyStall?: { lockDurationMs: number; stalledIntervalMs: number; cardLockMs: number };
  /** Listen address; all interfaces by default, 127.0.0.1 for the sandbox. */
  host?: string;
  /** Overrides `config.port` (0 picks a free port). */
  port?: number;
  /** The metrics registry; a fresh one when not given. */
  metrics?: Metrics;
  /**
   * How long an approved request may go without an outcome before the worker takes it over;
   * `DEFAULT_RECOVERY_GRACE_MS` (10 min) when not given (the chaos battery shortens it).
   */
  recoveryGraceMs?: number;
  /** How often the worker expires and recovers approval requests; 30 s when not given. */
  approvalSweepMs?: number;
  /** Extra HTTP routes served next to Slack's (the sandbox page). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
  clock?: () => number;
}

/** A running ftops process: its port and a way to stop it cleanly. */
export interface Ftops {
  port: number;
  url: string;
  api: FineTuningClient;
  poller?: Poller;
  approvals?: ApprovalService;
  /**
   * Loads the configuration again (`load`, e.g. `loadConfig` on the environment) and applies
   * what may change while running: channel rules, approval policies, sweep intervals. A bad
   * file or a change to the resources themselves is refused and the running config stays.
   */
  reload(load: () => Config): Promise<ReloadResult>;
  stop(): Promise<void>;
}

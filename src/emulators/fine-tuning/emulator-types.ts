import type { FineTuningJob } from '../../api/schemas.ts';
import type { VirtualClock } from './clock.ts';
import type { FaultConfig, FaultKind } from './faults.ts';
import type { AddJobInput, PauseMode, ResultFileFormat, ResumeMode } from './sim-types.ts';
import type { WebhookAttempt, WebhookDelivery, WebhookTarget } from './webhooks.ts';

/**
 * A local stand-in of the Azure AI Foundry / OpenAI fine-tuning jobs API over real HTTP on
 * 127.0.0.1, for tests, the sandbox and `npm run emulator`. Jobs move along a virtual clock
 * that only the caller advances (or wall time, with `realTime`); faults are injected per run.
 * See docs/CONTRACTS.md ("Fine-tuning emulator") for the contract.
 */

export interface FineTuningEmulatorOptions {
  /** 0 (default) = a free port on 127.0.0.1. */
  port?: number;
  /** Accepted as `api-key: <key>`; default 'test-key'. */
  apiKey?: string;
  /** Accepted as `Authorization: Bearer <t>`: a list, or a predicate (Entra tokens are arbitrary); default ['test-token']. */
  bearerTokens?: string[] | ((token: string) => boolean);
  pauseMode?: PauseMode;
  resumeMode?: ResumeMode;
  seedDemoJobs?: boolean;
  /** Move the virtual clock with wall time (for demos); tests leave it off. */
  realTime?: boolean;
  /** Virtual clock start in ms; default Date.now(). */
  startTime?: number;
  /**
   * Send the OpenAI platform's signed `fine_tuning.job.{succeeded,failed,cancelled}` webhook
   * to `url` whenever a job finishes (not for jobs added already finished).
   */
  webhooks?: WebhookTarget;
  /**
   * How result files (`GET /files/{id}/content`) are written: Azure's columns (default) or
   * OpenAI's, plain (default) or base64-encoded as some Azure deployments send them. A job's
   * own `resultFile` wins.
   */
  resultFiles?: ResultFileFormat;
}

/** One request as the emulator saw it; `status` 0 means it was never answered (timeout fault). */
export interface RecordedRequest {
  method: string;
  /** Without the `/openai/v1` or `/v1` prefix. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  status: number;
  /** Virtual clock ms when it arrived. */
  at: number;
}

/**
 * A request as an `onRequest` hook sees it: at `received` (before any fault or effect) and at
 * `handled` (its effect applied and `status` known, before the answer is written).
 */
export interface HeldRequest {
  stage: 'received' | 'handled';
  method: string;
  path: string;
  query: string;
  /** 0 at `received`. */
  status: number;
  /** True once the client's connection has closed (e.g. the caller was killed). */
  clientGone(): boolean;
}

/**
 * Called for every request at both stages; the request waits until every hook settles. A
 * request whose client went away while held at `received` is dropped unhandled (status 0),
 * and one held at `handled` is not answered.
 */
export type RequestHook = (req: HeldRequest) => void | Promise<void>;

export interface FineTuningEmulator {
  url: string;
  azureBaseUrl: string;
  openaiBaseUrl: string;
  clock: VirtualClock;
  addJob(partial?: AddJobInput): FineTuningJob;
  getJob(id: string): FineTuningJob | undefined;
  /** Deletes a job: from then on the API answers 404 for it and lists it no more. */
  removeJob(id: string): void;
  setStatus(id: string, status: string, extra?: Partial<FineTuningJob>): void;
  setFaults(f: FaultConfig | null): void;
  failNext(n: number, kind: FaultKind): void;
  requests: RecordedRequest[];
  /** Adds a hook that holds each request at `received` and `handled`; returns its removal. */
  onRequest(hook: RequestHook): () => void;
  /** Every webhook sent, oldest first; always empty without the `webhooks` option. */
  webhookDeliveries: WebhookDelivery[];
  /** Sends a delivery again with its `webhook-id` and body, signed anew; resolves when answered. */
  redeliverWebhook(webhookId: string): Promise<WebhookAttempt>;
  /** Resolves once every webhook in flight has been answered or has failed. */
  webhooksSettled(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

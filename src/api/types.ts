import type { TokenCredential } from '@azure/identity';
import type { FineTuningJob, FineTuningJobCheckpoint, FineTuningJobEvent } from './schemas.ts';

/** How the client authenticates: Azure `api-key`, OpenAI bearer, or Microsoft Entra ID. */
export type ClientAuth =
  | { type: 'api-key'; key: string }
  | { type: 'bearer'; token: string }
  | {
      type: 'entra';
      credential?: TokenCredential;
      scope?: string;
      /** A user-assigned managed identity, when the resource's role is given to one. */
      managedIdentityClientId?: string;
    };

export interface ClientOptions {
  /** API root: `{endpoint}/openai/v1` for Azure, `https://api.openai.com/v1` for OpenAI. */
  baseUrl: string;
  auth: ClientAuth;
  /** Sent as the `api-version` query parameter only when set. */
  apiVersion?: 'v1' | 'preview';
  /** Per-attempt timeout; default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 4. */
  maxRetries?: number;
  /** Backoff policy; tests pass a zero-delay one. */
  retryPolicy?: RetryPolicy;
  /** Extra headers on every request (OpenAI's `OpenAI-Organization`, `OpenAI-Project`). */
  headers?: Readonly<Record<string, string>>;
  /** Called once per HTTP attempt, for metrics and the sandbox's request log. */
  onRequest?: (info: RequestInfo) => void;
}

/** How long to wait before retry `attempt` (1-based), given the server's hint if any. */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RequestInfo {
  method: string;
  /** Path relative to the API root, e.g. `/fine_tuning/jobs/ftjob-abc/pause`. */
  path: string;
  /** HTTP status, or 0 when no answer came (network error, timeout). */
  status: number;
  durationMs: number;
  attempt: number;
  /** The configured resource the call went to, when there are several. */
  resource?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export interface ListOptions extends CallOptions {
  after?: string;
  limit?: number;
}

/** The fine-tuning REST API as ftops uses it. */
export interface FineTuningClient {
  listJobs(
    opts?: ListOptions & { metadata?: Record<string, string> },
  ): Promise<Page<FineTuningJob>>;
  /** Every job, newest first, page by page. */
  jobs(opts?: ListOptions): AsyncIterable<FineTuningJob>;
  getJob(id: string, opts?: CallOptions): Promise<FineTuningJob>;
  pauseJob(id: string, opts?: CallOptions): Promise<FineTuningJob>;
  resumeJob(id: string, opts?: CallOptions): Promise<FineTuningJob>;
  cancelJob(id: string, opts?: CallOptions): Promise<FineTuningJob>;
  listEvents(id: string, opts?: ListOptions): Promise<Page<FineTuningJobEvent>>;
  listCheckpoints(id: string, opts?: ListOptions): Promise<Page<FineTuningJobCheckpoint>>;
  /** Releases the keep-alive connections. */
  close(): Promise<void>;
}

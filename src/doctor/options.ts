import type { TokenCredential } from '@azure/identity';
import type { RetryPolicy } from '../api/types.ts';

/** Exit codes of `npm run doctor`. */
export const DOCTOR_EXIT = {
  /** Every check passed (warnings allowed). */
  ok: 0,
  /** At least one check failed. */
  failed: 1,
  /** The environment does not parse, so nothing else was checked (the bot itself exits 2 too). */
  config: 2,
} as const;

export interface DoctorOptions {
  /** Receives each line of the report, without a newline. */
  out: (line: string) => void;
  /** Entra ID credential; by default the client uses DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Per-request timeout for Slack, the fine-tuning API and Redis; default 10 s. */
  timeoutMs?: number;
  /** Backoff between the fine-tuning client's two attempts; tests pass a zero-delay one. */
  retryPolicy?: RetryPolicy;
  /** manifest.yml to read the required bot scopes from; default the repository's. */
  manifestUrl?: URL;
}

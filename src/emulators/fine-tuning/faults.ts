import { seededRandom } from './random.ts';

/**
 * What an injected fault does to one API request. None of them changes state, except
 * '500-after-effect': the request takes effect and then the answer is lost behind a 500.
 * - '429': 429 with `retry-after-ms` / `retry-after` and an Azure-shaped error body
 * - '500': 500 with an Azure-shaped error body
 * - 'timeout': the request is accepted and never answered
 * - 'malformed': 200 with a body that is not JSON
 */
export type FaultKind = '429' | '500' | 'timeout' | 'malformed' | '500-after-effect';

/** Random faults for a run: each API request fails with probability `rate`. */
export interface FaultConfig {
  /** 0..1; default 0. */
  rate?: number;
  /** Kinds drawn from uniformly; default ['429', '500']. */
  kinds?: FaultKind[];
  /** Real-time delay before every answer; default 0. */
  latencyMs?: number;
  /** Sent on 429s (also those from failNext); default 1000. */
  retryAfterMs?: number;
  /** PRNG seed, so a run can be replayed; default 1. */
  seed?: number;
  /** The `error.code` and `error.message` of injected 429/500 bodies, e.g. hostile text. */
  errorText?: string;
}

const DEFAULTS = {
  rate: 0,
  kinds: ['429', '500'] as FaultKind[],
  latencyMs: 0,
  retryAfterMs: 1000,
};

/** The fault plan: a queue of forced faults (failNext) first, then seeded random ones. */
export class FaultPlan {
  private queue: FaultKind[] = [];
  private config = { ...DEFAULTS };
  private random = seededRandom(1);

  get latencyMs(): number {
    return this.config.latencyMs;
  }

  get retryAfterMs(): number {
    return this.config.retryAfterMs;
  }

  get errorText(): string | undefined {
    return (this.config as FaultConfig).errorText;
  }

  set(config: FaultConfig | null): void {
    this.config = { ...DEFAULTS, ...stripUndefined(config ?? {}) };
    if (this.config.kinds.length === 0) this.config.kinds = DEFAULTS.kinds;
    this.random = seededRandom(config?.seed ?? 1);
  }

  failNext(n: number, kind: FaultKind): void {
    for (let i = 0; i < n; i++) this.queue.push(kind);
  }

  /** The fault for the next API request, or null when it should be served normally. */
  next(): FaultKind | null {
    const forced = this.queue.shift();
    if (forced) return forced;
    const { rate, kinds } = this.config;
    if (rate <= 0 || this.random() >= rate) return null;
    return kinds[Math.floor(this.random() * kinds.length)] ?? null;
  }

  reset(): void {
    this.queue = [];
    this.set(null);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

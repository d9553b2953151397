import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';
import { guardRedis } from './redis.ts';

/**
 * The audit trail: every request, vote, refusal, expiry and execution of a gated action is
 * appended to one capped Redis stream (newest ~10 000 kept) and written as one structured log
 * line, so the history survives in the log sink after the stream has trimmed it.
 */

/** What happened. */
export type AuditEvent =
  | 'requested'
  | 'vote_recorded'
  | 'approved'
  | 'denied'
  | 'refused'
  | 'expired'
  | 'executed'
  | 'failed'
  | 'self_authorised'
  | 'ran_ungated';

/** One audit entry; `at` is epoch milliseconds. */
export interface AuditEntry {
  /** The stream entry ID, e.g. `1700000000000-0`. */
  id: string;
  event: AuditEvent;
  /** Slack user ID of whoever acted. */
  who: string;
  at: number;
  action?: string;
  jobId?: string;
  requestId?: string;
  outcome?: string;
}

/** The pino-like slice of a logger the audit trail writes to. */
export interface AuditLogger {
  info(obj: Record<string, unknown>, msg?: string): void;
}

/** Options of the audit trail. */
export interface AuditLogOptions {
  redis: Redis;
  keys: Keys;
  logger: AuditLogger;
  /** Approximate number of entries kept; default 10 000. */
  maxLen?: number;
}

const FIELDS = ['event', 'who', 'at', 'action', 'jobId', 'requestId', 'outcome'] as const;

/** Appends to and reads the capped audit stream. */
export class AuditLog {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #logger: AuditLogger;
  readonly #maxLen: number;

  constructor(opts: AuditLogOptions) {
    this.#redis = opts.redis;
    this.#key = opts.keys.audit();
    this.#logger = opts.logger;
    this.#maxLen = opts.maxLen ?? 10_000;
  }

  /** Logs and appends one entry; returns its stream ID. */
  async append(entry: Omit<AuditEntry, 'id'>): Promise<string> {
    const fields: string[] = [];
    for (const name of FIELDS) {
      const value = entry[name];
      if (value !== undefined) fields.push(name, String(value));
    }
    // The log line goes first: if Redis is down the trail still has it.
    this.#logger.info({ audit: true, ...entry }, `audit ${entry.event}`);
    const id = await guardRedis(() =>
      // `~` lets Redis trim whole macro nodes, which is much cheaper than an exact cap.
      this.#redis.xadd(this.#key, 'MAXLEN', '~', this.#maxLen, '*', ...fields),
    );
    return id ?? '';
  }

  /** The newest `count` entries, newest first, optionally only those about one job. */
  async latest(opts: { jobId?: string; count: number }): Promise<AuditEntry[]> {
    const count = Math.max(0, Math.trunc(opts.count));
    if (count === 0) return [];
    const found: AuditEntry[] = [];
    // Filtering by job reads pages backwards; stop after a bounded scan so a job with no
    // entries does not read the whole stream every time.
    const pageSize = opts.jobId ? Math.max(count * 4, 100) : count;
    const maxScanned = opts.jobId ? 5000 : count;
    let end = '+';
    let scanned = 0;
    while (found.length < count && scanned < maxScanned) {
      const page = await guardRedis(() =>
        this.#redis.xrevrange(this.#key, end, '-', 'COUNT', pageSize),
      );
      for (const [id, raw] of page) {
        const entry = toEntry(id, raw);
        if (!opts.jobId || entry.jobId === opts.jobId) found.push(entry);
        if (found.length === count) break;
      }
      scanned += page.length;
      const last = page.at(-1);
      if (page.length < pageSize || !last) break;
      end = `(${last[0]}`;
    }
    return found;
  }
}

function toEntry(id: string, raw: string[]): AuditEntry {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) map.set(raw[i] as string, raw[i + 1] as string);
  const entry: AuditEntry = {
    id,
    event: (map.get('event') ?? 'unknown') as AuditEvent,
    who: map.get('who') ?? '',
    at: Number(map.get('at') ?? Number.parseInt(id, 10)),
  };
  for (const name of ['action', 'jobId', 'requestId', 'outcome'] as const) {
    const v = map.get(name);
    if (v !== undefined) entry[name] = v;
  }
  return entry;
}

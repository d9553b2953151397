import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';
import { guardRedis } from './redis.ts';

/**
 * The audit trail, written as one structured log line per entry and kept in Redis in two
 * parts that cannot crowd each other out. Decisions (requests, votes, approvals, denials,
 * expiries, executions) go to a stream trimmed by age only, never by count, and to a stream
 * per job for `/ft audit <job>`. Refusals go to a capped stream of their own, and repeated
 * refusals of one user on one request collapse into one entry with a count, so a flood of
 * clicks costs a few bytes and never touches a decision.
 */

/** What happened. */
export type AuditEvent =
  | 'requested'
  | 'vote_recorded'
  | 'approved'
  | 'denied'
  | 'refused'
  | 'expired'
  /** Closed by ftops: the job reached a state where the action makes no sense. */
  | 'closed'
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
  /** The channel it happened in (asked in, or clicked in), for a link in `/ft audit`. */
  channel?: string;
  outcome?: string;
  /** For a refusal: how many more times the same user was refused on the same subject. */
  repeats?: number;
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
  /** Approximate number of refusals kept; default 2 000. Decisions are never capped by count. */
  maxRefusals?: number;
}

/** How long decisions are kept; `/ft audit` must list every decision of the last 30 days. */
export const DECISION_RETENTION_DAYS = 90;
/** How long refusals are kept at most. */
const REFUSAL_RETENTION_DAYS = 7;
/** Repeated refusals of one user on one request within this window make one entry. */
export const REFUSAL_COLLAPSE_SECONDS = 600;
const DAY_MS = 86_400_000;

const FIELDS = [
  'event',
  'who',
  'at',
  'action',
  'jobId',
  'requestId',
  'channel',
  'outcome',
] as const;

/** Appends to and reads the audit trail. */
export class AuditLog {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #logger: AuditLogger;
  readonly #maxRefusals: number;

  constructor(opts: AuditLogOptions) {
    this.#redis = opts.redis;
    this.#keys = opts.keys;
    this.#logger = opts.logger;
    this.#maxRefusals = opts.maxRefusals ?? 2_000;
  }

  /**
   * Logs and keeps one entry; returns its stream ID, or '' for a refusal folded into an
   * earlier entry of the same user and subject.
   */
  async append(entry: Omit<AuditEntry, 'id'>): Promise<string> {
    if (entry.event === 'refused') return this.#refusal(entry);
    const fields = fieldsOf(entry);
    // The log line goes first: if Redis is down the trail still has it.
    this.#logger.info({ audit: true, ...entry }, `audit ${entry.event}`);
    // `~` lets Redis trim whole macro nodes, which is much cheaper than an exact cut.
    const minId = String(Date.now() - DECISION_RETENTION_DAYS * DAY_MS);
    const tx = this.#redis.multi().xadd(this.#keys.audit(), 'MINID', '~', minId, '*', ...fields);
    if (entry.jobId) {
      const perJob = this.#keys.auditJob(entry.jobId);
      tx.xadd(perJob, 'MINID', '~', minId, '*', ...fields).expire(
        perJob,
        DECISION_RETENTION_DAYS * 86_400,
      );
    }
    const res = await guardRedis(() => tx.exec());
    return String(res?.[0]?.[1] ?? '');
  }

  async #refusal(entry: Omit<AuditEntry, 'id'>): Promise<string> {
    const window = this.#keys.auditRefusalWindow(
      entry.requestId ?? entry.jobId ?? entry.action ?? '-',
      entry.who,
    );
    // The first refusal of a window claims it with a token of its own (SET NX is atomic, so
    // concurrent clicks agree on one); the others only count against that token.
    const token = randomUUID();
    for (let attempt = 0; attempt < 2; attempt++) {
      const claimed = await guardRedis(() =>
        this.#redis.set(window, token, 'EX', REFUSAL_COLLAPSE_SECONDS, 'NX'),
      );
      if (claimed) return this.#firstRefusal(entry, token);
      const open = await guardRedis(() => this.#redis.get(window));
      if (open) {
        // Counted only: no entry, and no log line to flood the sink with.
        const repeats = this.#keys.auditRefusalRepeats(open);
        await guardRedis(() =>
          this.#redis
            .multi()
            .incr(repeats)
            .expire(repeats, REFUSAL_RETENTION_DAYS * 86_400)
            .exec(),
        );
        return '';
      }
      // The window expired between the two calls: claim the next one.
    }
    return this.#firstRefusal(entry, token);
  }

  async #firstRefusal(entry: Omit<AuditEntry, 'id'>, token: string): Promise<string> {
    this.#logger.info({ audit: true, ...entry }, `audit ${entry.event}`);
    const key = this.#keys.auditRefusals();
    const minId = String(Date.now() - REFUSAL_RETENTION_DAYS * DAY_MS);
    const fields = [...fieldsOf(entry), 'fold', token];
    const res = await guardRedis(() =>
      this.#redis
        .multi()
        .xadd(key, 'MINID', '~', minId, '*', ...fields)
        .xtrim(key, 'MAXLEN', '~', this.#maxRefusals)
        .exec(),
    );
    return String(res?.[0]?.[1] ?? '');
  }

  /**
   * Decisions, newest first: the newest `count`, or the `count` before the entry `before`
   * (an ID from an earlier page), about one job or all.
   */
  async latest(opts: { jobId?: string; count: number; before?: string }): Promise<AuditEntry[]> {
    const count = Math.max(0, Math.trunc(opts.count));
    if (count === 0) return [];
    const key = opts.jobId ? this.#keys.auditJob(opts.jobId) : this.#keys.audit();
    const end = opts.before ? `(${opts.before}` : '+';
    const page = await guardRedis(() => this.#redis.xrevrange(key, end, '-', 'COUNT', count));
    return page.map(([id, raw]) => toEntry(id, raw));
  }

  /** The newest refusals, each with how often it repeated in its window, about one job or all. */
  async refusals(opts: { jobId?: string; count: number }): Promise<AuditEntry[]> {
    const count = Math.max(0, Math.trunc(opts.count));
    if (count === 0) return [];
    // Filtering by job reads a bounded page: refusals are capped anyway.
    const scan = opts.jobId ? this.#maxRefusals : count;
    const page = await guardRedis(() =>
      this.#redis.xrevrange(this.#keys.auditRefusals(), '+', '-', 'COUNT', scan),
    );
    const found = page
      .map(([id, raw]) => ({ entry: toEntry(id, raw), fold: fieldOf(raw, 'fold') }))
      .filter((r) => !opts.jobId || r.entry.jobId === opts.jobId)
      .slice(0, count);
    if (found.length === 0) return [];
    const repeats = await guardRedis(() =>
      this.#redis.mget(...found.map((r) => this.#keys.auditRefusalRepeats(r.fold ?? r.entry.id))),
    );
    return found.map(({ entry }, i) =>
      repeats[i] ? { ...entry, repeats: Number(repeats[i]) } : entry,
    );
  }
}

function fieldOf(raw: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i] === name) return raw[i + 1];
  return undefined;
}

function fieldsOf(entry: Omit<AuditEntry, 'id'>): string[] {
  const fields: string[] = [];
  for (const name of FIELDS) {
    const value = entry[name];
    if (value !== undefined) fields.push(name, String(value));
  }
  return fields;
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
  for (const name of ['action', 'jobId', 'requestId', 'channel', 'outcome'] as const) {
    const v = map.get(name);
    if (v !== undefined) entry[name] = v;
  }
  return entry;
}

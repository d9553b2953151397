import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { JOB_ACTIONS, type JobAction } from '../api/actions.ts';
import type { Keys } from './keys.ts';
import { guardRedis } from './redis.ts';

/**
 * Approval requests in Redis. A request is a hash plus a set of approving user IDs; pending
 * requests are also indexed in a sorted set scored by their expiry, and approved requests not
 * yet executed or failed in another, scored by when work on them last began (so one left
 * behind by a process that died can be found and taken over). Every change of state is one
 * Lua script, so a decision is taken exactly once however many people click at once and
 * however many ftops processes answer them.
 */

/** Actions that can be put behind the approval gate: the API's job actions, one list. */
export type GateAction = JobAction;

/** Where a request is in its life: pending → approved|denied|expired; approved → executed|failed. */
export type ApprovalState = 'pending' | 'approved' | 'denied' | 'expired' | 'executed' | 'failed';
const STATES = ['pending', 'approved', 'denied', 'expired', 'executed', 'failed'] as const;

/** One approval request as stored. Times are epoch milliseconds. */
export interface ApprovalRequest {
  id: string;
  action: GateAction;
  jobId: string;
  requester: string;
  reason: string;
  /** The channel the request was asked in. */
  channel: string;
  /** Where the request message was posted, once it was. */
  approvalChannel?: string;
  messageTs?: string;
  jobStatusAtRequest: string;
  state: ApprovalState;
  /** Distinct approvers (never the requester) counted so far. */
  approvals: string[];
  approvalsRequired: number;
  createdAt: number;
  expiresAt: number;
  decidedBy?: string;
  decidedAt?: number;
  finishedAt?: number;
  outcome?: string;
  /** True once the requester has been told the outcome. */
  told?: boolean;
}

/** What `create` needs; the rest is filled in by the store. */
export interface NewApprovalRequest {
  action: GateAction;
  jobId: string;
  requester: string;
  reason: string;
  channel: string;
  jobStatusAtRequest: string;
  approvalsRequired: number;
  ttlMinutes: number;
}

/** The answer of the atomic vote script. */
export type DecideResult =
  | { kind: 'recorded'; count: number }
  | { kind: 'duplicate'; count: number }
  | { kind: 'approved'; count: number }
  | { kind: 'denied' }
  | { kind: 'expired' }
  | { kind: 'is_requester' }
  | { kind: 'already_decided'; state: ApprovalState }
  | { kind: 'not_found' };

/** What a modal's `private_metadata` reference stands for. */
export interface ModalRef {
  action: GateAction;
  jobId: string;
  user: string;
  /** The channel the button was clicked in, where the request is asked. */
  channel: string;
}

// 16 random bytes in base64url: 21 characters carrying 6 bits, and a 22nd carrying the last
// 2 bits followed by 4 zero bits, so it can only be A, Q, g or w.
const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** True for IDs `newApprovalId` can produce; anything else is refused before Redis is asked. */
export function isValidApprovalId(id: unknown): id is string {
  return typeof id === 'string' && APPROVAL_ID_PATTERN.test(id);
}

/** A fresh opaque ID with 128 random bits. */
export function newApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

const StoredRequestSchema = z.object({
  id: z.string(),
  action: z.enum(JOB_ACTIONS),
  jobId: z.string(),
  requester: z.string(),
  reason: z.string().default(''),
  channel: z.string(),
  approvalChannel: z.string().optional(),
  messageTs: z.string().optional(),
  jobStatusAtRequest: z.string().default('unknown'),
  state: z.enum(STATES),
  approvalsRequired: z.coerce.number().int().min(1).default(1),
  createdAt: z.coerce.number(),
  expiresAt: z.coerce.number(),
  decidedBy: z.string().optional(),
  decidedAt: z.coerce.number().optional(),
  finishedAt: z.coerce.number().optional(),
  outcome: z.string().optional(),
  /** Set once the requester has been told the outcome, so a recovery does not tell twice. */
  told: z
    .string()
    .optional()
    .transform((v) => (v === '1' ? true : undefined)),
});

interface Script {
  lua: string;
  sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

// KEYS: request hash, votes set, pending index, approved index.
// ARGV: id, clicker, vote, now, required.
const DECIDE = script(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'not_found'} end
if state ~= 'pending' then return {'already_decided', state} end
local f = redis.call('HMGET', KEYS[1], 'expiresAt', 'requester')
if tonumber(ARGV[4]) >= tonumber(f[1]) then
  redis.call('HSET', KEYS[1], 'state', 'expired', 'decidedAt', ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'expired'}
end
if ARGV[2] == f[2] then return {'is_requester'} end
if ARGV[3] == 'deny' then
  redis.call('HSET', KEYS[1], 'state', 'denied', 'decidedBy', ARGV[2], 'decidedAt', ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'denied'}
end
local added = redis.call('SADD', KEYS[2], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
local n = redis.call('SCARD', KEYS[2])
if n >= tonumber(ARGV[5]) then
  redis.call('HSET', KEYS[1], 'state', 'approved', 'decidedBy', ARGV[2], 'decidedAt', ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  return {'approved', n}
end
if added == 0 then return {'duplicate', n} end
return {'recorded', n}
`);

// KEYS: request hash, pending index. ARGV: id, now.
const EXPIRE_ONE = script(`
local f = redis.call('HMGET', KEYS[1], 'state', 'expiresAt')
if not f[1] then redis.call('ZREM', KEYS[2], ARGV[1]) return 'not_found' end
if f[1] ~= 'pending' then redis.call('ZREM', KEYS[2], ARGV[1]) return 'not_pending' end
if tonumber(ARGV[2]) < tonumber(f[2]) then return 'not_due' end
redis.call('HSET', KEYS[1], 'state', 'expired', 'decidedAt', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
return 'expired'
`);

// KEYS: request hash, pending index, unfinished index. ARGV: id, from, to, outcome, now, keep.
// With keep = '1' (an approved request's outcome) the request stays in the unfinished index,
// scored `now`, until markReported: the outcome is recorded but nobody has been told yet.
const TRANSITION = script(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'not_found' end
if state ~= ARGV[2] then return state end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'outcome', ARGV[4], 'finishedAt', ARGV[5])
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return 'ok'
`);

// KEYS: request hash, unfinished index. ARGV: id, now, cutoff. Takes over a request that has
// been in the unfinished index since `cutoff` or earlier: approved but never executed or failed,
// or executed/failed but nobody told. Its score becomes `now`, a lease, so no other process
// takes it again until the grace has passed once more (and if this one dies too, the next
// sweep after that does).
const TAKE_STUCK = script(`
local f = redis.call('HMGET', KEYS[1], 'state', 'decidedAt')
if not f[1] then redis.call('ZREM', KEYS[2], ARGV[1]) return 'not_found' end
if f[1] ~= 'approved' and f[1] ~= 'executed' and f[1] ~= 'failed' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 'not_approved'
end
local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
-- An outcome outside the index has been reported: there is nothing left to finish.
if not score and f[1] ~= 'approved' then return 'not_unfinished' end
local since = tonumber(score or f[2] or 0)
if since > tonumber(ARGV[3]) then return 'not_due' end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'recoveries', 1)
return 'taken'
`);

// KEYS: request hash. ARGV: field, value, field, value… Only touches a request that exists,
// so a late write never leaves a hash without its TTL behind.
const SET_IF_EXISTS = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`);

async function run(redis: Redis, s: Script, keys: string[], args: (string | number)[]) {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return redis.eval(s.lua, keys.length, ...keys, ...args);
    }
    throw err;
  }
}

/** Options of the store; history is how long a decided request stays readable after expiry. */
export interface ApprovalStoreOptions {
  redis: Redis;
  keys: Keys;
  /** Kept this long past `expiresAt`, for `/ft audit` and late clicks; default 7 days. */
  historyMs?: number;
  /** Lifetime of a modal reference; default 15 minutes. */
  modalRefTtlSeconds?: number;
}

/** Approval requests and modal references in Redis. */
export class ApprovalStore {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #historyMs: number;
  readonly #modalTtl: number;

  constructor(opts: ApprovalStoreOptions) {
    this.#redis = opts.redis;
    this.#keys = opts.keys;
    this.#historyMs = opts.historyMs ?? 7 * 24 * 3600 * 1000;
    this.#modalTtl = opts.modalRefTtlSeconds ?? 15 * 60;
  }

  /** Stores a new pending request and indexes it by expiry. */
  async create(input: NewApprovalRequest, now: number): Promise<ApprovalRequest> {
    const id = newApprovalId();
    const expiresAt = now + input.ttlMinutes * 60_000;
    const request: ApprovalRequest = {
      id,
      action: input.action,
      jobId: input.jobId,
      requester: input.requester,
      reason: input.reason,
      channel: input.channel,
      jobStatusAtRequest: input.jobStatusAtRequest,
      state: 'pending',
      approvals: [],
      approvalsRequired: Math.max(1, Math.trunc(input.approvalsRequired)),
      createdAt: now,
      expiresAt,
    };
    // A relative TTL, so a virtual clock (tests, the sandbox) cannot make it land in the past.
    const keepMs = expiresAt - now + this.#historyMs;
    const key = this.#keys.approval(id);
    await guardRedis(async () => {
      const results = await this.#redis
        .multi()
        .hset(key, {
          id,
          action: request.action,
          jobId: request.jobId,
          requester: request.requester,
          reason: request.reason,
          channel: request.channel,
          jobStatusAtRequest: request.jobStatusAtRequest,
          state: request.state,
          approvalsRequired: request.approvalsRequired,
          createdAt: now,
          expiresAt,
        })
        .pexpire(key, keepMs)
        .zadd(this.#keys.approvalsPending(), expiresAt, id)
        .exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('MULTI was aborted');
    });
    return request;
  }

  /** Loads a request; an ID of the wrong shape is answered `null` without asking Redis. */
  async get(id: string): Promise<ApprovalRequest | null> {
    if (!isValidApprovalId(id)) return null;
    const [hash, votes] = await guardRedis(async () => {
      const res = await this.#redis
        .pipeline()
        .hgetall(this.#keys.approval(id))
        .smembers(this.#keys.approvalVotes(id))
        .exec();
      const [h, v] = res ?? [];
      if (!h || !v) throw new Error('pipeline returned no result');
      if (h[0]) throw h[0];
      if (v[0]) throw v[0];
      return [h[1] as Record<string, string>, v[1] as string[]] as const;
    });
    if (!hash || Object.keys(hash).length === 0) return null;
    const parsed = StoredRequestSchema.safeParse(hash);
    if (!parsed.success) return null;
    const approvals = [...votes].sort();
    return stripUndefined({ ...parsed.data, approvals });
  }

  /** Records where the request message was posted. */
  async setMessage(id: string, channel: string, ts: string): Promise<boolean> {
    const res = await guardRedis(() =>
      run(
        this.#redis,
        SET_IF_EXISTS,
        [this.#keys.approval(id)],
        ['approvalChannel', channel, 'messageTs', ts],
      ),
    );
    return res === 1;
  }

  /**
   * Counts one vote and, if it settles the request, moves it out of `pending`, all in one
   * atomic step. Only the caller that gets `approved` may execute the action.
   */
  async decide(input: {
    id: string;
    clicker: string;
    vote: 'approve' | 'deny';
    now: number;
    approvalsRequired: number;
  }): Promise<DecideResult> {
    if (!isValidApprovalId(input.id)) return { kind: 'not_found' };
    const res = (await guardRedis(() =>
      run(
        this.#redis,
        DECIDE,
        [
          this.#keys.approval(input.id),
          this.#keys.approvalVotes(input.id),
          this.#keys.approvalsPending(),
          this.#keys.approvalsApproved(),
        ],
        [input.id, input.clicker, input.vote, input.now, Math.max(1, input.approvalsRequired)],
      ),
    )) as [string, (string | number)?];
    const [kind, extra] = res;
    switch (kind) {
      case 'recorded':
      case 'duplicate':
      case 'approved':
        return { kind, count: Number(extra) };
      case 'denied':
      case 'expired':
      case 'is_requester':
      case 'not_found':
        return { kind };
      case 'already_decided':
        return { kind, state: String(extra) as ApprovalState };
      default:
        throw new Error(`unexpected answer from the decide script: ${String(kind)}`);
    }
  }

  /**
   * Marks an approved request as executed; false when it was not in `approved`. It stays
   * unfinished (recoverable) until `markReported`.
   */
  markExecuted(id: string, outcome: string, now: number): Promise<boolean> {
    return this.#transition(id, 'approved', 'executed', outcome, now, true);
  }

  /** Marks an approved request as failed; false when it was not in `approved`. As markExecuted. */
  markFailed(id: string, outcome: string, now: number): Promise<boolean> {
    return this.#transition(id, 'approved', 'failed', outcome, now, true);
  }

  /** The requester has been told the outcome. */
  async markTold(id: string): Promise<void> {
    if (!isValidApprovalId(id)) return;
    await guardRedis(() =>
      run(this.#redis, SET_IF_EXISTS, [this.#keys.approval(id)], ['told', '1']),
    );
  }

  /** The outcome of an executed or failed request has been audited and told: it is finished. */
  async markReported(id: string): Promise<void> {
    if (!isValidApprovalId(id)) return;
    await guardRedis(() => this.#redis.zrem(this.#keys.approvalsApproved(), id));
  }

  /** Gives up a pending request that could not be posted (pending → failed). */
  abandon(id: string, outcome: string, now: number): Promise<boolean> {
    return this.#transition(id, 'pending', 'failed', outcome, now);
  }

  /** Marks one pending request expired if it is due; true when this call expired it. */
  async expire(id: string, now: number): Promise<boolean> {
    if (!isValidApprovalId(id)) return false;
    const res = await guardRedis(() =>
      run(
        this.#redis,
        EXPIRE_ONE,
        [this.#keys.approval(id), this.#keys.approvalsPending()],
        [id, now],
      ),
    );
    return res === 'expired';
  }

  /**
   * Expires every pending request past its expiry and returns those this call expired, so
   * exactly one sweeper updates each Slack message even when several run at once.
   */
  async expireDue(now: number, limit = 100): Promise<ApprovalRequest[]> {
    const ids = await guardRedis(() =>
      this.#redis.zrangebyscore(this.#keys.approvalsPending(), '-inf', now, 'LIMIT', 0, limit),
    );
    const expired: ApprovalRequest[] = [];
    for (const id of ids) {
      if (!(await this.expire(id, now))) continue;
      const request = await this.get(id);
      if (request) expired.push(request);
    }
    return expired;
  }

  /**
   * Takes over one request left unfinished since `now - graceMs` or earlier (its executor died
   * before recording the outcome, or before telling it); true when this call took it. Atomic: of several
   * processes asking at once exactly one gets true, and nobody else does until another grace
   * has passed.
   */
  async takeStuck(id: string, now: number, graceMs: number): Promise<boolean> {
    if (!isValidApprovalId(id)) return false;
    const res = await guardRedis(() =>
      run(
        this.#redis,
        TAKE_STUCK,
        [this.#keys.approval(id), this.#keys.approvalsApproved()],
        [id, now, now - graceMs],
      ),
    );
    return res === 'taken';
  }

  /**
   * Takes over every request stuck in `approved` for at least `graceMs` and returns those this
   * call took, so exactly one process finishes each even when several sweep at once.
   */
  async takeStuckDue(now: number, graceMs: number, limit = 100): Promise<ApprovalRequest[]> {
    const ids = await guardRedis(() =>
      this.#redis.zrangebyscore(
        this.#keys.approvalsApproved(),
        '-inf',
        now - graceMs,
        'LIMIT',
        0,
        limit,
      ),
    );
    const taken: ApprovalRequest[] = [];
    for (const id of ids) {
      if (!(await this.takeStuck(id, now, graceMs))) continue;
      const request = await this.get(id);
      if (request) taken.push(request);
    }
    return taken;
  }

  /** Pending requests that have not expired yet, soonest expiry first. */
  async listPending(now: number, limit = 100): Promise<ApprovalRequest[]> {
    const ids = await guardRedis(() =>
      this.#redis.zrangebyscore(
        this.#keys.approvalsPending(),
        `(${now}`,
        '+inf',
        'LIMIT',
        0,
        limit,
      ),
    );
    const requests = await Promise.all(ids.map((id) => this.get(id)));
    return requests.filter((r): r is ApprovalRequest => r !== null && r.state === 'pending');
  }

  /** Stores what a modal is about under a fresh opaque reference, for a short while. */
  async saveModalRef(ref: ModalRef): Promise<string> {
    const id = newApprovalId();
    await guardRedis(() =>
      this.#redis.set(this.#keys.modalRef(id), JSON.stringify(ref), 'EX', this.#modalTtl),
    );
    return id;
  }

  /**
   * Takes a modal reference back (once): null when unknown, expired, used, or opened by
   * someone else than `user`.
   */
  async takeModalRef(id: string, user: string): Promise<ModalRef | null> {
    if (!isValidApprovalId(id)) return null;
    // Taken only by its owner, in one step: someone else's submit must not use it up.
    const raw = await guardRedis(() =>
      this.#redis.eval(TAKE_MODAL_REF, 1, this.#keys.modalRef(id), user),
    );
    if (typeof raw !== 'string') return null;
    const parsed = ModalRefSchema.safeParse(safeJson(raw));
    if (!parsed.success || parsed.data.user !== user) return null;
    return parsed.data;
  }

  async #transition(
    id: string,
    from: ApprovalState,
    to: ApprovalState,
    outcome: string,
    now: number,
    keepUnfinished = false,
  ): Promise<boolean> {
    if (!isValidApprovalId(id)) return false;
    const res = await guardRedis(() =>
      run(
        this.#redis,
        TRANSITION,
        [this.#keys.approval(id), this.#keys.approvalsPending(), this.#keys.approvalsApproved()],
        [id, from, to, outcome, now, keepUnfinished ? '1' : '0'],
      ),
    );
    return res === 'ok';
  }
}

// GET, and DEL only when the reference belongs to ARGV[1].
const TAKE_MODAL_REF = `
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ok, ref = pcall(cjson.decode, raw)
if not ok or type(ref) ~= 'table' or ref.user ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
return raw`;

const ModalRefSchema = z.object({
  action: z.enum(JOB_ACTIONS),
  jobId: z.string(),
  user: z.string(),
  channel: z.string(),
});

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

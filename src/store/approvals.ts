import type { Redis } from 'ioredis';
import {
  type ApprovalRequest,
  type ApprovalState,
  type ApprovalStoreOptions,
  type DecideResult,
  isValidApprovalId,
  type NewApprovalRequest,
  newRequest,
  StoredRequestSchema,
  storedFields,
  stripUndefined,
} from './approval-record.ts';
import type { Keys } from './keys.ts';
import { ModalRefs } from './modal-refs.ts';
import { guardRedis, waitForReplica } from './redis.ts';
import { loadScript, runScript, type Script } from './scripts.ts';

export * from './approval-record.ts';

/**
 * Approval requests in Redis. A request is a hash plus a set of approving user IDs; pending
 * requests are also indexed in a sorted set scored by their expiry, and approved requests not
 * yet executed or failed in another, scored by when work on them last began (so one left
 * behind by a process that died can be found and taken over). Every change of state is one
 * Lua script, so a decision is taken exactly once however many people click at once and
 * however many ftops processes answer them.
 */

// Each in src/store/lua/, with its KEYS and ARGV written at its top.
const DECIDE = loadScript('decide');
const EXPIRE_ONE = loadScript('expire-one');
const TRANSITION = loadScript('transition');
const TAKE_STUCK = loadScript('take-stuck');
const SET_IF_EXISTS = loadScript('set-if-exists');
/**
 * How long a vote or a decision waits for a replica to have it (`WAIT 1`) before it is
 * acted on or confirmed; see `waitForReplica`.
 */
export const DECISION_REPLICA_WAIT_MS = 250;

/** Approval requests and modal references in Redis. */
export class ApprovalStore {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #historyMs: number;
  /** What open modals are about, under opaque references. */
  readonly modals: ModalRefs;

  constructor(opts: ApprovalStoreOptions) {
    this.#redis = opts.redis;
    this.#keys = opts.keys;
    this.#historyMs = opts.historyMs ?? 7 * 24 * 3600 * 1000;
    this.modals = new ModalRefs(opts.redis, opts.keys, opts.modalRefTtlSeconds ?? 15 * 60);
  }

  /** Stores a new pending request and indexes it by expiry. */
  async create(input: NewApprovalRequest, now: number): Promise<ApprovalRequest> {
    const request = newRequest(input, now);
    const { id, expiresAt } = request;
    // A relative TTL, so a virtual clock (tests, the sandbox) cannot make it land in the past.
    const keepMs = expiresAt - now + this.#historyMs;
    const key = this.#keys.approval(id);
    await guardRedis(async () => {
      const results = await this.#redis
        .multi()
        .hset(key, storedFields(request))
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
    // Sent together, as a pipeline would (neither is atomic with the other).
    const [hash, votes] = await guardRedis(() =>
      Promise.all([
        this.#redis.hgetall(this.#keys.approval(id)),
        this.#redis.smembers(this.#keys.approvalVotes(id)),
      ]),
    );
    if (!hash || Object.keys(hash).length === 0) return null;
    const parsed = StoredRequestSchema.safeParse(hash);
    if (!parsed.success) return null;
    const approvals = [...votes].sort();
    return stripUndefined({ ...parsed.data, approvals });
  }

  /** Records where the request message was posted. */
  async setMessage(id: string, channel: string, ts: string): Promise<boolean> {
    const res = await this.#run(
      SET_IF_EXISTS,
      [this.#keys.approval(id)],
      ['approvalChannel', channel, 'messageTs', ts],
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
    /** Earlier voters who no longer hold the role: their votes are dropped before counting. */
    lapsed?: readonly string[];
    /** Earlier voters whose role could not be checked: not counted now, their votes kept. */
    unverified?: readonly string[];
  }): Promise<DecideResult> {
    if (!isValidApprovalId(input.id)) return { kind: 'not_found' };
    const res = (await guardRedis(() =>
      runScript(
        this.#redis,
        DECIDE,
        [
          this.#keys.approval(input.id),
          this.#keys.approvalVotes(input.id),
          this.#keys.approvalsPending(),
          this.#keys.approvalsApproved(),
        ],
        [
          input.id,
          input.clicker,
          input.vote,
          input.now,
          Math.max(1, input.approvalsRequired),
          (input.lapsed ?? []).length,
          ...(input.lapsed ?? []),
          ...(input.unverified ?? []),
        ],
      ),
    )) as [string, (string | number)?];
    const [kind, extra] = res;
    // A vote, approval or denial is on a replica before anyone acts on it or is told of it,
    // so a failover right after cannot bring back a pending request whose pause already ran.
    if (kind === 'recorded' || kind === 'approved' || kind === 'denied')
      await waitForReplica(this.#redis, this.#keys.approval(input.id), DECISION_REPLICA_WAIT_MS);
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
    await this.#run(SET_IF_EXISTS, [this.#keys.approval(id)], ['told', '1']);
  }

  /** The outcome of an executed or failed request has been audited and told: it is finished. */
  async markReported(id: string): Promise<void> {
    if (!isValidApprovalId(id)) return;
    await guardRedis(() => this.#redis.zrem(this.#keys.approvalsApproved(), id));
  }

  /** Keeps the approver's reason on a denied request, shown with the decision. */
  async noteDenyReason(id: string, reason: string): Promise<void> {
    if (!isValidApprovalId(id) || reason === '') return;
    await this.#run(SET_IF_EXISTS, [this.#keys.approval(id)], ['outcome', reason]);
  }

  /** Closes a pending request whose job no longer allows its action (pending → closed). */
  close(id: string, outcome: string, now: number): Promise<boolean> {
    return this.#transition(id, 'pending', 'closed', outcome, now);
  }

  /** Gives up a pending request that could not be posted (pending → failed). */
  abandon(id: string, outcome: string, now: number): Promise<boolean> {
    return this.#transition(id, 'pending', 'failed', outcome, now);
  }

  /** Marks one pending request expired if it is due; true when this call expired it. */
  async expire(id: string, now: number): Promise<boolean> {
    if (!isValidApprovalId(id)) return false;
    const res = await this.#run(
      EXPIRE_ONE,
      [this.#keys.approval(id), this.#keys.approvalsPending()],
      [id, now],
    );
    return res === 'expired';
  }

  /** Expires every overdue request; returns those this call expired (one sweeper each). */
  expireDue(now: number, limit = 100): Promise<ApprovalRequest[]> {
    return this.#claimDue(this.#keys.approvalsPending(), now, limit, (id) => this.expire(id, now));
  }

  /**
   * Takes over one request left unfinished since `now - graceMs` (its executor died before
   * recording or telling the outcome); atomic: exactly one caller gets true per grace period.
   */
  async takeStuck(id: string, now: number, graceMs: number): Promise<boolean> {
    if (!isValidApprovalId(id)) return false;
    const res = await this.#run(
      TAKE_STUCK,
      [this.#keys.approval(id), this.#keys.approvalsApproved()],
      [id, now, now - graceMs],
    );
    return res === 'taken';
  }

  /**
   * Takes over every request stuck in `approved` for at least `graceMs` and returns those this
   * call took, so exactly one process finishes each even when several sweep at once.
   */
  takeStuckDue(now: number, graceMs: number, limit = 100): Promise<ApprovalRequest[]> {
    return this.#claimDue(this.#keys.approvalsApproved(), now - graceMs, limit, (id) =>
      this.takeStuck(id, now, graceMs),
    );
  }

  /** The requests of `index` scored up to `max` that `claim` wins, read back after the claim. */
  async #claimDue(
    index: string,
    max: number,
    limit: number,
    claim: (id: string) => Promise<boolean>,
  ): Promise<ApprovalRequest[]> {
    const ids = await guardRedis(() =>
      this.#redis.zrangebyscore(index, '-inf', max, 'LIMIT', 0, limit),
    );
    const claimed: ApprovalRequest[] = [];
    for (const id of ids) {
      if (!(await claim(id))) continue;
      const request = await this.get(id);
      if (request) claimed.push(request);
    }
    return claimed;
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

  #run(script: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    return guardRedis(() => runScript(this.#redis, script, keys, args));
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
    const res = await this.#run(
      TRANSITION,
      [this.#keys.approval(id), this.#keys.approvalsPending(), this.#keys.approvalsApproved()],
      [id, from, to, outcome, now, keepUnfinished ? '1' : '0'],
    );
    return res === 'ok';
  }
}

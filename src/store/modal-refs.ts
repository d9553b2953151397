import type { Redis } from 'ioredis';
import type { z } from 'zod';
import {
  type DenyRef,
  DenyRefSchema,
  isValidApprovalId,
  type ModalRef,
  ModalRefSchema,
  newApprovalId,
  safeJson,
} from './approval-record.ts';
import type { Keys } from './keys.ts';
import { guardRedis } from './redis.ts';
import { loadScript, runScript } from './scripts.ts';

/**
 * What a reason modal is about, kept server-side under an opaque reference that travels in
 * the modal's `private_metadata`: the modal carries no job ID or action anyone could edit.
 */

const TAKE_MODAL_REF = loadScript('take-modal-ref');

/** Stores `ref` under a fresh reference for `ttlSeconds`; returns the reference. */
async function saveModalRef(
  redis: Redis,
  keys: Keys,
  ref: ModalRef | DenyRef,
  ttlSeconds: number,
): Promise<string> {
  const id = newApprovalId();
  await guardRedis(() => redis.set(keys.modalRef(id), JSON.stringify(ref), 'EX', ttlSeconds));
  return id;
}

/** Takes a reference back once, and only for its owner and of `schema`'s kind; null otherwise. */
async function takeModalRef<T extends { user: string }>(
  redis: Redis,
  keys: Keys,
  id: string,
  user: string,
  schema: z.ZodType<T>,
): Promise<T | null> {
  if (!isValidApprovalId(id)) return null;
  // Taken only by its owner, in one step: someone else's submit must not use it up.
  const raw = await guardRedis(() => runScript(redis, TAKE_MODAL_REF, [keys.modalRef(id)], [user]));
  if (typeof raw !== 'string') return null;
  const parsed = schema.safeParse(safeJson(raw));
  if (!parsed.success || parsed.data.user !== user) return null;
  return parsed.data;
}

/** The references of open modals: a reason modal (what to ask) and a deny modal (which request). */
export class ModalRefs {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly ttlSeconds: number,
  ) {}

  /** Stores what a reason modal is about under a fresh opaque reference, for a short while. */
  save(ref: ModalRef): Promise<string> {
    return saveModalRef(this.redis, this.keys, ref, this.ttlSeconds);
  }

  /** Takes a reason modal's reference back (once): null when unknown, expired, used, or not `user`'s. */
  take(id: string, user: string): Promise<ModalRef | null> {
    return takeModalRef(this.redis, this.keys, id, user, ModalRefSchema);
  }

  /** Stores which request a deny modal is about. */
  saveDeny(ref: Omit<DenyRef, 'kind'>): Promise<string> {
    return saveModalRef(this.redis, this.keys, { kind: 'deny', ...ref }, this.ttlSeconds);
  }

  /** Takes a deny modal's reference back, as `take`. */
  takeDeny(id: string, user: string): Promise<DenyRef | null> {
    return takeModalRef(this.redis, this.keys, id, user, DenyRefSchema);
  }
}

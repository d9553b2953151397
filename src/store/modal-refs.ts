import type { Redis } from 'ioredis';
import {
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
export async function saveModalRef(
  redis: Redis,
  keys: Keys,
  ref: ModalRef,
  ttlSeconds: number,
): Promise<string> {
  const id = newApprovalId();
  await guardRedis(() => redis.set(keys.modalRef(id), JSON.stringify(ref), 'EX', ttlSeconds));
  return id;
}

/** Takes a reference back once, and only for its owner; null otherwise. */
export async function takeModalRef(
  redis: Redis,
  keys: Keys,
  id: string,
  user: string,
): Promise<ModalRef | null> {
  if (!isValidApprovalId(id)) return null;
  // Taken only by its owner, in one step: someone else's submit must not use it up.
  const raw = await guardRedis(() => runScript(redis, TAKE_MODAL_REF, [keys.modalRef(id)], [user]));
  if (typeof raw !== 'string') return null;
  const parsed = ModalRefSchema.safeParse(safeJson(raw));
  if (!parsed.success || parsed.data.user !== user) return null;
  return parsed.data;
}

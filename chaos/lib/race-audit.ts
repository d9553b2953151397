import { n } from './campaign.ts';
import type { World } from './world.ts';

/** One entry of the audit stream, its fields by name. */
export type AuditEntry = Record<string, string | undefined>;

/** The id of the newest audit entry, to read only what comes after it. */
export async function lastAuditId(world: World): Promise<string | undefined> {
  const last = await world.redis.xrevrange(world.keys.audit(), '+', '-', 'COUNT', 1);
  return last[0]?.[0];
}

/** The audit stream, whole or after the entry `afterId`. */
export async function readAudit(world: World, afterId?: string): Promise<AuditEntry[]> {
  const entries = await world.redis.xrange(world.keys.audit(), afterId ? `(${afterId}` : '-', '+');
  return entries.map(([, raw]) => fieldsOf(raw));
}

function fieldsOf(raw: string[]): AuditEntry {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i] as string] = raw[i + 1] as string;
  return out;
}

/** `[1, 1, 2]` → "2 with 1, 1 with 2": how many trials saw each count. */
export function countsText(values: readonly number[]): string {
  const hist = new Map<number, number>();
  for (const v of values) hist.set(v, (hist.get(v) ?? 0) + 1);
  return [...hist.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([value, count]) => `${n(count)} with ${value}`)
    .join(', ');
}

/** Up to three examples of what went wrong, as a row's tail ("" when none). */
export function examples(items: readonly string[]): string {
  return items.length ? `; e.g. ${items.slice(0, 3).join(' | ')}` : '';
}

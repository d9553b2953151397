import { n } from './campaign.ts';
import type { World } from './world.ts';

/** One entry of the audit stream, its fields by name. */
export type AuditEntry = Record<string, string | undefined>;

/** Decisions and refusals are kept in two streams; an audit read looks at both. */
const streams = (world: World) => [world.keys.audit(), world.keys.auditRefusals()];

/** Stream IDs (`<ms>-<seq>`) in time order. */
function byId(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/** The id of the newest audit entry, to read only what comes after it. */
export async function lastAuditId(world: World): Promise<string | undefined> {
  const ids: string[] = [];
  for (const key of streams(world)) {
    const last = await world.redis.xrevrange(key, '+', '-', 'COUNT', 1);
    if (last[0]) ids.push(last[0][0]);
  }
  return ids.sort(byId).at(-1);
}

/** The audit trail (decisions and refusals, in time order), whole or after the entry `afterId`. */
export async function readAudit(world: World, afterId?: string): Promise<AuditEntry[]> {
  const all: Array<[string, string[]]> = [];
  for (const key of streams(world))
    all.push(...(await world.redis.xrange(key, afterId ? `(${afterId}` : '-', '+')));
  const entries = all.sort((a, b) => byId(a[0], b[0])).map(([, raw]) => fieldsOf(raw));
  // A refusal entry stands for itself and the repeats folded into it.
  for (const e of entries) {
    if (e.fold) e.repeats = (await world.redis.get(world.keys.auditRefusalRepeats(e.fold))) ?? '0';
  }
  return entries;
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

import type { Evidence } from './evidence.ts';

/**
 * What every campaign shares: how big to run (the full battery or the short seeded version
 * that `npm test` runs), where to leave evidence for the secret-canary scan, and what it
 * reports back: one row per property, each with what was tried, what happened and the target.
 */

export interface CampaignOptions {
  /** True for `npm run chaos` (the counts); false for the short version in `npm test`. */
  full: boolean;
  /** Seed of every random choice, so a failing run can be repeated exactly. */
  seed: number;
  /** Where logs, Slack bodies and Redis contents are left for the canary scan. */
  evidence: Evidence;
  /** Progress lines (the runner prints them; tests drop them). */
  log?: (line: string) => void;
}

/** One checked property of a campaign. */
export interface Row {
  /** What was tried, e.g. "2,000 replays of valid requests". */
  tried: string;
  /** What was observed, with figures. */
  happened: string;
  /** The target it is held to. */
  target: string;
  met: boolean;
}

export interface CampaignResult {
  /** Short key, e.g. "authenticity". */
  name: string;
  /** Heading, e.g. "1. Authenticity". */
  title: string;
  rows: Row[];
  durationMs: number;
  /** Faults found and fixed, or notes worth a line in RELIABILITY.md. */
  notes?: string[];
}

export type Campaign = (opts: CampaignOptions) => Promise<CampaignResult>;

/** Small, fast, seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n) from `random`. */
export function pick(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

/** Fisher–Yates shuffle with `random`, in place. */
export function shuffle<T>(random: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = pick(random, i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results keep input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return out;
}

/** Polls `check` every `everyMs` until it returns true; false if `timeoutMs` passes first. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `1234567` → "1,234,567". */
export function n(value: number): string {
  return value.toLocaleString('en-US');
}

import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of ASCII letters and digits, the shape the services use in IDs. */
export function randomAlnum(length: number): string {
  // Bytes come from a pool refilled 4 KiB at a time: IDs are made by the thousand in tests and
  // a randomBytes call per ID dominated the cost. The modulo bias is irrelevant for fake IDs.
  let out = '';
  for (let i = 0; i < length; i++) {
    if (poolAt >= pool.length) {
      pool = randomBytes(4096);
      poolAt = 0;
    }
    out += ALNUM[pool[poolAt++]! % ALNUM.length];
  }
  return out;
}

let pool = Buffer.alloc(0);
let poolAt = 0;

/** A seeded PRNG (mulberry32) returning floats in [0, 1): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import type { MetricPoint, TrainingSeries } from '../../src/training/types.ts';

/** Training series shaped like the services' metrics, made here from a seed (no files). */

/** A small deterministic PRNG (mulberry32), so every run draws the same noise. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeriesShape {
  steps: number;
  /** Steps the job has trained so far (default all). */
  upTo?: number;
  validEvery?: number;
  checkpointEvery?: number;
  pauses?: TrainingSeries['pauses'];
  /** Validation loss turns upwards after this fraction of the run. */
  overfitFrom?: number;
  /** Train loss explodes, then goes NaN, from this step. */
  divergeAt?: number;
  seed?: number;
}

/** A loss that decays with noise, validation every N steps, accuracy rising towards 0.9. */
export function trainingSeries(shape: SeriesShape, jobId = 'ftjob-demo123'): TrainingSeries {
  const random = rng(shape.seed ?? 7);
  const upTo = shape.upTo ?? shape.steps;
  const validEvery = shape.validEvery ?? Math.max(1, Math.round(shape.steps / 20));
  const points: MetricPoint[] = [];
  for (let step = 1; step <= upTo; step += 1) {
    const t = step / shape.steps;
    const base = 0.35 + 2.1 * Math.exp(-5 * t);
    const noise = (random() - 0.5) * 0.18;
    const p: MetricPoint = {
      step,
      trainLoss: base + noise,
      trainAccuracy: Math.min(0.99, 0.55 + 0.38 * (1 - Math.exp(-4 * t)) + noise * 0.1),
    };
    if (shape.divergeAt !== undefined && step >= shape.divergeAt) {
      const k = step - shape.divergeAt;
      p.trainLoss = k < 12 ? base * 1.6 ** k : Number.NaN;
      p.trainAccuracy = k < 12 ? 0.3 : Number.NaN;
    }
    if (step % validEvery === 0) {
      const over = shape.overfitFrom !== undefined && t > shape.overfitFrom;
      p.validLoss = base + 0.08 + (over ? 1.4 * (t - (shape.overfitFrom as number)) : 0);
      p.validAccuracy = Math.min(0.99, 0.52 + 0.36 * (1 - Math.exp(-4 * t)));
    }
    points.push(p);
  }
  const checkpoints =
    shape.checkpointEvery === undefined
      ? []
      : Array.from({ length: Math.floor(upTo / shape.checkpointEvery) }, (_, i) => ({
          step: (i + 1) * shape.checkpointEvery!,
          id: `ftchkpt-${i + 1}`,
        }));
  return { jobId, points, totalSteps: shape.steps, checkpoints, pauses: shape.pauses ?? [] };
}

import { pick, shuffle } from '../../lib/campaign.ts';

export const MOMENTS = ['before-effect', 'after-effect', 'after-click'] as const;
export type Moment = (typeof MOMENTS)[number];
export const MOMENT_TEXT: Record<Moment, string> = {
  'before-effect': 'POST …/pause held on arrival, before its effect',
  'after-effect': 'POST …/pause held after its effect, before the answer',
  'after-click': 'a random 0–100 ms after the click was acked',
};
/** The worker's recovery grace and sweep interval (10 min and 30 s in production). */
export const GRACE_MS = 2_000;
export const SWEEP_MS = 500;
/** Web processes taking trials side by side, each with its own jobs. */
export const LANES = 2;
export const REASONS = ['eval loss diverged', 'need the GPUs', 'wrong learning rate', 'data leak'];

export interface Plan {
  index: number;
  moment: Moment;
  /** For `after-click`: ms between the ack and the kill. */
  delayMs: number;
  reason: string;
}

/** `total` trials, every moment equally often (the short version: each once, then one more), in seeded order. */
export function planTrials(random: () => number, total: number): Plan[] {
  const moments: Moment[] = Array.from(
    { length: total },
    (_, i) => MOMENTS[i % MOMENTS.length] as Moment,
  );
  shuffle(random, moments);
  return moments.map((moment, index) => ({
    index,
    moment,
    delayMs: moment === 'after-click' ? pick(random, 101) : 0,
    reason: REASONS[pick(random, REASONS.length)] as string,
  }));
}

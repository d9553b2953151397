import type { Split } from './curves.ts';

/** Colours, labels and limits shared by the parts of the chart. */

export const COLOR: Record<Split, string> = { train: '#2563eb', valid: '#ea580c', full: '#7c3aed' };
export const LABEL: Record<Split, string> = {
  train: 'Train',
  valid: 'Validation',
  full: 'Full validation',
};
export const DASH: Record<Split, string | undefined> = {
  train: undefined,
  valid: undefined,
  full: '7 4',
};
export const INK = '#111827';
export const MUTED = '#4b5563';
export const GRID = '#e5e7eb';
export const FRAME = '#9ca3af';
export const ALERT = '#dc2626';
export const CHECKPOINT = '#475569';
export const PAUSE = '#f59e0b';
/** The font shipped with ftops (dejavu-fonts-ttf); `png.ts` loads it, no system font needed. */
export const CHART_FONT = 'DejaVu Sans';

/** Validation points get a dot each while there are this few. */
export const MAX_DOTS = 80;
/** Past this many points the train curve is drawn faint with its smoothed trend over it. */
export const SMOOTH_FROM = 60;
/** At most this many warning marks (clipped, not finite) per curve. */
export const MAX_MARKS = 60;

import { type Curve, lossCeiling } from './curves.ts';
import { type LinearScale, linearScale, niceDomain } from './scale.ts';

/** Sizes, panel placement and the value axis of each panel. */

/** Options of {@link buildChart}. */
export interface ChartOptions {
  /** Pixels; default 1200 × 700, Slack's preview reads it without zooming. */
  width?: number;
  height?: number;
  /** The job as users name it (e.g. `azure-eastus/ftjob-abc`); default the series' jobId. */
  jobKey?: string;
}

/** Where a panel sits and how its values map to pixels. */
export interface PanelLayout {
  top: number;
  bottom: number;
  y: LinearScale;
  /** Values above the axis are drawn at the top edge, marked as clipped. */
  clippedAbove?: number;
}

/** Where everything went, for tests and for callers that describe the image in words. */
export interface ChartLayout {
  width: number;
  height: number;
  /** No metric at all: the image says "No metrics yet". */
  empty: boolean;
  left: number;
  right: number;
  x: LinearScale;
  loss?: PanelLayout;
  accuracy?: PanelLayout;
  /** The line of numbers under the title, one entry per fact. */
  notes: string[];
}

/** An SVG document and its layout. */
export interface Chart {
  svg: string;
  layout: ChartLayout;
}

export function clampSize(v: number | undefined, fallback: number, lo: number, hi: number): number {
  if (v === undefined || !Number.isFinite(v)) return fallback;
  return Math.round(Math.min(hi, Math.max(lo, v)));
}

export function shorten(s: string, max: number): string {
  // Control characters (a newline in a job key) would break the title line.
  const chars = [...s].map((ch) => ((ch.codePointAt(0) ?? 32) < 32 || ch === '\u007f' ? ' ' : ch));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

export function lastCurveStep(c: Curve): number {
  return Math.max(c.steps.at(-1) ?? 0, c.nonFinite.at(-1) ?? 0);
}

/** The lowest and highest value over the curves; lo > hi when there is none. */
function valueRange(curves: Curve[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of curves)
    for (const v of c.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return [lo, hi];
}

export function lossPanel(curves: Curve[], top: number, bottom: number): PanelLayout {
  const [lo, max] = valueRange(curves);
  const ceiling = lossCeiling(curves);
  if (ceiling === undefined) {
    // Only NaN and Infinity: an axis to put the marks on.
    return { top, bottom, y: linearScale([0, 1], [bottom, top]) };
  }
  const [d0, d1] = niceDomain(Math.min(lo, ceiling), ceiling, yTickCount('loss', top, bottom));
  const panel: PanelLayout = {
    top,
    bottom,
    y: linearScale([Math.max(d0, lo >= 0 ? 0 : d0), d1], [bottom, top]),
  };
  if (max > d1) panel.clippedAbove = d1;
  return panel;
}

export function accuracyPanel(curves: Curve[], top: number, bottom: number): PanelLayout {
  const [lo, hi] = valueRange(curves);
  if (lo > hi) return { top, bottom, y: linearScale([0, 1], [bottom, top]) };
  let [d0, d1] = niceDomain(lo, hi, yTickCount('accuracy', top, bottom));
  if (lo >= 0 && hi <= 1) [d0, d1] = [Math.max(0, d0), Math.min(1, d1)];
  return { top, bottom, y: linearScale([d0, d1], [bottom, top]) };
}

/** About one value tick per 45 px of panel height (6 at most for loss, 5 for accuracy). */
export function yTickCount(kind: 'loss' | 'accuracy', top: number, bottom: number): number {
  return Math.max(2, Math.min(kind === 'loss' ? 6 : 5, Math.floor((bottom - top) / 45)));
}

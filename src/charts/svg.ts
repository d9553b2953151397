import type { TrainingSeries } from '../training/types.ts';
import {
  ACCURACY_KEYS,
  type Curve,
  decimate,
  LOSS_KEYS,
  lossCeiling,
  orderedPoints,
  readCurves,
  type Split,
  smooth,
} from './curves.ts';
import {
  formatCount,
  formatMetric,
  formatPercent,
  formatStep,
  formatValue,
  type LinearScale,
  linearScale,
  niceDomain,
  tickStep,
  ticks,
} from './scale.ts';

/**
 * The chart of a job's training as an SVG string: a loss panel over an accuracy panel on one
 * step axis, train and validation curves, checkpoints as dashed lines, pauses shaded, a title
 * with the job key, a line of numbers and a legend. A pure function of the series, so tests
 * read the SVG and the layout it returns; `png.ts` rasterises it.
 */

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

const COLOR: Record<Split, string> = { train: '#2563eb', valid: '#ea580c', full: '#7c3aed' };
const LABEL: Record<Split, string> = {
  train: 'Train',
  valid: 'Validation',
  full: 'Full validation',
};
const DASH: Record<Split, string | undefined> = { train: undefined, valid: undefined, full: '7 4' };
const INK = '#111827';
const MUTED = '#4b5563';
const GRID = '#e5e7eb';
const FRAME = '#9ca3af';
const ALERT = '#dc2626';
const CHECKPOINT = '#475569';
const PAUSE = '#f59e0b';
/** The font shipped with ftops (dejavu-fonts-ttf); `png.ts` loads it, no system font needed. */
export const CHART_FONT = 'DejaVu Sans';

/** Validation points get a dot each while there are this few. */
const MAX_DOTS = 80;
/** Past this many points the train curve is drawn faint with its smoothed trend over it. */
const SMOOTH_FROM = 60;
/** At most this many warning marks (clipped, not finite) per curve. */
const MAX_MARKS = 60;

/** Whether the series has anything to draw; without it the chart is a "No metrics yet" image. */
export function hasMetrics(series: TrainingSeries): boolean {
  const points = orderedPoints(series);
  return readCurves(points, LOSS_KEYS).length > 0 || readCurves(points, ACCURACY_KEYS).length > 0;
}

/** The chart of `series` as an SVG document. */
export function renderChartSvg(series: TrainingSeries, opts: ChartOptions = {}): string {
  return buildChart(series, opts).svg;
}

/** The chart of `series`: the SVG and where each part was drawn. */
export function buildChart(series: TrainingSeries, opts: ChartOptions = {}): Chart {
  const width = clampSize(opts.width, 1200, 480, 4000);
  const height = clampSize(opts.height, 700, 320, 3000);
  const jobKey = shorten(opts.jobKey ?? String(series.jobId ?? ''), 72);
  const points = orderedPoints(series);
  const lossCurves = readCurves(points, LOSS_KEYS);
  const accCurves = readCurves(points, ACCURACY_KEYS);
  const checkpoints = (Array.isArray(series.checkpoints) ? series.checkpoints : []).filter((c) =>
    Number.isFinite(c?.step),
  );
  const pauses = (Array.isArray(series.pauses) ? series.pauses : []).filter((p) =>
    Number.isFinite(p?.fromStep),
  );

  const left = 86;
  const right = width - 32;
  const lastStep = Math.max(0, ...[...lossCurves, ...accCurves].map(lastCurveStep));
  const totalSteps =
    typeof series.totalSteps === 'number' && Number.isFinite(series.totalSteps)
      ? series.totalSteps
      : 0;
  const xMax = Math.max(
    lastStep,
    totalSteps,
    ...checkpoints.map((c) => c.step),
    ...pauses.map((p) =>
      Math.max(p.fromStep, Number.isFinite(p.toStep) ? (p.toStep as number) : 0),
    ),
  );
  const x = linearScale([0, xMax > 0 ? xMax : 1], [left, right]);

  const out = new Svg(width, height);
  const empty = lossCurves.length === 0 && accCurves.length === 0;
  const notes = empty ? [] : summary(lossCurves, accCurves, lastStep, totalSteps);

  // Header: title, the line of numbers, the legend.
  out.text(left - 56, 40, `Loss and accuracy · ${jobKey}`, {
    size: 24,
    weight: 'bold',
    cls: 'title',
  });
  if (empty) {
    out.text(width / 2, height / 2 - 10, 'No metrics yet', {
      size: 34,
      weight: 'bold',
      anchor: 'middle',
      fill: MUTED,
      cls: 'empty-note',
    });
    out.text(
      width / 2,
      height / 2 + 26,
      'The service has published no training metrics for this job so far.',
      { size: 17, anchor: 'middle', fill: MUTED },
    );
    return {
      svg: out.done(),
      layout: { width, height, empty, left, right, x, notes },
    };
  }

  const top = 120;
  const bottom = height - 72;
  const gap = 34;
  const both = lossCurves.length > 0 && accCurves.length > 0;
  const lossBottom = both ? top + Math.round((bottom - top - gap) * 0.62) : bottom;
  const accTop = both ? lossBottom + gap : top;

  const layout: ChartLayout = { width, height, empty, left, right, x, notes };
  const panels: Array<{ kind: 'loss' | 'accuracy'; panel: PanelLayout; curves: Curve[] }> = [];
  if (lossCurves.length > 0) {
    layout.loss = lossPanel(lossCurves, top, lossBottom);
    panels.push({ kind: 'loss', panel: layout.loss, curves: lossCurves });
  }
  if (accCurves.length > 0) {
    layout.accuracy = accuracyPanel(accCurves, accTop, bottom);
    panels.push({ kind: 'accuracy', panel: layout.accuracy, curves: accCurves });
  }

  out.text(left - 56, 68, notes.join('  ·  '), { size: 15, fill: MUTED, cls: 'subtitle' });

  const marks = { clipped: false, nonFinite: false };
  panels.forEach(({ kind, panel, curves }, i) => {
    const isLast = i === panels.length - 1;
    out.open(`<g class="panel" data-panel="${kind}">`);
    drawGrid(out, kind, panel, x, left, right, isLast);
    out.rect(left, panel.top, right - left, panel.bottom - panel.top, {
      fill: 'none',
      stroke: FRAME,
    });
    for (const p of pauses) drawPause(out, p, panel, x, xMax, i === 0);
    for (const c of checkpoints) drawCheckpoint(out, c.step, panel, x, i === 0);
    out.open(`<g clip-path="url(#clip-${kind})">`);
    out.clip(`clip-${kind}`, left, panel.top, right - left, panel.bottom - panel.top);
    for (const c of curves) drawCurve(out, c, panel, x);
    out.close('</g>');
    // Dots unclipped and over the frame: the last point often sits on the right edge.
    for (const c of curves) drawDots(out, c, panel, x);
    for (const c of curves) {
      if (drawWarnings(out, c, panel, x)) {
        if (c.nonFinite.length > 0) marks.nonFinite = true;
        if (panel.clippedAbove !== undefined && c.values.some((v) => v > panel.y.domain[1]))
          marks.clipped = true;
      }
    }
    const tall = panel.bottom - panel.top >= 140;
    const label = kind === 'loss' ? 'Loss' : tall ? 'Token accuracy' : 'Accuracy';
    out.text(22, (panel.top + panel.bottom) / 2, label, {
      size: 15,
      anchor: 'middle',
      fill: INK,
      rotate: true,
      cls: 'axis-label',
    });
    out.close('</g>');
  });
  out.text((left + right) / 2, height - 18, 'Training step', {
    size: 15,
    anchor: 'middle',
    cls: 'axis-label',
  });

  drawLegend(out, left - 56, 98, {
    splits: (['train', 'valid', 'full'] as const).filter((s) =>
      [...lossCurves, ...accCurves].some((c) => c.split === s),
    ),
    smoothed: [...lossCurves, ...accCurves].some(
      (c) => c.split === 'train' && c.values.length > SMOOTH_FROM,
    ),
    checkpoint: checkpoints.length > 0,
    pause: pauses.length > 0,
    nonFinite: marks.nonFinite,
    clipped: marks.clipped,
  });
  return { svg: out.done(), layout };
}

function clampSize(v: number | undefined, fallback: number, lo: number, hi: number): number {
  if (v === undefined || !Number.isFinite(v)) return fallback;
  return Math.round(Math.min(hi, Math.max(lo, v)));
}

function shorten(s: string, max: number): string {
  // Control characters (a newline in a job key) would break the title line.
  const chars = [...s].map((ch) => ((ch.codePointAt(0) ?? 32) < 32 || ch === '\u007f' ? ' ' : ch));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

function lastCurveStep(c: Curve): number {
  return Math.max(c.steps.at(-1) ?? 0, c.nonFinite.at(-1) ?? 0);
}

/** The facts under the title: progress, the validation loss to beat, what went wrong. */
function summary(loss: Curve[], acc: Curve[], lastStep: number, total: number): string[] {
  const notes = [
    total > 0
      ? `step ${formatCount(lastStep)} of ${formatCount(total)}`
      : `step ${formatCount(lastStep)}`,
  ];
  const valid = loss.find((c) => c.split === 'valid' && c.values.length > 0);
  const train = loss.find((c) => c.split === 'train' && c.values.length > 0);
  if (valid) {
    let best = 0;
    for (let i = 1; i < valid.values.length; i += 1)
      if ((valid.values[i] as number) < (valid.values[best] as number)) best = i;
    notes.push(
      `validation loss best ${formatMetric(valid.values[best])} (step ${formatCount(valid.steps[best] as number)}), latest ${formatMetric(valid.values.at(-1))}`,
    );
  } else if (train) {
    notes.push(`train loss latest ${formatMetric(train.values.at(-1))}`);
  }
  const validAcc = acc.find((c) => c.split === 'valid' && c.values.length > 0);
  if (validAcc)
    notes.push(`validation accuracy ${formatPercent(validAcc.values.at(-1) ?? 0, 0.001)}`);
  for (const c of loss) {
    const first = c.nonFinite[0];
    if (first !== undefined)
      notes.push(`${LABEL[c.split].toLowerCase()} loss not finite from step ${formatCount(first)}`);
  }
  return notes;
}

function lossPanel(curves: Curve[], top: number, bottom: number): PanelLayout {
  let lo = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const c of curves)
    for (const v of c.values) {
      if (v < lo) lo = v;
      if (v > max) max = v;
    }
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

function accuracyPanel(curves: Curve[], top: number, bottom: number): PanelLayout {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of curves)
    for (const v of c.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (lo > hi) return { top, bottom, y: linearScale([0, 1], [bottom, top]) };
  let [d0, d1] = niceDomain(lo, hi, yTickCount('accuracy', top, bottom));
  if (lo >= 0 && hi <= 1) [d0, d1] = [Math.max(0, d0), Math.min(1, d1)];
  return { top, bottom, y: linearScale([d0, d1], [bottom, top]) };
}

/** About one value tick per 45 px of panel height (6 at most for loss, 5 for accuracy). */
function yTickCount(kind: 'loss' | 'accuracy', top: number, bottom: number): number {
  return Math.max(2, Math.min(kind === 'loss' ? 6 : 5, Math.floor((bottom - top) / 45)));
}

function drawGrid(
  out: Svg,
  kind: 'loss' | 'accuracy',
  panel: PanelLayout,
  x: LinearScale,
  left: number,
  right: number,
  withStepLabels: boolean,
): void {
  const [y0, y1] = panel.y.domain;
  const count = yTickCount(kind, panel.top, panel.bottom);
  const yStep = tickStep(y1 - y0, count);
  for (const v of ticks(y0, y1, count)) {
    const py = panel.y(v);
    out.line(left, py, right, py, { stroke: GRID });
    const label = kind === 'accuracy' && y1 <= 1 ? formatPercent(v, yStep) : formatValue(v, yStep);
    out.text(left - 8, py + 4.5, label, { size: 13, anchor: 'end', fill: MUTED, cls: 'tick' });
  }
  const [x0, x1] = x.domain;
  // About one step tick per 130 px: readable at any width.
  for (const s of ticks(x0, x1, Math.max(2, Math.min(8, Math.floor((right - left) / 130))))) {
    const px = x(s);
    out.line(px, panel.top, px, panel.bottom, { stroke: GRID });
    if (withStepLabels)
      out.text(px, panel.bottom + 20, formatStep(s), {
        size: 13,
        anchor: 'middle',
        fill: MUTED,
        cls: 'tick step-tick',
      });
  }
}

/** A pause as a shaded band (at least 8 px wide, a pause rarely spans steps); open to the axis end while paused. */
function drawPause(
  out: Svg,
  p: { fromStep: number; toStep?: number },
  panel: PanelLayout,
  x: LinearScale,
  xMax: number,
  labelled: boolean,
): void {
  const open = !Number.isFinite(p.toStep);
  const x0 = x(p.fromStep);
  const x1 = x(open ? xMax : Math.max(p.fromStep, p.toStep as number));
  const w = Math.max(8, x1 - x0);
  const bx = open ? x0 : (x0 + x1) / 2 - w / 2;
  const attrs = `data-from="${p.fromStep}"${open ? ' data-open="true"' : ` data-to="${p.toStep}"`}`;
  out.raw(
    `<rect class="pause" ${attrs} x="${r(bx)}" y="${r(panel.top)}" width="${r(w)}" height="${r(panel.bottom - panel.top)}" fill="${PAUSE}" fill-opacity="0.22"/>`,
  );
  if (labelled)
    out.text(bx + w / 2, panel.top + 36, open ? 'paused' : 'paused → resumed', {
      size: 12,
      anchor: 'middle',
      fill: '#92400e',
      halo: true,
      cls: 'pause-label',
    });
}

function drawCheckpoint(
  out: Svg,
  step: number,
  panel: PanelLayout,
  x: LinearScale,
  withDiamond: boolean,
): void {
  const px = r(x(step));
  const diamond = withDiamond
    ? `<path d="M${px} ${r(panel.top - 7)}l6 7-6 7-6-7z" fill="${CHECKPOINT}"/>`
    : '';
  out.raw(
    `<g class="checkpoint" data-step="${step}"><line x1="${px}" y1="${r(panel.top)}" x2="${px}" y2="${r(panel.bottom)}" stroke="${CHECKPOINT}" stroke-width="1.2" stroke-dasharray="4 4"/>${diamond}</g>`,
  );
}

/** Runs of finite points as index ranges [from, to), broken wherever the service sent NaN or Infinity. */
function segments(c: Curve): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let from = 0;
  let bad = 0;
  for (let i = 0; i < c.steps.length; i += 1) {
    let broken = false;
    while (bad < c.nonFinite.length && (c.nonFinite[bad] as number) <= (c.steps[i] as number)) {
      broken = true;
      bad += 1;
    }
    if (broken && i > from) {
      runs.push([from, i]);
      from = i;
    }
  }
  if (c.steps.length > from) runs.push([from, c.steps.length]);
  return runs;
}

/** A polyline's `d`, one pixel column holding at most four of its points. */
function pathData(xs: number[], ys: number[]): string {
  const [dx, dy] = decimate(xs, ys);
  let d = '';
  for (let i = 0; i < dx.length; i += 1)
    d += `${i === 0 ? 'M' : 'L'}${r(dx[i] as number)} ${r(dy[i] as number)}`;
  return d;
}

function drawCurve(out: Svg, c: Curve, panel: PanelLayout, x: LinearScale): void {
  const top = panel.y.domain[1];
  const yOf = (v: number) => panel.y(Math.min(v, top));
  const color = COLOR[c.split];
  const dash = DASH[c.split] ? ` stroke-dasharray="${DASH[c.split]}"` : '';
  const n = c.values.length;
  const noisy = c.split === 'train' && n > SMOOTH_FROM;
  const xs = c.steps.map(x);
  const ys = c.values.map(yOf);
  const raw: string[] = [];
  const trend: string[] = [];
  for (const [from, to] of segments(c)) {
    const runXs = xs.slice(from, to);
    raw.push(pathData(runXs, ys.slice(from, to)));
    if (noisy) {
      const span = Math.max(2, Math.round(n / 60));
      trend.push(pathData(runXs, smooth(c.values.slice(from, to), span).map(yOf)));
    }
  }
  const common = `fill="none" stroke="${color}" stroke-linejoin="round" stroke-linecap="round"`;
  if (noisy) {
    out.raw(
      `<path class="curve" data-metric="${c.key}" data-role="raw" d="${raw.join('')}" ${common} stroke-width="1.2" stroke-opacity="0.35"/>`,
    );
    out.raw(
      `<path class="curve" data-metric="${c.key}" data-role="trend" d="${trend.join('')}" ${common} stroke-width="2.6"/>`,
    );
  } else {
    out.raw(
      `<path class="curve" data-metric="${c.key}" data-role="line" d="${raw.join('')}" ${common} stroke-width="2.4"${dash}/>`,
    );
  }
}

/** A dot per point for sparse curves (validation, or a single point), where lines alone hide them. */
function drawDots(out: Svg, c: Curve, panel: PanelLayout, x: LinearScale): void {
  const n = c.values.length;
  if (!(n === 1 || (c.split !== 'train' && n <= MAX_DOTS))) return;
  const top = panel.y.domain[1];
  let circles = '';
  for (let i = 0; i < n; i += 1)
    circles += `<circle cx="${r(x(c.steps[i] as number))}" cy="${r(panel.y(Math.min(c.values[i] as number, top)))}" r="${n === 1 ? 5 : 3.6}"/>`;
  out.raw(
    `<g class="dots" data-metric="${c.key}" fill="${COLOR[c.split]}" stroke="#ffffff" stroke-width="1.2">${circles}</g>`,
  );
}

/** Marks values above the axis (▲) and non-finite values (×) at the panel's top edge. */
function drawWarnings(out: Svg, c: Curve, panel: PanelLayout, x: LinearScale): boolean {
  const top = panel.y.domain[1];
  const marks: string[] = [];
  let prevOver = false;
  for (let i = 0; i < c.values.length; i += 1) {
    const over = panel.clippedAbove !== undefined && (c.values[i] as number) > top;
    if (over && !prevOver && marks.length < MAX_MARKS) {
      const step = c.steps[i] as number;
      const px = r(x(step));
      marks.push(
        `<path class="clipped" data-metric="${c.key}" data-step="${step}" d="M${px} ${r(panel.top + 3)}l6 9h-12z" fill="${ALERT}"/>`,
      );
    }
    prevOver = over;
  }
  // One mark per run of non-finite values (a diverged job has thousands): a red bar along
  // the top edge over the run, a cross where it starts.
  const runs: Array<[number, number]> = [];
  let next = 0;
  for (const step of c.nonFinite) {
    let finiteBefore = false;
    while (next < c.steps.length && (c.steps[next] as number) < step) {
      next += 1;
      finiteBefore = true;
    }
    const last = runs.at(-1);
    if (last && !finiteBefore) last[1] = step;
    else runs.push([step, step]);
  }
  for (const [from, to] of runs.slice(0, MAX_MARKS)) {
    const x0 = x(from);
    const w = Math.max(4, x(to) - x0);
    const cy = panel.top + 15;
    marks.push(
      `<rect class="non-finite-run" data-metric="${c.key}" data-from="${from}" data-to="${to}" x="${r(x0)}" y="${r(panel.top)}" width="${r(w)}" height="5" fill="${ALERT}" fill-opacity="0.75"/>`,
      `<path class="non-finite" data-metric="${c.key}" data-step="${from}" d="M${r(x0 - 5)} ${r(cy - 5)}l10 10m0-10l-10 10" stroke="${ALERT}" stroke-width="2.4" stroke-linecap="round"/>`,
    );
  }
  for (const m of marks) out.raw(m);
  return marks.length > 0;
}

interface LegendContent {
  splits: Split[];
  smoothed: boolean;
  checkpoint: boolean;
  pause: boolean;
  nonFinite: boolean;
  clipped: boolean;
}

/** One row of swatches and labels; widths estimated from DejaVu Sans's mean advance (~0.56 em). */
function drawLegend(out: Svg, x0: number, y: number, l: LegendContent): void {
  const items: Array<{ swatch: (x: number) => string; label: string }> = [];
  for (const s of l.splits) {
    const dash = DASH[s] ? ` stroke-dasharray="${DASH[s]}"` : '';
    items.push({
      label: s === 'train' && l.smoothed ? 'Train (faint: raw, bold: smoothed)' : LABEL[s],
      swatch: (px) =>
        `<line x1="${px}" y1="${y - 5}" x2="${px + 26}" y2="${y - 5}" stroke="${COLOR[s]}" stroke-width="3"${dash}/>` +
        (s === 'train' ? '' : `<circle cx="${px + 13}" cy="${y - 5}" r="3.6" fill="${COLOR[s]}"/>`),
    });
  }
  if (l.checkpoint)
    items.push({
      label: 'Checkpoint',
      swatch: (px) =>
        `<line x1="${px + 13}" y1="${y - 14}" x2="${px + 13}" y2="${y + 4}" stroke="${CHECKPOINT}" stroke-width="1.2" stroke-dasharray="4 3"/><path d="M${px + 13} ${y - 12}l5 6-5 6-5-6z" fill="${CHECKPOINT}"/>`,
    });
  if (l.pause)
    items.push({
      label: 'Paused',
      swatch: (px) =>
        `<rect x="${px + 4}" y="${y - 14}" width="18" height="18" fill="${PAUSE}" fill-opacity="0.35"/>`,
    });
  if (l.nonFinite)
    items.push({
      label: 'Not finite (NaN/∞)',
      swatch: (px) =>
        `<path d="M${px + 8} ${y - 10}l10 10m0-10l-10 10" stroke="${ALERT}" stroke-width="2.4" stroke-linecap="round"/>`,
    });
  if (l.clipped)
    items.push({
      label: 'Above the axis',
      swatch: (px) => `<path d="M${px + 13} ${y - 13}l6 9h-12z" fill="${ALERT}"/>`,
    });
  let px = x0;
  const parts: string[] = [];
  for (const item of items) {
    parts.push(item.swatch(px));
    parts.push(textEl(px + 32, y, item.label, { size: 14, fill: INK }));
    px += 32 + item.label.length * 14 * 0.56 + 24;
  }
  out.raw(`<g class="legend">${parts.join('')}</g>`);
}

interface TextStyle {
  size: number;
  weight?: 'bold';
  anchor?: 'start' | 'middle' | 'end';
  fill?: string;
  cls?: string;
  /** Rotated 90° anticlockwise about its anchor point (a y-axis label). */
  rotate?: boolean;
  /** A white outline so it reads over grid lines and shading. */
  halo?: boolean;
}

function textEl(x: number, y: number, s: string, t: TextStyle): string {
  const attrs = [
    t.cls ? `class="${t.cls}"` : '',
    `x="${r(x)}"`,
    `y="${r(y)}"`,
    `font-size="${t.size}"`,
    t.weight ? `font-weight="${t.weight}"` : '',
    t.anchor && t.anchor !== 'start' ? `text-anchor="${t.anchor}"` : '',
    `fill="${t.fill ?? INK}"`,
    t.rotate ? `transform="rotate(-90 ${r(x)} ${r(y)})"` : '',
    t.halo ? 'stroke="#ffffff" stroke-width="3" paint-order="stroke"' : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${escapeXml(s)}</text>`;
}

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] as string,
  );
}

/** Rounds a coordinate to 0.1 px: smaller SVG, the same picture. */
function r(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A tiny SVG writer: elements in order, clip paths gathered into one <defs>. */
class Svg {
  private readonly body: string[] = [];
  private readonly defs: string[] = [];
  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}
  raw(s: string): void {
    this.body.push(s);
  }
  open(tag: string): void {
    this.body.push(tag);
  }
  close(tag: string): void {
    this.body.push(tag);
  }
  clip(id: string, x: number, y: number, w: number, h: number): void {
    this.defs.push(
      `<clipPath id="${id}"><rect x="${r(x)}" y="${r(y - 1)}" width="${r(w)}" height="${r(h + 2)}"/></clipPath>`,
    );
  }
  text(x: number, y: number, s: string, t: TextStyle): void {
    this.body.push(textEl(x, y, s, t));
  }
  line(x1: number, y1: number, x2: number, y2: number, a: { stroke: string }): void {
    this.body.push(
      `<line x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}" stroke="${a.stroke}" stroke-width="1"/>`,
    );
  }
  rect(x: number, y: number, w: number, h: number, a: { fill: string; stroke?: string }): void {
    this.body.push(
      `<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" fill="${a.fill}"${a.stroke ? ` stroke="${a.stroke}"` : ''}/>`,
    );
  }
  done(): string {
    const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" font-family="${CHART_FONT}">`;
    const bg = `<rect width="${this.width}" height="${this.height}" fill="#ffffff"/>`;
    const defs = this.defs.length > 0 ? `<defs>${this.defs.join('')}</defs>` : '';
    return `${head}${defs}${bg}${this.body.join('')}</svg>`;
  }
}

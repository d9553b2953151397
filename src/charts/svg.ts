import type { TrainingSeries } from '../training/types.ts';
import { drawGrid } from './axes.ts';
import { ACCURACY_KEYS, type Curve, LOSS_KEYS, orderedPoints, readCurves } from './curves.ts';
import {
  accuracyPanel,
  type Chart,
  type ChartLayout,
  type ChartOptions,
  clampSize,
  lastCurveStep,
  lossPanel,
  type PanelLayout,
  shorten,
} from './layout.ts';
import { drawLegend } from './legend.ts';
import { drawCheckpoint, drawPause, drawWarnings } from './markers.ts';
import { linearScale } from './scale.ts';
import { drawCurve, drawDots } from './series.ts';
import { summary } from './summary.ts';
import { Svg } from './svg-writer.ts';
import { FRAME, INK, MUTED, SMOOTH_FROM } from './theme.ts';

export type { Chart, ChartLayout, ChartOptions, PanelLayout } from './layout.ts';
export { escapeXml } from './svg-writer.ts';
export { CHART_FONT } from './theme.ts';

/**
 * The chart of a job's training as an SVG string: a loss panel over an accuracy panel on one
 * step axis, train and validation curves, checkpoints as dashed lines, pauses shaded, a title
 * with the job key, a line of numbers and a legend. A pure function of the series, so tests
 * read the SVG and the layout it returns; `png.ts` rasterises it.
 */

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

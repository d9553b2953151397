import type { Curve } from './curves.ts';
import type { PanelLayout } from './layout.ts';
import type { LinearScale } from './scale.ts';
import { r, type Svg } from './svg-writer.ts';
import { ALERT, CHECKPOINT, MAX_MARKS, PAUSE } from './theme.ts';

/** Marks over the panels: pauses, checkpoints, clipped and non-finite values. */

/** A pause as a shaded band (at least 8 px wide, a pause rarely spans steps); open to the axis end while paused. */
export function drawPause(
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

export function drawCheckpoint(
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

/** Marks values above the axis (▲) and non-finite values (×) at the panel's top edge. */
export function drawWarnings(out: Svg, c: Curve, panel: PanelLayout, x: LinearScale): boolean {
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

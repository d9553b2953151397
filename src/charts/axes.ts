import { type PanelLayout, yTickCount } from './layout.ts';
import {
  formatPercent,
  formatStep,
  formatValue,
  type LinearScale,
  tickStep,
  ticks,
} from './scale.ts';
import type { Svg } from './svg-writer.ts';
import { GRID, MUTED } from './theme.ts';

/** Grid lines and tick labels: values on the left, steps under the last panel. */

export function drawGrid(
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

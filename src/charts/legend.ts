import type { Split } from './curves.ts';
import { type Svg, textEl } from './svg-writer.ts';
import { ALERT, CHECKPOINT, COLOR, DASH, INK, LABEL, PAUSE } from './theme.ts';

export interface LegendContent {
  splits: Split[];
  smoothed: boolean;
  checkpoint: boolean;
  pause: boolean;
  nonFinite: boolean;
  clipped: boolean;
}

/** One row of swatches and labels; widths estimated from DejaVu Sans's mean advance (~0.56 em). */
export function drawLegend(out: Svg, x0: number, y: number, l: LegendContent): void {
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

import { type Curve, decimate, smooth } from './curves.ts';
import type { PanelLayout } from './layout.ts';
import type { LinearScale } from './scale.ts';
import { r, type Svg } from './svg-writer.ts';
import { COLOR, DASH, MAX_DOTS, SMOOTH_FROM } from './theme.ts';

/** The curves as SVG paths, and dots on sparse ones. */

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

export function drawCurve(out: Svg, c: Curve, panel: PanelLayout, x: LinearScale): void {
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
export function drawDots(out: Svg, c: Curve, panel: PanelLayout, x: LinearScale): void {
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

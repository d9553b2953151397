/**
 * Axis arithmetic for the chart: linear scales, "nice" tick values (1, 2, 5 × 10ⁿ) and tick
 * labels short enough for an axis (`1.2k`, `3M`, `85%`).
 */

/** A linear map from a data domain onto a pixel range. */
export interface LinearScale {
  domain: readonly [number, number];
  range: readonly [number, number];
  (value: number): number;
}

/** Maps `domain` linearly onto `range`; a zero-width domain maps everything to the range's middle. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const f = (v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0));
  return Object.assign(f, { domain, range });
}

/** The step between ticks: 1, 2 or 5 × 10ⁿ, giving about `count` ticks over `span`. */
export function tickStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power; // in [1, 10)
  const nice = m <= 1 + 1e-9 ? 1 : m <= 2 + 1e-9 ? 2 : m <= 5 + 1e-9 ? 5 : 10;
  return nice * power;
}

/** Tick values inside [lo, hi], multiples of a nice step, about `count` of them. */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [];
  if (hi === lo) return [lo];
  const step = tickStep(hi - lo, count);
  const first = Math.ceil(lo / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) out.push(roundTo(v, step));
  return out;
}

/** [lo, hi] widened outwards to multiples of the tick step. */
export function niceDomain(lo: number, hi: number, count: number): [number, number] {
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return niceDomain(lo - pad, hi + pad, count);
  }
  const step = tickStep(hi - lo, count);
  return [
    roundTo(Math.floor(lo / step + 1e-9) * step, step),
    roundTo(Math.ceil(hi / step - 1e-9) * step, step),
  ];
}

/** Removes float noise (0.30000000000000004) relative to the tick step. */
function roundTo(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(digits, 15)));
}

/** A step count as an axis label: `950`, `1.5k`, `20k`, `1.2M`. */
export function formatStep(step: number): string {
  const abs = Math.abs(step);
  if (abs >= 1e9) return `${trim(step / 1e9)}B`;
  if (abs >= 1e6) return `${trim(step / 1e6)}M`;
  if (abs >= 1e4) return `${trim(step / 1e3)}k`;
  if (abs >= 1e3 && step % 100 === 0) return `${trim(step / 1e3)}k`;
  return String(Math.round(step));
}

function trim(v: number): string {
  return Number(v.toFixed(2)).toString();
}

/** A loss value with the digits the tick step needs: `0.25`, `1.5`, `12`. */
export function formatValue(v: number, step: number): string {
  const digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(digits);
}

/** An accuracy fraction as a percent with the digits the tick step needs: `85%`, `92.5%`. */
export function formatPercent(v: number, step: number): string {
  return `${formatValue(v * 100, step * 100)}%`;
}

/** A metric for prose (subtitle, notes): three significant digits, `—` when not finite. */
export function formatMetric(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

/** A whole number with thousands separators: `12,000`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

import { describe, expect, it } from 'vitest';
import { buildChart, hasMetrics, renderChartSvg } from '../../src/charts/index.ts';
import { formatStep, niceDomain, ticks } from '../../src/charts/scale.ts';
import type { TrainingSeries } from '../../src/training/types.ts';
import { trainingSeries } from './series.ts';

/** The chart's SVG for known inputs: which elements it has and where the data went. */

const small: TrainingSeries = {
  jobId: 'ftjob-small',
  totalSteps: 10,
  points: [
    { step: 1, trainLoss: 2.0, trainAccuracy: 0.5 },
    { step: 2, trainLoss: 1.6, trainAccuracy: 0.6 },
    { step: 3, trainLoss: 1.2, trainAccuracy: 0.7, validLoss: 1.4, validAccuracy: 0.65 },
    { step: 4, trainLoss: 1.0, trainAccuracy: 0.75 },
    { step: 6, trainLoss: 0.8, trainAccuracy: 0.8, validLoss: 1.1, validAccuracy: 0.72 },
  ],
  checkpoints: [{ step: 3, id: 'ftchkpt-1' }],
  pauses: [{ fromStep: 4, toStep: 5 }],
};

/** The `d` of the curve drawing `metric` (role line/raw/trend). */
function pathOf(svg: string, metric: string, role = 'line'): string {
  const m = new RegExp(`data-metric="${metric}" data-role="${role}" d="([^"]*)"`).exec(svg);
  if (!m) throw new Error(`no ${role} path for ${metric}`);
  return m[1] as string;
}

/** The points of a path's `M`/`L` commands. */
function pointsOf(d: string): Array<[number, number]> {
  return [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const count = (svg: string, needle: string) => svg.split(needle).length - 1;

describe('a small series', () => {
  const { svg, layout } = buildChart(small, { jobKey: 'azure-eastus/ftjob-small' });

  it('is a 1200 × 700 SVG with a title naming the job', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1200" height="700"/);
    expect(svg).toContain('font-family="DejaVu Sans"');
    expect(svg).toMatch(/class="title"[^>]*>Loss and accuracy · azure-eastus\/ftjob-small</);
    expect(layout.notes).toEqual([
      'step 6 of 10',
      'validation loss best 1.1 (step 6), latest 1.1',
      'validation accuracy 72.0%',
    ]);
  });

  it('draws train and validation loss and accuracy on one step axis', () => {
    for (const metric of ['trainLoss', 'validLoss', 'trainAccuracy', 'validAccuracy'])
      expect(pathOf(svg, metric)).toMatch(/^M/);
    expect(svg).not.toContain('data-metric="fullValidLoss"');
    // The step axis runs to total_steps; both panels share it.
    expect(layout.x.domain).toEqual([0, 10]);
    expect(layout.loss && layout.accuracy).toBeTruthy();
    expect((layout.loss?.bottom ?? 0) < (layout.accuracy?.top ?? 0)).toBe(true);
  });

  it('puts each point where the data says', () => {
    const train = pointsOf(pathOf(svg, 'trainLoss'));
    const expected = small.points.map((p) => [
      layout.x(p.step),
      layout.loss?.y(p.trainLoss as number) ?? 0,
    ]);
    expect(train).toHaveLength(5);
    train.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(expected[i]?.[0] as number, 0);
      expect(y).toBeCloseTo(expected[i]?.[1] as number, 0);
    });
    // Validation points each get a dot.
    const dots = /class="dots" data-metric="validLoss"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect(count(dots, '<circle')).toBe(2);
    expect(dots).toContain(`cx="${Math.round(layout.x(6) * 10) / 10}"`);
  });

  it('marks the checkpoint and shades the pause in both panels', () => {
    expect(count(svg, 'class="checkpoint" data-step="3"')).toBe(2);
    expect(count(svg, 'class="pause" data-from="4" data-to="5"')).toBe(2);
    expect(svg).toContain('paused → resumed');
  });

  it('has axis ticks, axis labels and a legend of what is drawn', () => {
    expect(svg).toMatch(/class="tick step-tick"[^>]*>10</);
    expect(svg).toMatch(/class="axis-label"[^>]*>Training step</);
    expect(svg).toMatch(/class="axis-label"[^>]*>Loss</);
    expect(svg).toMatch(/class="axis-label"[^>]*>Token accuracy</);
    expect(svg).toMatch(/class="tick"[^>]*>\d+%</);
    const legend = /<g class="legend">(.*?)<\/g>/.exec(svg)?.[1] ?? '';
    for (const label of ['>Train<', '>Validation<', '>Checkpoint<', '>Paused<'])
      expect(legend).toContain(label);
    expect(legend).not.toContain('Not finite');
  });
});

describe('edge cases', () => {
  it('says "No metrics yet" for an empty series', () => {
    const empty: TrainingSeries = { jobId: 'ftjob-new', points: [], checkpoints: [], pauses: [] };
    expect(hasMetrics(empty)).toBe(false);
    const { svg, layout } = buildChart(empty);
    expect(layout.empty).toBe(true);
    expect(svg).toContain('No metrics yet');
    expect(svg).toContain('ftjob-new');
    expect(svg).not.toContain('class="curve"');
    // Points without a single metric are no metrics either.
    expect(hasMetrics({ ...empty, points: [{ step: 5 }] })).toBe(false);
  });

  it('draws a single point as a dot', () => {
    const one: TrainingSeries = {
      jobId: 'ftjob-one',
      points: [{ step: 1, trainLoss: 2.5 }],
      checkpoints: [],
      pauses: [],
    };
    const { svg, layout } = buildChart(one);
    expect(layout.accuracy).toBeUndefined();
    expect(svg).toMatch(/class="dots" data-metric="trainLoss"[^>]*><circle [^>]*r="5"/);
    expect(Number.isFinite(layout.loss?.y(2.5))).toBe(true);
  });

  it('draws validation-only points without a train curve', () => {
    const valid: TrainingSeries = {
      jobId: 'ftjob-valid',
      points: [
        { step: 10, validLoss: 1.3 },
        { step: 20, validLoss: 1.1 },
      ],
      checkpoints: [],
      pauses: [],
    };
    const svg = renderChartSvg(valid);
    expect(pathOf(svg, 'validLoss')).toMatch(/^M[\d.]+ [\d.]+L/);
    expect(svg).not.toContain('data-metric="trainLoss"');
    expect(svg).not.toContain('>Train<');
  });

  it('breaks a diverging curve at NaN and Infinity and marks where', () => {
    const points = [
      { step: 1, trainLoss: 2 },
      { step: 2, trainLoss: 1.5 },
      { step: 3, trainLoss: Number.NaN },
      { step: 4, trainLoss: Number.POSITIVE_INFINITY },
      { step: 5, trainLoss: 1.4 },
      { step: 6, trainLoss: 1.3 },
    ];
    const { svg, layout } = buildChart({ jobId: 'ftjob-nan', points, checkpoints: [], pauses: [] });
    expect(count(pathOf(svg, 'trainLoss'), 'M')).toBe(2);
    expect(count(svg, 'class="non-finite"')).toBe(1);
    expect(svg).toContain(
      'class="non-finite-run" data-metric="trainLoss" data-from="3" data-to="4"',
    );
    expect(layout.notes).toContain('train loss not finite from step 3');
    expect(svg).toContain('Not finite (NaN/∞)');
    expect(svg).not.toMatch(/NaN"|Infinity"/);
  });

  it('clips a loss that explodes instead of flattening the rest of the curve', () => {
    const series = trainingSeries({ steps: 400, validEvery: 40 });
    series.points.push({ step: 401, trainLoss: 5e5 }, { step: 402, trainLoss: 1e6 });
    const { svg, layout } = buildChart(series);
    const top = layout.loss?.y.domain[1] ?? Number.POSITIVE_INFINITY;
    expect(top).toBeLessThan(10);
    expect(layout.loss?.clippedAbove).toBe(top);
    expect(count(svg, 'class="clipped"')).toBe(1);
    expect(svg).toContain('Above the axis');
    for (const [, y] of pointsOf(pathOf(svg, 'trainLoss', 'raw')))
      expect(y).toBeGreaterThanOrEqual((layout.loss?.top ?? 0) - 0.1);
  });

  it('keeps a 200,000-step series to a few points per pixel, with short step labels', () => {
    const series = trainingSeries({ steps: 200_000, validEvery: 5000 });
    for (const p of series.points) p.step *= 100; // 20M steps
    series.totalSteps = 20_000_000;
    const { svg, layout } = buildChart(series);
    const width = layout.right - layout.left;
    expect(pointsOf(pathOf(svg, 'trainLoss', 'raw')).length).toBeLessThanOrEqual(4 * (width + 2));
    expect(pointsOf(pathOf(svg, 'trainLoss', 'trend')).length).toBeLessThanOrEqual(4 * (width + 2));
    expect(svg).toMatch(/class="tick step-tick"[^>]*>20M</);
    expect(svg.length).toBeLessThan(600_000);
  });

  it('shades a pause that has not ended up to the end of the axis', () => {
    const series = trainingSeries({ steps: 100, upTo: 60, pauses: [{ fromStep: 60 }] });
    const { svg, layout } = buildChart(series);
    const rect =
      /<rect class="pause" data-from="60" data-open="true" x="([\d.]+)"[^>]*width="([\d.]+)"/.exec(
        svg,
      );
    expect(Number(rect?.[1]) + Number(rect?.[2])).toBeCloseTo(layout.x(100), 0);
  });

  it('escapes the job key and survives junk in the series', () => {
    const junk = {
      jobId: 'ftjob-<x>&"y"',
      points: [
        null,
        { step: 'two', trainLoss: 1 },
        { step: 3, trainLoss: '0.5', validLoss: null },
        { step: 4, trainLoss: 0.9 },
      ],
      checkpoints: 'none',
      pauses: [{ fromStep: Number.NaN }],
    } as unknown as TrainingSeries;
    const svg = renderChartSvg(junk, { jobKey: 'res/ftjob-<script>\n&' });
    expect(svg).toContain('res/ftjob-&lt;script&gt; &amp;');
    expect(svg).not.toContain('<script>');
    expect(pointsOf(pathOf(svg, 'trainLoss'))).toHaveLength(1); // one point: a dot, no segment
    expect(svg).toMatch(/class="dots" data-metric="trainLoss"/);
  });

  it('takes another size', () => {
    const { svg, layout } = buildChart(small, { width: 800, height: 450 });
    expect(svg).toContain('width="800" height="450"');
    expect(layout.right).toBeLessThan(800);
    expect(layout.accuracy?.bottom).toBeLessThan(450);
  });
});

describe('scale', () => {
  it('ticks at 1, 2 or 5 × 10ⁿ', () => {
    expect(ticks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(0.31, 0.78, 5)).toEqual([0.4, 0.5, 0.6, 0.7]);
    expect(ticks(0, 3000, 8)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]);
    expect(niceDomain(0.43, 2.38, 6)).toEqual([0, 2.5]);
    expect(niceDomain(0.43, 0.98, 6)).toEqual([0.4, 1]);
    expect(niceDomain(1, 1, 5)[0]).toBeLessThan(1);
  });

  it('labels steps briefly', () => {
    expect([950, 1500, 20_000, 1_250_000, 2e9].map(formatStep)).toEqual([
      '950',
      '1.5k',
      '20k',
      '1.25M',
      '2B',
    ]);
  });
});

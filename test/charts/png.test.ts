import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderChartPng } from '../../src/charts/index.ts';
import type { TrainingSeries } from '../../src/training/types.ts';
import { decodePng, PNG_SIGNATURE, pngHeader } from './png-decode.ts';
import { trainingSeries } from './series.ts';

/**
 * The PNG as resvg draws it with the shipped font: a valid 8-bit RGBA PNG of the asked size,
 * the curves at the pixels the data puts them (golden, not byte-exact), text drawn without a
 * system font. One sample is saved under test-results/ for a person to look at.
 */

const ORANGE = [0xea, 0x58, 0x0c]; // validation
const BLUE = [0x25, 0x63, 0xeb]; // train

/** Whether `rgba` is within `tol` of `rgb` on every channel. */
const near = (rgba: number[], rgb: number[], tol = 40) =>
  rgb.every((v, i) => Math.abs((rgba[i] as number) - v) <= tol);

/** The pixels within `radius` of (x, y). */
function around(img: ReturnType<typeof decodePng>, x: number, y: number, radius = 2): number[][] {
  const out: number[][] = [];
  for (let dx = -radius; dx <= radius; dx += 1)
    for (let dy = -radius; dy <= radius; dy += 1) out.push(img.pixel(x + dx, y + dy));
  return out;
}

describe('renderChartPng', () => {
  it('is a valid PNG of 1200 × 700 by default', async () => {
    const { png, width, height } = await renderChartPng(trainingSeries({ steps: 300 }));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngHeader(png)).toEqual({
      width: 1200,
      height: 700,
      bitDepth: 8,
      colorType: 6,
      interlace: 0,
    });
    expect([width, height]).toEqual([1200, 700]);
    expect(png.subarray(-8, -4).toString('latin1')).toBe('IEND');
  });

  it('takes another size', async () => {
    const { png } = await renderChartPng(trainingSeries({ steps: 50 }), {
      width: 800,
      height: 450,
    });
    expect(pngHeader(png)).toMatchObject({ width: 800, height: 450 });
  });

  it('draws the curves where the data says', async () => {
    const series: TrainingSeries = {
      jobId: 'ftjob-golden',
      points: [
        { step: 0, trainLoss: 2.0 },
        { step: 50, trainLoss: 1.0, validLoss: 1.5 },
        { step: 100, trainLoss: 0.5, validLoss: 1.0 },
      ],
      checkpoints: [],
      pauses: [],
    };
    const { png, layout } = await renderChartPng(series);
    const img = decodePng(png);
    const x = layout.x;
    const y = layout.loss?.y as NonNullable<typeof layout.loss>['y'];
    // The validation dots, orange, at their steps and values.
    for (const [step, value] of [
      [50, 1.5],
      [100, 1.0],
    ] as const)
      expect(around(img, x(step), y(value), 1).some((p) => near(p, ORANGE))).toBe(true);
    // The train line, blue, through its middle point and halfway along its first segment.
    expect(around(img, x(50), y(1.0)).some((p) => near(p, BLUE))).toBe(true);
    expect(around(img, x(25), y(1.5)).some((p) => near(p, BLUE))).toBe(true);
    // And nothing where there is no data: the plot is white below the train line at step 25.
    expect(around(img, x(25), y(0.6)).every((p) => near(p, [255, 255, 255], 12))).toBe(true);
  });

  it('draws text with the shipped font (no system font is read)', async () => {
    const { png } = await renderChartPng(trainingSeries({ steps: 100 }), { jobKey: 'ftjob-text' });
    const img = decodePng(png);
    // The title line (y 20..46, from x 30): dark glyph pixels, not an empty band.
    let dark = 0;
    for (let px = 30; px < 500; px += 1)
      for (let py = 20; py < 46; py += 1) if (near(img.pixel(px, py), [17, 24, 39], 60)) dark += 1;
    expect(dark).toBeGreaterThan(500);
  });

  it('renders the "No metrics yet" image for an empty series', async () => {
    const { png, layout } = await renderChartPng({
      jobId: 'ftjob-none',
      points: [],
      checkpoints: [],
      pauses: [],
    });
    expect(layout.empty).toBe(true);
    expect(pngHeader(png)).toMatchObject({ width: 1200, height: 700 });
  });

  it('renders a diverging, paused 100,000-step job; saves the samples for a person', async () => {
    const sample = await renderChartPng(
      trainingSeries(
        {
          steps: 3000,
          upTo: 2200,
          validEvery: 100,
          checkpointEvery: 750,
          pauses: [{ fromStep: 1200, toStep: 1204 }],
          overfitFrom: 0.55,
        },
        'ftjob-4f8a21c9d0e7b6a5',
      ),
      { jobKey: 'azure-eastus/ftjob-4f8a21c9d0e7b6a5' },
    );
    const diverging = await renderChartPng(
      trainingSeries(
        { steps: 500, divergeAt: 300, validEvery: 50, pauses: [{ fromStep: 320 }] },
        'ftjob-diverge',
      ),
    );
    const long = await renderChartPng(
      trainingSeries({ steps: 100_000, validEvery: 2000, checkpointEvery: 25_000 }, 'ftjob-long'),
    );
    for (const { png } of [sample, diverging, long]) expect(pngHeader(png).width).toBe(1200);
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/chart-sample.png', sample.png);
    writeFileSync('test-results/chart-diverging.png', diverging.png);
    writeFileSync('test-results/chart-100k-steps.png', long.png);
  });
});

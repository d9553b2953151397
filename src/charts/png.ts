import { createRequire } from 'node:module';
import { renderAsync } from '@resvg/resvg-js';
import type { TrainingSeries } from '../training/types.ts';
import { buildChart, CHART_FONT, type ChartLayout, type ChartOptions } from './svg.ts';

/**
 * Rasterises the chart in-process with resvg (a Rust renderer shipped as a prebuilt binary
 * inside its npm package) and the DejaVu Sans TTFs of the `dejavu-fonts-ttf` package: no
 * browser, no native build, and no system font is read, so the image is the same on a bare
 * container as on a laptop.
 */

const require = createRequire(import.meta.url);

/** The font files the chart's text is drawn with, resolved inside node_modules. */
export const CHART_FONT_FILES: readonly string[] = [
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];

/** A rendered chart: PNG bytes and the layout they were drawn from. */
export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
  layout: ChartLayout;
}

/** Renders an SVG document to PNG bytes with the shipped fonts only. */
export async function svgToPng(svg: string): Promise<Buffer> {
  // renderAsync works on libuv's thread pool: a large chart does not hold the event loop.
  const image = await renderAsync(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: [...CHART_FONT_FILES],
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
    shapeRendering: 2,
    textRendering: 1,
    logLevel: 'off',
  });
  return image.asPng();
}

/** The chart of `series` as a PNG (1200 × 700 unless told otherwise). */
export async function renderChartPng(
  series: TrainingSeries,
  opts: ChartOptions = {},
): Promise<ChartImage> {
  const { svg, layout } = buildChart(series, opts);
  const png = await svgToPng(svg);
  return { png, width: layout.width, height: layout.height, layout };
}

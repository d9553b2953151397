/**
 * Charts of a job's training (issue 18): the SVG (pure), its PNG (resvg, shipped fonts) and
 * the upload into a Slack thread.
 */
export { CHART_FONT_FILES, type ChartImage, renderChartPng, svgToPng } from './png.ts';
export {
  buildChart,
  type Chart,
  type ChartLayout,
  type ChartOptions,
  hasMetrics,
  type PanelLayout,
  renderChartSvg,
} from './svg.ts';
export { type ChartUpload, type UploadedChart, uploadChart } from './upload.ts';

import { hasMetrics, renderChartPng, uploadChart } from '../charts/index.ts';
import { ChartUploadError } from '../handlers/commands/chart.ts';
import type { ChartPoster } from '../handlers/deps.ts';
import type { MetricsReader } from '../training/reader.ts';
import { splitJobKey } from '../vocabulary/index.ts';
import type { Services } from './services.ts';
import { createServiceMetricsReader } from './training-reader.ts';

/**
 * `/ft chart` and the Chart button, at the edges: what is new of the job's metrics is read
 * into its stored series (only the events since the last read), drawn in-process and
 * uploaded with Slack's current flow (filesUploadV2) where it was asked for.
 */
export function createChartPoster(
  s: Services,
  reader: MetricsReader = createServiceMetricsReader(s),
): ChartPoster {
  return {
    async post({ jobKey, channel, threadTs, job: known }) {
      const job = known ?? (await s.api.getJob(jobKey));
      const { series } = await reader.read(jobKey, { job, checkpoints: true });
      if (!hasMetrics(series)) return { posted: false, reason: 'no_metrics' };
      const { png } = await renderChartPng(series);
      const id = splitJobKey(jobKey)?.id ?? jobKey;
      await uploadChart(s.webClient, {
        channel,
        ...(threadTs ? { threadTs } : {}),
        png,
        filename: `${id}-training.png`,
        title: `Training of ${jobKey}`,
        altText: `Loss and accuracy curves of the fine-tuning job ${jobKey}`,
      }).catch((err: unknown) => {
        const code = (err as { data?: { error?: unknown } }).data?.error;
        throw typeof code === 'string' ? new ChartUploadError(code, { cause: err }) : err;
      });
      return { posted: true, points: series.points.length };
    },
  };
}

import type { TrainingProgress } from '../handlers/deps.ts';
import { createTrainingSeriesStore } from '../store/training-series.ts';
import { priceFor } from '../training/estimate.ts';
import { createMetricsReader, type MetricsApi, type MetricsReader } from '../training/reader.ts';
import { splitJobKey } from '../vocabulary/index.ts';
import type { Services } from './services.ts';

/**
 * The metrics reader over the services: events and checkpoints through the routed API (any
 * job key goes to its resource), result files from the job's own resource, the series in
 * Redis. One per process, shared by the charts and the card's progress.
 */
export function createServiceMetricsReader(s: Services): MetricsReader {
  const api: MetricsApi = {
    listEvents: (key, o) => s.api.listEvents(key, o),
    listCheckpoints: (key, o) => s.api.listCheckpoints(key, o),
    getFileContent: (key, fileId, o) => {
      const resource = s.resources.of(key);
      if (!resource) throw new TypeError(`no resource holds ${key}`);
      return resource.files.getFileContent(fileId, o);
    },
  };
  return createMetricsReader({ api, store: createTrainingSeriesStore(s.redis, s.keys) });
}

/**
 * How long the card waits for the metrics before it shows without progress: a slow events
 * endpoint must not hold up `/ft status`.
 */
export const PROGRESS_READ_TIMEOUT_MS = 5_000;

/** The card's progress: what is new of a job's metrics, and its resource's price (FT_CONFIG). */
export function createTrainingProgress(s: Services, reader: MetricsReader): TrainingProgress {
  return {
    async progressOf(jobKey, job) {
      const signal = AbortSignal.timeout(PROGRESS_READ_TIMEOUT_MS);
      const { series } = await reader.read(jobKey, { job, signal });
      return series;
    },
    priceOf(jobKey, model) {
      // The live configuration: a reload of FT_CONFIG changes the price for the next card.
      const resource = splitJobKey(jobKey)?.resource;
      const config = s.live.config.resources.find((r) => r.name === resource);
      return priceFor(config?.pricePerMillionTokens, model);
    },
  };
}

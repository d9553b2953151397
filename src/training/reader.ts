import { NotFoundError } from '../api/errors.ts';
import { type EventsSinceOptions, listEventsSince } from '../api/events.ts';
import type { FilesClient } from '../api/files.ts';
import { type FineTuningJob, isTerminal } from '../api/schemas.ts';
import type { CallOptions, FineTuningClient } from '../api/types.ts';
import type { StoredUpdate, TrainingSeriesStore } from '../store/training-series.ts';
import { checkpointMarks, metricsOfEvents } from './metrics.ts';
import { parseResultFile } from './result-file.ts';
import type { TrainingSeries } from './types.ts';

/**
 * Reads what is new of one job's metrics into its stored series: the events since the last
 * one read (one request while fewer than a page arrived), its checkpoints when asked, and,
 * once the job has finished, its result file (once). For the jobs someone watches or asks
 * about; the poller and the handlers call `read` with the job they already hold.
 */

/** The API as the reader uses it, by job key; `getFileContent` goes to the job's resource. */
export interface MetricsApi {
  listEvents: FineTuningClient['listEvents'];
  listCheckpoints: FineTuningClient['listCheckpoints'];
  getFileContent(jobKey: string, fileId: string, opts?: CallOptions): Promise<string>;
}

/** A single resource's client as a MetricsApi (job keys are its bare IDs). */
export function metricsApiOf(client: FineTuningClient & FilesClient): MetricsApi {
  return {
    listEvents: (id, o) => client.listEvents(id, o),
    listCheckpoints: (id, o) => client.listCheckpoints(id, o),
    getFileContent: (_key, fileId, o) => client.getFileContent(fileId, o),
  };
}

export interface ReadOptions extends CallOptions {
  /** The job as just read: when it has finished, its result file is read (once). */
  job?: Pick<FineTuningJob, 'status' | 'result_files'>;
  /** Also list the checkpoints (one more request); default false. */
  checkpoints?: boolean;
  events?: Pick<EventsSinceOptions, 'pageSize' | 'maxPages'>;
}

/** What one read did. */
export interface MetricsRead {
  series: TrainingSeries;
  /** Points the new events brought. */
  newPoints: number;
  /** HTTP requests made. */
  requests: number;
  /** False when older new events were left unread (more than `maxPages` pages of them). */
  complete: boolean;
  /** Why the result file could not be read into the series, in words for a Slack user. */
  resultFileProblem?: string;
}

export interface MetricsReader {
  read(jobKey: string, opts?: ReadOptions): Promise<MetricsRead>;
}

/** Checkpoints listed per read: the services keep few, and the newest matter. */
const CHECKPOINT_PAGE = 100;

export function createMetricsReader(deps: {
  api: MetricsApi;
  store: TrainingSeriesStore;
}): MetricsReader {
  const { api, store } = deps;
  return {
    async read(jobKey, opts = {}) {
      const call = opts.signal ? { signal: opts.signal } : {};
      const stored = await store.read(jobKey);
      const lastStep = stored?.series.points.at(-1)?.step;
      const news = await listEventsSince(api, jobKey, stored?.cursor, { ...opts.events, ...call });
      let requests = news.requests;
      const metrics = metricsOfEvents(news.events, lastStep);
      const update: StoredUpdate = {
        points: metrics.points,
        totalSteps: metrics.totalSteps,
        pauseChanges: metrics.pauseChanges,
        cursor: news.cursor,
      };
      let changed = news.events.length > 0 || !stored;

      if (opts.checkpoints) {
        const page = await api.listCheckpoints(jobKey, { limit: CHECKPOINT_PAGE, ...call });
        requests++;
        update.checkpoints = checkpointMarks(page.data);
        changed ||= update.checkpoints.length > 0;
      }

      let resultFileProblem: string | undefined;
      const fileId = opts.job?.result_files?.[0];
      if (opts.job && isTerminal(opts.job.status) && fileId && stored?.resultFile !== fileId) {
        requests++;
        const file = await readResultFile(api, jobKey, fileId, call);
        if (file.points) {
          update.points = [...(update.points ?? []), ...file.points];
          const last = file.points.at(-1)?.step;
          if (update.totalSteps === undefined && !stored?.series.totalSteps && last) {
            update.totalSteps = last;
          }
        }
        if (file.problem) resultFileProblem = file.problem;
        if (file.done) update.resultFile = fileId;
        changed ||= file.done;
      }

      const series = changed ? (await store.merge(jobKey, update)).series : stored!.series;
      return {
        series,
        newPoints: metrics.points.length,
        requests,
        complete: news.complete,
        ...(resultFileProblem ? { resultFileProblem } : {}),
      };
    },
  };
}

/**
 * The result file's points, or why not. `done` says not to try again: it was read, or it is
 * gone or unreadable for good; a failure that may pass (5xx, timeout) leaves it for next time.
 */
async function readResultFile(
  api: MetricsApi,
  jobKey: string,
  fileId: string,
  call: CallOptions,
): Promise<{ points?: TrainingSeries['points']; problem?: string; done: boolean }> {
  let body: string;
  try {
    body = await api.getFileContent(jobKey, fileId, call);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const final =
      err instanceof NotFoundError || (err as { code?: string }).code === 'response_too_large';
    return { problem: message, done: final };
  }
  const parsed = parseResultFile(body);
  if (!parsed.ok) return { problem: parsed.reason, done: true };
  if (parsed.points.length === 0) {
    return { problem: `The result file ${fileId} has no rows ftops could read.`, done: true };
  }
  return { points: parsed.points, done: true };
}

import type { Redis } from 'ioredis';
import type { EventCursor } from '../api/events.ts';
import { METRIC_FIELDS } from '../training/fields.ts';
import { emptySeries, mergeSeries, type SeriesUpdate } from '../training/series.ts';
import type { CheckpointMark, MetricPoint, PauseSpan, TrainingSeries } from '../training/types.ts';
import type { Keys } from './keys.ts';
import { loadScript, runScript } from './scripts.ts';

/**
 * Each job's training series in one Redis hash (`{ns}:series:<jobKey>`): the bounded points,
 * checkpoints and pauses, the cursor of the newest event read (so the next read asks only for
 * what is newer), and the result file once it was read. A merge reads the hash, merges and
 * downsamples in the process, and writes back with a compare-and-set on a version (one Lua
 * script on one key), retrying when another reader wrote meanwhile: nothing is lost, and the
 * cursor only moves forward.
 */

/** A series is dropped this long after its last change (the finished-job retention and more). */
export const SERIES_TTL_SECONDS = 35 * 24 * 3600;

/** Compare-and-set attempts before a merge gives up (only under a storm of concurrent reads). */
const MAX_ATTEMPTS = 8;

const PUT = loadScript('series-put');

/** A series as stored, with what the reader needs to go on. */
export interface StoredSeries {
  series: TrainingSeries;
  /** The newest event read so far. */
  cursor?: EventCursor;
  /** The result file already read into the series (its ID). */
  resultFile?: string;
  version: number;
}

/** What a merge writes besides the points: the new cursor and the result file read. */
export interface StoredUpdate extends SeriesUpdate {
  cursor?: EventCursor | undefined;
  resultFile?: string | undefined;
}

export interface TrainingSeriesStore {
  /** The job's series, or null when none was recorded. */
  get(jobKey: string): Promise<TrainingSeries | null>;
  /** The series with its cursor and version. */
  read(jobKey: string): Promise<StoredSeries | null>;
  /** Merges `update` in (by step, downsampled), atomically; returns what is now stored. */
  merge(jobKey: string, update: StoredUpdate): Promise<StoredSeries>;
  delete(jobKey: string): Promise<void>;
}

export class SeriesConflictError extends Error {
  constructor(jobKey: string) {
    super(`the training series of ${jobKey} kept changing under ${MAX_ATTEMPTS} merges`);
    this.name = 'SeriesConflictError';
  }
}

/** Builds the series store over a Redis client and a key builder. */
export function createTrainingSeriesStore(
  redis: Redis,
  keys: Keys,
  opts: { maxPoints?: number } = {},
): TrainingSeriesStore {
  const read = async (jobKey: string): Promise<StoredSeries | null> => {
    const h = await redis.hgetall(keys.series(jobKey));
    if (!h.v) return null;
    return decodeStored(jobKey, h);
  };
  return {
    get: async (jobKey) => (await read(jobKey))?.series ?? null,
    read,
    async merge(jobKey, update) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const stored = await read(jobKey);
        const version = stored?.version ?? 0;
        const series = mergeSeries(stored?.series ?? emptySeries(jobKey), update, opts.maxPoints);
        const cursor = newer(stored?.cursor, update.cursor);
        const resultFile = update.resultFile ?? stored?.resultFile;
        const fields: string[] = ['data', JSON.stringify(encodeSeries(series))];
        if (cursor) fields.push('cursor', JSON.stringify(cursor));
        if (resultFile) fields.push('result', resultFile);
        const put = await runScript(
          redis,
          PUT,
          [keys.series(jobKey)],
          [version, SERIES_TTL_SECONDS, ...fields],
        );
        if (Number(put) >= 0) {
          return {
            series,
            version: Number(put),
            ...(cursor ? { cursor } : {}),
            ...(resultFile ? { resultFile } : {}),
          };
        }
      }
      throw new SeriesConflictError(jobKey);
    },
    async delete(jobKey) {
      await redis.del(keys.series(jobKey));
    },
  };
}

/** The later of two cursors (by `created_at`; on a tie, the one just read). */
function newer(a: EventCursor | undefined, b: EventCursor | undefined): EventCursor | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.at >= a.at ? b : a;
}

/** A number as JSON can hold it: NaN and ±Infinity as strings (JSON has no word for them). */
type Cell = number | string | null;

const encodeNumber = (v: number | undefined): Cell =>
  v === undefined ? null : Number.isFinite(v) ? v : String(v);

const decodeNumber = (c: unknown): number | undefined => {
  if (typeof c === 'number') return c;
  if (c === 'NaN') return Number.NaN;
  if (c === 'Infinity') return Number.POSITIVE_INFINITY;
  if (c === '-Infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
};

/** Point columns in storage order: step, the metric fields, at. */
function encodePoint(p: MetricPoint): Cell[] {
  return [p.step, ...METRIC_FIELDS.map((f) => encodeNumber(p[f])), encodeNumber(p.at)];
}

function decodePoint(row: unknown): MetricPoint | null {
  if (!Array.isArray(row) || typeof row[0] !== 'number') return null;
  const point: MetricPoint = { step: row[0] };
  METRIC_FIELDS.forEach((f, i) => {
    const v = decodeNumber(row[i + 1]);
    if (v !== undefined) point[f] = v;
  });
  const at = decodeNumber(row[METRIC_FIELDS.length + 1]);
  if (at !== undefined) point.at = at;
  return point;
}

interface Encoded {
  p: Cell[][];
  t?: number;
  c: Array<[number, string | null, Cell[] | null]>;
  z: Array<[number, number | null]>;
}

function encodeSeries(s: TrainingSeries): Encoded {
  return {
    p: s.points.map(encodePoint),
    ...(s.totalSteps === undefined ? {} : { t: s.totalSteps }),
    c: s.checkpoints.map((c) => [
      c.step,
      c.id ?? null,
      c.metrics ? encodePoint({ step: c.step, ...c.metrics }) : null,
    ]),
    z: s.pauses.map((p) => [p.fromStep, p.toStep ?? null]),
  };
}

/** The stored hash read back; a field that is unreadable counts as empty, never an error. */
function decodeStored(jobKey: string, h: Record<string, string>): StoredSeries {
  const series = emptySeries(jobKey);
  const data = parse(h.data) as Partial<Encoded> | undefined;
  if (data && typeof data === 'object') {
    if (Array.isArray(data.p)) {
      for (const row of data.p) {
        const p = decodePoint(row);
        if (p) series.points.push(p);
      }
    }
    if (typeof data.t === 'number') series.totalSteps = data.t;
    if (Array.isArray(data.c)) series.checkpoints = data.c.flatMap(decodeCheckpoint);
    if (Array.isArray(data.z)) series.pauses = data.z.flatMap(decodePause);
  }
  const cursor = parse(h.cursor) as Partial<EventCursor> | undefined;
  return {
    series,
    version: Number(h.v) || 0,
    ...(cursor && typeof cursor.id === 'string' && typeof cursor.at === 'number'
      ? { cursor: { id: cursor.id, at: cursor.at } }
      : {}),
    ...(h.result ? { resultFile: h.result } : {}),
  };
}

function decodeCheckpoint(row: unknown): CheckpointMark[] {
  if (!Array.isArray(row) || typeof row[0] !== 'number') return [];
  const mark: CheckpointMark = { step: row[0] };
  if (typeof row[1] === 'string') mark.id = row[1];
  const m = decodePoint(row[2]);
  if (m) {
    const { step: _s, ...metrics } = m;
    if (Object.keys(metrics).length > 0) mark.metrics = metrics;
  }
  return [mark];
}

function decodePause(row: unknown): PauseSpan[] {
  if (!Array.isArray(row) || typeof row[0] !== 'number') return [];
  return [typeof row[1] === 'number' ? { fromStep: row[0], toStep: row[1] } : { fromStep: row[0] }];
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

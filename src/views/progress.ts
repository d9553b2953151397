import type { FineTuningJob } from '../api/schemas.ts';
import { estimateCost, estimateFinish } from '../training/estimate.ts';
import type { MetricPoint, TrainingSeries } from '../training/types.ts';
import { sectionBlock } from './blocks.ts';
import { formatCount, when } from './job-format.ts';
import { EMPTY, escapeInline, formatDuration, joinMd, type Mrkdwn, md } from './mrkdwn.ts';
import type { KnownBlock } from './types.ts';

/**
 * The live card's progress section: step of total steps and epoch with a text progress bar,
 * latest and best train and validation loss with a sparkline of their trend, trained tokens
 * and (when a price is configured) the estimated cost, elapsed time and the estimated finish,
 * the service's or, labelled as such, ftops's own from the step rate. Pure: the handler reads
 * the series and the price, this only draws them.
 */

/** The sparkline's eight levels, lowest first. */
export const SPARK_LEVELS = '▁▂▃▄▅▆▇█';
/** A progress bar's filled and empty cells. */
export const BAR_FILLED = '▰';
export const BAR_EMPTY = '▱';

/** Cells in the progress bar and at most as many characters in a sparkline. */
export const BAR_WIDTH = 12;
export const SPARK_WIDTH = 24;

/**
 * A text progress bar of exactly `width` cells for `fraction` (clamped to 0–1; not a number
 * counts as 0): `▰▰▰▱▱`.
 */
export function progressBar(fraction: number, width: number = BAR_WIDTH): string {
  const cells = Math.max(0, Math.trunc(Number.isFinite(width) ? width : 0));
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.min(cells, Math.round(f * cells));
  return BAR_FILLED.repeat(filled) + BAR_EMPTY.repeat(cells - filled);
}

/**
 * A sparkline of the finite values, at most `width` characters (longer series are averaged
 * into that many buckets, in order), lowest value `▁`, highest `█`; a flat series is all `▄`;
 * empty when no value is finite.
 */
export function sparkline(values: readonly number[], width: number = SPARK_WIDTH): string {
  const finite = values.filter(Number.isFinite);
  const cells = Math.max(0, Math.trunc(Number.isFinite(width) ? width : 0));
  if (finite.length === 0 || cells === 0) return '';
  const buckets = bucketMeans(finite, cells);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of buckets) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo;
  const top = SPARK_LEVELS.length - 1;
  return buckets
    .map((v) => {
      // A span that overflows (values near ±Number.MAX_VALUE) or is zero reads as flat.
      const level = span > 0 && Number.isFinite(span) ? Math.round(((v - lo) / span) * top) : 3;
      return SPARK_LEVELS[Math.min(top, Math.max(0, level))];
    })
    .join('');
}

/** `values` in at most `n` consecutive buckets, each its mean (computed so it cannot overflow). */
function bucketMeans(values: readonly number[], n: number): number[] {
  if (values.length <= n) return [...values];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * values.length) / n);
    const to = Math.floor(((i + 1) * values.length) / n);
    let mean = 0;
    for (let j = from; j < to; j++) mean += ((values[j] as number) - mean) / (j - from + 1);
    out.push(mean);
  }
  return out;
}

/** A loss as the card shows it: four significant digits; NaN and infinities by name. */
export function formatLoss(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** Dollars: `$0.42`, `$1,234.50`, and `<$0.01` for less than a cent. */
export function formatDollars(v: number): string {
  if (!Number.isFinite(v)) return 'unknown';
  if (v > 0 && v < 0.01) return '<$0.01';
  if (v >= 1e15) return `$${v.toExponential(2)}`;
  const [whole, cents] = v.toFixed(2).split('.');
  return `$${formatCount(Number(whole))}.${cents}`;
}

export interface ProgressInput {
  job: Pick<
    FineTuningJob,
    'status' | 'trained_tokens' | 'estimated_finish' | 'created_at' | 'hyperparameters' | 'method'
  >;
  series: TrainingSeries;
  /** Milliseconds since the epoch. */
  now: number;
  /** Dollars per million training tokens for this job's resource and model, when configured. */
  pricePerMillionTokens?: number | undefined;
}

/** The epochs a job trains for (its `n_epochs`, top level or under `method`), when a number. */
export function epochsOf(
  job: Pick<FineTuningJob, 'hyperparameters' | 'method'>,
): number | undefined {
  const fromMethod = (
    job.method as { [k: string]: { hyperparameters?: { n_epochs?: unknown } } }
  )?.[String(job.method?.type)]?.hyperparameters?.n_epochs;
  const n = job.hyperparameters?.n_epochs ?? fromMethod;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 1e6 ? n : undefined;
}

/** One loss's line: latest, best and the trend; null when the series has none of it. */
function lossLine(label: Mrkdwn, values: readonly number[]): Mrkdwn | null {
  const latest = values.at(-1);
  if (latest === undefined) return null;
  let best: number | undefined;
  for (const v of values) if (Number.isFinite(v) && (best === undefined || v < best)) best = v;
  const warn = Number.isFinite(latest) ? EMPTY : md` ⚠️ not finite`;
  const bestPart = best === undefined ? EMPTY : md` · best ${escapeInline(formatLoss(best))}`;
  const spark = sparkline(values);
  const trend = spark.length > 1 ? md`  ${escapeInline(spark)}` : EMPTY;
  return md`*${label}* ${escapeInline(formatLoss(latest))}${warn}${bestPart}${trend}`;
}

const validOf = (p: MetricPoint) => p.validLoss ?? p.fullValidLoss;

/** The progress section's blocks (one section), within Slack's text limits. */
export function progressBlocks(input: ProgressInput): KnownBlock[] {
  return [sectionBlock(progressText(input))];
}

/** The progress section's mrkdwn. */
export function progressText(input: ProgressInput): Mrkdwn {
  const { job, series, now } = input;
  const lines: Mrkdwn[] = [];
  const last = series.points.at(-1);
  const total =
    series.totalSteps !== undefined && Number.isFinite(series.totalSteps) && series.totalSteps > 0
      ? series.totalSteps
      : undefined;

  if (!last) {
    lines.push(md`*Progress*\n_No training metrics yet._`);
  } else {
    const step = last.step;
    if (total !== undefined) {
      const fraction = step / total;
      const pct = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
      lines.push(
        md`*Progress* ${escapeInline(progressBar(fraction))} ${pct}%`,
        md`Step ${escapeInline(formatCount(step))} of ${escapeInline(formatCount(total))}${epochText(job, step, total)}`,
      );
    } else {
      lines.push(md`*Progress*`, md`Step ${escapeInline(formatCount(step))}`);
    }
    const train = series.points.flatMap((p) => (p.trainLoss === undefined ? [] : [p.trainLoss]));
    const valid = series.points.flatMap((p) => {
      const v = validOf(p);
      return v === undefined ? [] : [v];
    });
    const trainLine = lossLine(md`Train loss`, train);
    const validLine = lossLine(md`Validation loss`, valid);
    if (trainLine) lines.push(trainLine);
    if (validLine) lines.push(validLine);
  }

  const tokens = job.trained_tokens;
  if (typeof tokens === 'number' && Number.isFinite(tokens)) {
    const cost = estimateCost({
      tokens,
      pricePerMillion: input.pricePerMillionTokens,
      step: last?.step,
      totalSteps: total,
    });
    const costPart = cost
      ? md` · estimated cost ${escapeInline(formatDollars(cost.soFar))} so far${
          cost.atEnd === undefined
            ? EMPTY
            : md`, ${escapeInline(formatDollars(cost.atEnd))} at the end`
        }`
      : EMPTY;
    lines.push(md`*Trained tokens* ${escapeInline(formatCount(tokens))}${costPart}`);
  }

  const timeParts: Mrkdwn[] = [];
  const started = series.points.find((p) => p.at !== undefined && Number.isFinite(p.at))?.at;
  const since = started ?? (job.created_at || undefined);
  if (since !== undefined && Number.isFinite(now)) {
    const seconds = now / 1000 - since;
    if (seconds >= 0) timeParts.push(md`*Elapsed* ${escapeInline(formatDuration(seconds))}`);
  }
  const finish = estimateFinish({
    estimatedFinish: job.estimated_finish,
    points: series.points,
    totalSteps: total,
  });
  if (finish?.source === 'service') timeParts.push(md`*Estimated finish* ${when(finish.at, now)}`);
  else if (finish)
    timeParts.push(
      md`*Estimated finish* ${when(finish.at, now)} _(ftops's estimate from the step rate)_`,
    );
  if (timeParts.length > 0) lines.push(joinMd(timeParts, ' · '));
  return joinMd(lines, '\n');
}

/** ` · epoch 2 of 3` when the job says how many epochs it trains for. */
function epochText(job: ProgressInput['job'], step: number, total: number): Mrkdwn {
  const epochs = epochsOf(job);
  if (epochs === undefined) return EMPTY;
  const perEpoch = total / epochs;
  const epoch = Math.min(epochs, Math.max(1, Math.ceil(step / perEpoch)));
  return md` · epoch ${epoch} of ${epochs}`;
}

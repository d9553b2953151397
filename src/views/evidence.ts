import type { TrainingSeries } from '../training/types.ts';
import { formatLoss, sparkline } from './progress.ts';

/**
 * The numbers an approver decides a pause or cancel on, in one line kept with the request:
 * where training is, the validation loss now and at its best, and its trend. Plain text, so
 * it is stored as it is and escaped where it is shown.
 */
export function evidenceLine(series: TrainingSeries): string | null {
  const last = series.points.at(-1);
  if (!last) return null;
  const parts: string[] = [
    series.totalSteps ? `step ${last.step} of ${series.totalSteps}` : `step ${last.step}`,
  ];
  const valid = series.points.filter((p) => p.validLoss !== undefined);
  const latest = valid.at(-1);
  if (latest) {
    const finite = valid.filter((p) => Number.isFinite(p.validLoss));
    const best = finite.reduce(
      (b, p) => ((p.validLoss as number) < (b.validLoss as number) ? p : b),
      finite[0] ?? latest,
    );
    parts.push(
      `validation loss ${formatLoss(latest.validLoss as number)} now, best ${formatLoss(best.validLoss as number)} at step ${best.step}`,
    );
    const trend = sparkline(
      valid.map((p) => p.validLoss as number),
      16,
    );
    if (trend) parts.push(`trend ${trend}`);
  } else if (last.trainLoss !== undefined) {
    parts.push(`train loss ${formatLoss(last.trainLoss)} (no validation yet)`);
  }
  return parts.join(' · ');
}

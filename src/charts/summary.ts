import type { Curve } from './curves.ts';
import { formatCount, formatMetric, formatPercent } from './scale.ts';
import { LABEL } from './theme.ts';

/** The facts under the title: progress, the validation loss to beat, what went wrong. */
export function summary(loss: Curve[], acc: Curve[], lastStep: number, total: number): string[] {
  const notes = [
    total > 0
      ? `step ${formatCount(lastStep)} of ${formatCount(total)}`
      : `step ${formatCount(lastStep)}`,
  ];
  const valid = loss.find((c) => c.split === 'valid' && c.values.length > 0);
  const train = loss.find((c) => c.split === 'train' && c.values.length > 0);
  if (valid) {
    let best = 0;
    for (let i = 1; i < valid.values.length; i += 1)
      if ((valid.values[i] as number) < (valid.values[best] as number)) best = i;
    notes.push(
      `validation loss best ${formatMetric(valid.values[best])} (step ${formatCount(valid.steps[best] as number)}), latest ${formatMetric(valid.values.at(-1))}`,
    );
  } else if (train) {
    notes.push(`train loss latest ${formatMetric(train.values.at(-1))}`);
  }
  const validAcc = acc.find((c) => c.split === 'valid' && c.values.length > 0);
  if (validAcc)
    notes.push(`validation accuracy ${formatPercent(validAcc.values.at(-1) ?? 0, 0.001)}`);
  for (const c of loss) {
    const first = c.nonFinite[0];
    if (first !== undefined)
      notes.push(`${LABEL[c.split].toLowerCase()} loss not finite from step ${formatCount(first)}`);
  }
  return notes;
}

import { VERBS, type Verb } from './verbs.ts';

/** The verb within Damerau–Levenshtein distance 2 of `word`, closest first, if any. */
export function suggestVerb(word: string): Verb | undefined {
  if (word.length === 0 || word.length > 24) return undefined;
  let best: Verb | undefined;
  let bestDistance = 3;
  for (const verb of VERBS) {
    const d = editDistance(word, verb);
    if (d < bestDistance) {
      best = verb;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions, transpositions. */
export function editDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const rows: number[][] = [];
  for (let i = 0; i <= x.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= y.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] as number[];
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[x.length] as number[])[y.length] as number;
}

import type { CampaignResult } from './campaign.ts';

/** A campaign's table for the terminal. */
export function textReport(r: CampaignResult): string {
  const rows = r.rows.map((row) => [
    row.met ? 'met' : 'MISSED',
    row.tried,
    row.happened,
    row.target,
  ]);
  const head = ['', 'tried', 'happened', 'target'];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [
    `${r.title}  (${(r.durationMs / 1000).toFixed(1)} s)`,
    line(head),
    ...rows.map(line),
    ...(r.notes ?? []).map((note) => `  note: ${note}`),
  ].join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A campaign's section of RELIABILITY.md. */
export function markdownReport(r: CampaignResult, run: { seed: number; date: string }): string {
  return [
    `### ${r.title}`,
    '',
    `Ran for ${(r.durationMs / 1000).toFixed(1)} s on ${run.date}, seed ${run.seed}.`,
    '',
    '| | Tried | Happened | Target |',
    '|---|---|---|---|',
    ...r.rows.map(
      (row) =>
        `| ${row.met ? '✅ met' : '❌ missed'} | ${cell(row.tried)} | ${cell(row.happened)} | ${cell(row.target)} |`,
    ),
    ...(r.notes && r.notes.length > 0 ? ['', ...r.notes.map((note) => `- ${note}`)] : []),
  ].join('\n');
}

/** One line per campaign: its time and how many of its targets were met. */
export function summaryMarkdown(results: readonly CampaignResult[]): string {
  return [
    '| Campaign | Time | Targets met |',
    '|---|---|---|',
    ...results.map((r) => {
      const met = r.rows.filter((row) => row.met).length;
      const mark = met === r.rows.length ? '✅' : '❌';
      return `| ${r.title} | ${(r.durationMs / 1000).toFixed(1)} s | ${mark} ${met} of ${r.rows.length} |`;
    }),
  ].join('\n');
}

/** Replaces the text between `<!-- chaos:NAME:start -->` and its end marker (or appends). */
export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- chaos:${name}:start -->`;
  const end = `<!-- chaos:${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i === -1 || j === -1 || j < i) return `${doc.trimEnd()}\n\n${block}\n`;
  return `${doc.slice(0, i)}${block}${doc.slice(j + end.length)}`;
}

/**
 * What a bench hands back, and how it is shown: a plain-text table on the terminal and a
 * Markdown section in BENCHMARKS.md. Benches only return data; printing and writing live here.
 */

/** One table: a header row and rows of already formatted cells. */
export interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

/** One target of an issue, with the measured value and whether it was met. */
export interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

/** Everything one bench measured. */
export interface BenchResult {
  name: string;
  title: string;
  tables: Table[];
  targets: Target[];
  notes: string[];
}

/** A table as aligned plain text for the terminal. */
export function textTable(t: Table): string {
  const widths = t.head.map((h, i) =>
    Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [
    t.title,
    line(t.head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...t.rows.map(line),
  ].join('\n');
}

/** A table in GitHub Markdown. */
export function markdownTable(t: Table): string {
  const row = (cells: string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [`**${t.title}**`, '', row(t.head), row(t.head.map(() => '---')), ...t.rows.map(row)].join(
    '\n',
  );
}

/** The targets as a table. */
export function targetTable(targets: Target[]): Table {
  return {
    title: 'Targets',
    head: ['target', 'goal', 'measured', 'met'],
    rows: targets.map((t) => [t.name, t.goal, t.measured, t.met ? 'yes' : 'NO']),
  };
}

/** A whole bench result as terminal text. */
export function textReport(r: BenchResult): string {
  const parts = [`== ${r.title} ==`, ...r.tables.map(textTable), textTable(targetTable(r.targets))];
  if (r.notes.length > 0) parts.push(r.notes.map((n) => `* ${n}`).join('\n'));
  return parts.join('\n\n');
}

/** A whole bench result as a Markdown section. */
export function markdownReport(r: BenchResult): string {
  const parts = [
    `### ${r.title}`,
    ...r.tables.map(markdownTable),
    markdownTable(targetTable(r.targets)),
  ];
  if (r.notes.length > 0) parts.push(r.notes.map((n) => `- ${n}`).join('\n'));
  return parts.join('\n\n');
}

/**
 * Replaces the text between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` in
 * `doc`, or appends a new marked block at the end when the markers are missing.
 */
export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i === -1 || j === -1 || j < i) return `${doc.trimEnd()}\n\n${block}\n`;
  return `${doc.slice(0, i)}${block}${doc.slice(j + end.length)}`;
}

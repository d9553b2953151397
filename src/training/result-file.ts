import { parseMetricText } from '../api/schemas.ts';
import { METRIC_ALIASES, METRIC_FIELDS, type MetricField, STEP_ALIASES } from './fields.ts';
import { validStep } from './metrics.ts';
import type { MetricPoint } from './types.ts';

/**
 * A job's result file (`result_files[0]`): a CSV of one row per step, whose columns differ
 * between OpenAI (`step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy`) and
 * Azure (`…,train_mean_token_accuracy,valid_loss,validation_mean_token_accuracy,
 * full_valid_loss,full_valid_mean_token_accuracy`), validation cells blank on most rows, and
 * that some deployments send base64-encoded. Read by header name, unknown columns ignored,
 * missing ones absent, bad rows skipped. Pure, and it never throws.
 */

/** How the body carried the CSV. */
export type ResultEncoding = 'plain' | 'base64' | 'json-string';

/** What the file held, or why nothing could be read from it (in words for a Slack user). */
export type ResultFile =
  | {
      ok: true;
      /** In step order, one per step (a repeated step's later row wins, field by field). */
      points: MetricPoint[];
      /** Rows that had no usable step. */
      skippedRows: number;
      /** The header's columns ftops knows, as the file spells them. */
      columns: string[];
      /** Columns it does not know, ignored. */
      unknownColumns: string[];
      encoding: ResultEncoding;
    }
  | { ok: false; reason: string };

/** Rows read at most; a longer file's tail is left unread (and counted as skipped). */
export const MAX_RESULT_ROWS = 1_000_000;

/** Parses a result file's body as the API returned it. */
export function parseResultFile(body: string): ResultFile {
  try {
    return parse(body);
  } catch {
    // Nothing above is meant to throw; this is the promise that hostile input never crashes.
    return { ok: false, reason: 'The result file could not be read.' };
  }
}

function parse(body: string): ResultFile {
  if (typeof body !== 'string') return { ok: false, reason: 'The result file is not text.' };
  const { text, encoding } = decodeBody(body);
  const lines = text.split(/\r\n|\n|\r/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt === -1) return { ok: false, reason: 'The result file is empty.' };
  const header = splitRow(lines[headerAt]!.replace(/^\uFEFF/, '')).map(normalizeName);
  const stepCol = header.findIndex((h) => STEP_ALIASES.includes(h));
  if (stepCol === -1) {
    const shown = header.slice(0, 5).join(', ').slice(0, 80);
    return {
      ok: false,
      reason: `The result file is not a CSV of training steps: its first line has no \`step\` column${shown ? ` (it starts ${JSON.stringify(shown)})` : ''}.`,
    };
  }
  const cols: Array<{ at: number; field: MetricField }> = [];
  const columns = [header[stepCol]!];
  const unknownColumns: string[] = [];
  header.forEach((name, at) => {
    if (at === stepCol) return;
    const field = fieldOf(name);
    // The first column of a field wins: a file with both `train_accuracy` and
    // `train_mean_token_accuracy` is read from the first one.
    if (field && !cols.some((c) => c.field === field)) {
      cols.push({ at, field });
      columns.push(name);
    } else if (!field && name !== '') unknownColumns.push(name);
  });

  const byStep = new Map<number, MetricPoint>();
  let skippedRows = 0;
  let rows = 0;
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (++rows > MAX_RESULT_ROWS) {
      skippedRows++;
      continue;
    }
    const cells = splitRow(line);
    const step = validStep(numberOf(cells[stepCol]));
    if (step === undefined) {
      skippedRows++;
      continue;
    }
    const point = byStep.get(step) ?? { step };
    for (const { at, field } of cols) {
      const v = numberOf(cells[at]);
      if (v !== undefined) point[field] = v;
    }
    byStep.set(step, point);
  }
  const points = [...byStep.values()].sort((a, b) => a.step - b.step);
  return { ok: true, points, skippedRows, columns, unknownColumns, encoding };
}

/**
 * The CSV inside `body`: as it is, or decoded from base64 (some Azure deployments), or from
 * a JSON string (the OpenAPI file calls the content `application/json`, type string).
 */
export function decodeBody(body: string): { text: string; encoding: ResultEncoding } {
  let text = body;
  let encoding: ResultEncoding = 'plain';
  const trimmed = body.trim();
  if (trimmed.startsWith('"')) {
    try {
      const s: unknown = JSON.parse(trimmed);
      if (typeof s === 'string') {
        text = s;
        encoding = 'json-string';
      }
    } catch {
      // Not a JSON string: read as it is.
    }
  }
  const decoded = fromBase64(text);
  if (decoded !== null) return { text: decoded, encoding: 'base64' };
  return { text, encoding };
}

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}[\r\n]*$/;

/** Base64 that decodes to readable text with a line break or comma; null otherwise. */
function fromBase64(text: string): string | null {
  const t = text.trim();
  // A plain CSV always has a comma or a line break; base64 never has a comma.
  if (t.length < 4 || t.includes(',') || !BASE64.test(t)) return null;
  const compact = t.replace(/[\r\n]/g, '');
  if (compact.length % 4 === 1) return null;
  const out = Buffer.from(compact, 'base64').toString('utf8');
  // Decoded text, not bytes: no replacement characters, no control bytes but tab and breaks.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what it looks for
  if (out.includes('\uFFFD') || /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(out)) return null;
  return out.includes(',') || /\r|\n/.test(out) ? out : null;
}

/** Splits one row on commas; a quoted cell (`"a,b"`, `""` for a quote) stays one cell. */
function splitRow(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, '_');
}

function fieldOf(name: string): MetricField | undefined {
  return METRIC_FIELDS.find((f) => METRIC_ALIASES[f].includes(name));
}

/** A cell's number: blank and garbage are absent; `nan` and `inf` are kept (divergence). */
function numberOf(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined;
  const t = cell.trim();
  return t === '' ? undefined : parseMetricText(t);
}

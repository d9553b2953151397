import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseResultFile } from '../../src/training/result-file.ts';
import type { MetricPoint } from '../../src/training/types.ts';

const OPENAI = 'step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy';
const AZURE =
  'step,train_loss,train_mean_token_accuracy,valid_loss,validation_mean_token_accuracy,full_valid_loss,full_valid_mean_token_accuracy';

describe('parseResultFile on the services’ files', () => {
  it('reads an OpenAI file, validation cells blank on most rows', () => {
    const csv = `${OPENAI}\n1,2.1,0.5,,\n2,1.9,0.55,2.2,0.52\n3,1.7,0.6,,\n`;
    const r = parseResultFile(csv);
    expect(r).toMatchObject({ ok: true, skippedRows: 0, unknownColumns: [], encoding: 'plain' });
    expect(r.ok && r.points).toEqual([
      { step: 1, trainLoss: 2.1, trainAccuracy: 0.5 },
      { step: 2, trainLoss: 1.9, trainAccuracy: 0.55, validLoss: 2.2, validAccuracy: 0.52 },
      { step: 3, trainLoss: 1.7, trainAccuracy: 0.6 },
    ]);
  });

  it('reads an Azure file sent base64-encoded, with CRLF lines', () => {
    const csv = `${AZURE}\r\n1,2.1,0.5,,,,\r\n10,1.2,0.7,1.3,0.68,1.31,0.67\r\n`;
    const r = parseResultFile(Buffer.from(csv).toString('base64'));
    expect(r.ok && r.encoding).toBe('base64');
    expect(r.ok && r.points[1]).toEqual({
      step: 10,
      trainLoss: 1.2,
      trainAccuracy: 0.7,
      validLoss: 1.3,
      validAccuracy: 0.68,
      fullValidLoss: 1.31,
      fullValidAccuracy: 0.67,
    });
  });

  it('reads a file sent as a JSON string (the content schema is `string`)', () => {
    const r = parseResultFile(JSON.stringify(`${OPENAI}\n5,0.5,0.9,,\n`));
    expect(r).toMatchObject({ ok: true, encoding: 'json-string', points: [{ step: 5 }] });
  });

  it('keeps nan and inf (a diverged run), skips rows without a step, ignores extra columns', () => {
    const csv = `\uFEFFstep,elapsed_tokens,train_loss\n1,100,nan\nx,1,1\n,2,2\n2,200,inf\n3.5,3,3\n`;
    const r = parseResultFile(csv);
    expect(r).toMatchObject({ ok: true, skippedRows: 3, unknownColumns: ['elapsed_tokens'] });
    expect(r.ok && r.points.map((p) => p.trainLoss)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]);
  });

  it('says why when it is not a CSV of steps', () => {
    expect(parseResultFile('')).toEqual({ ok: false, reason: 'The result file is empty.' });
    const html = parseResultFile('<html><body>502 Bad Gateway</body></html>');
    expect(html.ok).toBe(false);
    expect(!html.ok && html.reason).toMatch(/no `step` column/);
    expect(parseResultFile('{"error":{"code":"404"}}').ok).toBe(false);
  });
});

/** A point with any mix of metrics, finite or not, at a unique step. */
const metric = fc.oneof(
  // -0 prints as "0": what a CSV can say is 0.
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v)),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const FIELDS = [
  'trainLoss',
  'trainAccuracy',
  'validLoss',
  'validAccuracy',
  'fullValidLoss',
  'fullValidAccuracy',
] as const;
const SPELLINGS: Record<(typeof FIELDS)[number], string[]> = {
  trainLoss: ['train_loss'],
  trainAccuracy: ['train_accuracy', 'train_mean_token_accuracy'],
  validLoss: ['valid_loss'],
  validAccuracy: ['valid_mean_token_accuracy', 'validation_mean_token_accuracy'],
  fullValidLoss: ['full_valid_loss'],
  fullValidAccuracy: ['full_valid_mean_token_accuracy'],
};

const fileArb = fc
  .record({
    columns: fc.shuffledSubarray([...FIELDS]),
    spelling: fc.nat(1),
    extra: fc.array(fc.constantFrom('elapsed_tokens', 'elapsed_examples', 'lr'), {
      maxLength: 2,
    }),
    steps: fc.uniqueArray(fc.nat(1_000_000), { minLength: 1, maxLength: 60 }),
    cells: fc.array(
      fc.array(fc.option(metric, { nil: undefined }), { minLength: 6, maxLength: 6 }),
      {
        minLength: 60,
        maxLength: 60,
      },
    ),
    base64: fc.boolean(),
    crlf: fc.boolean(),
  })
  .map((f) => {
    const names = f.columns.map((c) => SPELLINGS[c][f.spelling % SPELLINGS[c].length]!);
    const header = ['step', ...names, ...f.extra].join(',');
    const expected: MetricPoint[] = [];
    const rows = f.steps.map((step, r) => {
      const point: MetricPoint = { step };
      const cells = f.columns.map((c, i) => {
        const v = f.cells[r]![i];
        if (v === undefined) return '';
        point[c] = v;
        return Number.isNaN(v)
          ? 'nan'
          : v === Infinity
            ? 'inf'
            : v === -Infinity
              ? '-inf'
              : String(v);
      });
      expected.push(point);
      return [String(step), ...cells, ...f.extra.map(() => '7')].join(',');
    });
    const text = [header, ...rows].join(f.crlf ? '\r\n' : '\n');
    return {
      body: f.base64 ? Buffer.from(text).toString('base64') : text,
      expected: expected.sort((a, b) => a.step - b.step),
    };
  });

describe('parseResultFile properties', () => {
  it('reads back any file of known columns in any order and spelling, plain or base64', () => {
    fc.assert(
      fc.property(fileArb, ({ body, expected }) => {
        const r = parseResultFile(body);
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.points).toEqual(expected);
          expect(r.skippedRows).toBe(0);
        }
      }),
    );
  });

  it('never throws on hostile input, and every point it returns has a whole step', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc
        .array(fc.string({ maxLength: 12 }), { maxLength: 40 })
        .map((a) => `step,train_loss\n${a.join(',')}`),
      fc
        .array(fc.constantFrom('step', ',', '\n', '"', '1', 'nan', 'e', '-', '.', '\r', ' '), {
          maxLength: 200,
        })
        .map((a) => a.join('')),
      fc.string({ maxLength: 300 }).map((s) => Buffer.from(s).toString('base64')),
    );
    fc.assert(
      fc.property(hostile, (body) => {
        const r = parseResultFile(body);
        if (r.ok) {
          for (const p of r.points) expect(Number.isInteger(p.step) && p.step >= 0).toBe(true);
        } else {
          expect(r.reason.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('reads 200,000 rows', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i + 1},${1 / (i + 1)},0.5,,`);
    const r = parseResultFile(`${OPENAI}\n${rows.join('\n')}`);
    expect(r.ok && r.points.length).toBe(200_000);
  });
});

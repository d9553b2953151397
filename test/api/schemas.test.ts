import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FineTuningJobSchema, isTerminal, listSchema } from '../../src/api/schemas.ts';

// Copies of shared/fixtures/jobs: the same job as three documentation pages print it.
const fixtureDir = new URL('./fixtures/jobs/', import.meta.url);
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.json'));

describe('FineTuningJobSchema', () => {
  it('has the three documented fixtures to check', () => {
    expect(fixtures.sort()).toEqual([
      'job-succeeded-perl-client-docs.json',
      'pause-response-openai-docs.json',
      'resume-response-azure-docs-placeholder.json',
    ]);
  });

  it.each(fixtures)('parses %s', (name) => {
    const raw = JSON.parse(readFileSync(new URL(name, fixtureDir), 'utf8'));
    const job = FineTuningJobSchema.parse(raw);
    expect(job.id).toBe(raw.id);
    expect(job.status).toBe(raw.status);
  });

  it('reads the OpenAI pause example although "required" fields are missing', () => {
    const raw = JSON.parse(
      readFileSync(new URL('pause-response-openai-docs.json', fixtureDir), 'utf8'),
    );
    const job = FineTuningJobSchema.parse(raw);
    expect(job.status).toBe('paused');
    expect(job.finished_at).toBeNull();
    expect(job.error).toBeNull();
  });

  it('treats estimated_finish 0 as none and keeps method and integrations', () => {
    const raw = JSON.parse(
      readFileSync(new URL('job-succeeded-perl-client-docs.json', fixtureDir), 'utf8'),
    );
    const job = FineTuningJobSchema.parse(raw);
    expect(job.estimated_finish).toBeNull();
    expect(job.finished_at).toBe(1692661190);
    expect(job.method).toEqual(raw.method);
    expect(isTerminal(job.status)).toBe(true);
  });

  it('keeps unknown statuses and unknown fields', () => {
    const job = FineTuningJobSchema.parse({
      id: 'ftjob-1',
      status: 'hibernating',
      shiny: { a: 1 },
    });
    expect(job.status).toBe('hibernating');
    expect((job as Record<string, unknown>).shiny).toEqual({ a: 1 });
  });

  it('accepts timestamps as int, string, 0 or null', () => {
    const parse = (v: unknown) =>
      FineTuningJobSchema.parse({ id: 'ftjob-1', finished_at: v }).finished_at;
    expect(parse(1700000000)).toBe(1700000000);
    expect(parse('1700000000')).toBe(1700000000);
    expect(parse(0)).toBeNull();
    expect(parse(null)).toBeNull();
    expect(parse('soon')).toBeNull();
  });

  it('requires only an id', () => {
    expect(FineTuningJobSchema.safeParse({ status: 'running' }).success).toBe(false);
    expect(FineTuningJobSchema.safeParse({ id: 'ftjob-x' }).success).toBe(true);
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = FineTuningJobSchema.safeParse(v);
        return typeof r.success === 'boolean';
      }),
    );
  });

  it('reads a list page with has_more defaulting to false', () => {
    const page = listSchema(FineTuningJobSchema).parse({
      object: 'list',
      data: [{ id: 'ftjob-1' }],
    });
    expect(page.has_more).toBe(false);
  });
});

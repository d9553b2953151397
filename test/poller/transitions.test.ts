import { describe, expect, it } from 'vitest';
import {
  actionOf,
  allows,
  attribute,
  audience,
  snapshotOf,
  summarize,
} from '../../src/poller/transitions.ts';

const job = { id: 'ftjob-abc', status: 'paused' };
const pause = { userId: 'U123', action: 'pause', at: 2_000 };

describe('who a change is credited to', () => {
  it('credits a pause to the ftops user who asked after the previous status was seen', () => {
    expect(
      attribute({
        from: 'running',
        to: 'pausing',
        prev: { changedAt: 1_000, by: null },
        actor: pause,
      }),
    ).toEqual(pause);
  });

  it('says "outside ftops" when no record, an old record, or a record of another action', () => {
    const prev = { changedAt: 3_000, by: null };
    expect(attribute({ from: 'running', to: 'paused', prev, actor: null })).toBe('outside');
    expect(attribute({ from: 'running', to: 'paused', prev, actor: pause })).toBe('outside');
    expect(
      attribute({
        from: 'running',
        to: 'paused',
        prev: { changedAt: 0, by: null },
        actor: { ...pause, action: 'resume' },
      }),
    ).toBe('outside');
  });

  it('keeps the credit through the rest of the course (pausing → paused, resuming → running)', () => {
    expect(
      attribute({
        from: 'pausing',
        to: 'paused',
        prev: { changedAt: 9_000, by: pause },
        actor: pause,
      }),
    ).toEqual(pause);
    expect(
      attribute({
        from: 'pausing',
        to: 'paused',
        prev: { changedAt: 9_000, by: 'outside' },
        actor: pause,
      }),
    ).toBe('outside');
    const resume = { userId: 'U9', action: 'resume', at: 1 };
    expect(
      attribute({
        from: 'resuming',
        to: 'running',
        prev: { changedAt: 5, by: resume },
        actor: null,
      }),
    ).toEqual(resume);
  });

  it('credits nobody for changes no one can ask for', () => {
    expect(
      attribute({ from: 'queued', to: 'running', prev: { changedAt: 0, by: null }, actor: pause }),
    ).toBeNull();
    expect(
      attribute({ from: 'running', to: 'failed', prev: { changedAt: 0, by: null }, actor: pause }),
    ).toBeNull();
    expect(actionOf('queued', 'running')).toBeNull();
    expect(actionOf('paused', 'queued')).toEqual({ action: 'resume', entry: true });
    expect(actionOf('running', 'cancelled')).toEqual({ action: 'cancel', entry: true });
  });
});

describe('what a change says', () => {
  it('names who paused a job, or says it happened outside ftops', () => {
    expect(
      summarize({ jobId: 'ftjob-abc', from: 'running', to: 'paused', by: pause, job }).text,
    ).toBe('`ftjob-abc` is now *paused* — paused by <@U123> (was running)');
    expect(
      summarize({ jobId: 'ftjob-abc', from: 'running', to: 'paused', by: 'outside', job }).text,
    ).toBe('`ftjob-abc` is now *paused* — paused outside ftops (was running)');
  });

  it('gives the fine-tuned model of a succeeded job and marks it final', () => {
    const s = summarize({
      jobId: 'ftjob-abc',
      from: 'running',
      to: 'succeeded',
      by: null,
      job: { id: 'ftjob-abc', status: 'succeeded', fine_tuned_model: 'gpt-4o-mini:ft-acme:x' },
    });
    expect(s).toEqual({
      text: '`ftjob-abc` *succeeded*: fine-tuned model `gpt-4o-mini:ft-acme:x`',
      terminal: true,
    });
  });

  it('gives the escaped error message of a failed job', () => {
    const s = summarize({
      jobId: 'ftjob-abc',
      from: 'running',
      to: 'failed',
      by: null,
      job: {
        id: 'ftjob-abc',
        status: 'failed',
        error: { code: 'invalid_file', message: 'bad <!channel> row\n7' },
      },
    });
    expect(s.text).toBe('`ftjob-abc` *failed*: bad &lt;!channel&gt; row 7 (`invalid_file`)');
    expect(s.terminal).toBe(true);
  });

  it('announces statuses nobody listed as they come', () => {
    const s = summarize({
      jobId: 'ftjob-abc',
      from: 'running',
      to: 'deploying_<x>',
      by: null,
      job,
    });
    expect(s).toEqual({
      text: '`ftjob-abc` is now *deploying &lt;x&gt;* (was running)',
      terminal: false,
    });
  });

  it('credits a cancel', () => {
    const s = summarize({
      jobId: 'ftjob-abc',
      from: 'running',
      to: 'cancelled',
      by: { userId: 'U777', action: 'cancel', at: 1 },
      job,
    });
    expect(s).toEqual({
      text: '`ftjob-abc` is now *cancelled* — cancelled by <@U777> (was running)',
      terminal: true,
    });
  });
});

describe('who hears about a change', () => {
  it('lets a status through a channel filter only when listed, or when there is no filter', () => {
    expect(allows(undefined, 'paused')).toBe(true);
    expect(allows([], 'paused')).toBe(true);
    expect(allows(['failed'], 'paused')).toBe(false);
    const watchers = [{ channel: 'C1', only: ['failed'] }, { channel: 'C2' }];
    expect(audience(watchers, 'paused').map((w) => w.channel)).toEqual(['C2']);
    expect(audience(watchers, 'failed').map((w) => w.channel)).toEqual(['C1', 'C2']);
  });

  it('keeps only what a card needs from a job', () => {
    const snap = snapshotOf({
      id: 'ftjob-a',
      status: 'failed',
      error: { code: 'x', message: 'y' },
      user_provided_suffix: 's',
    });
    expect(snap).toEqual({
      id: 'ftjob-a',
      status: 'failed',
      model: null,
      fine_tuned_model: null,
      error: { code: 'x', message: 'y' },
      created_at: null,
      finished_at: null,
      suffix: 's',
      trained_tokens: null,
    });
  });
});

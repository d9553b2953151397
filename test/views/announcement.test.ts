import { describe, expect, it } from 'vitest';
import { PAUSE_JOB, REFRESH_JOB, RESUME_JOB } from '../../src/views/action-ids.ts';
import { announcementCard, announcementReply } from '../../src/views/announcement.ts';
import { EVIL, makeJob, NOW } from './fixtures.ts';
import { buttonsOf, expectNoInjection, expectWithinLimits, visibleText } from './walk.ts';

describe('announcementCard', () => {
  it('is one compact line with the change, and the buttons of the new status', () => {
    const job = makeJob({ status: 'paused', model: 'gpt-4o-mini' });
    const view = announcementCard({
      job,
      from: 'running',
      to: 'paused',
      actor: { userId: 'U0ME' },
      now: NOW,
    });
    const seen = visibleText(view);
    expect(seen).toContain('⏸️ `ftjob-abc123` · `gpt-4o-mini` · `my-suffix` — running → paused');
    expect(seen).toContain('by <@U0ME>');
    expect(view.text).toBe('⏸️ ftjob-abc123 · gpt-4o-mini · my-suffix: running → paused');
    expect(buttonsOf(view).map((b) => b.actionId)).toEqual([RESUME_JOB, REFRESH_JOB]);
    expectWithinLimits(view);
  });

  it('follows the new status even when the job object lags, and says outside ftops', () => {
    const job = makeJob({ status: 'paused' });
    const view = announcementCard({ job, from: 'paused', to: 'running', actor: null, now: NOW });
    expect(buttonsOf(view).map((b) => b.actionId)).toEqual([PAUSE_JOB, REFRESH_JOB]);
    expect(visibleText(view)).toContain('outside ftops');
  });

  it('names no actor for changes no action causes', () => {
    const job = makeJob({ status: 'succeeded' });
    const view = announcementCard({
      job,
      from: 'running',
      to: 'succeeded',
      actor: { userId: 'U0ME' },
      now: NOW,
    });
    expect(visibleText(view)).not.toContain('U0ME');
    expect(visibleText(view)).not.toContain('outside ftops');
    expect(buttonsOf(view).map((b) => b.actionId)).toEqual([REFRESH_JOB]);
  });

  it('says "now" for a job seen for the first time', () => {
    const view = announcementCard({ job: makeJob(), from: null, to: 'running', now: NOW });
    expect(view.text).toContain('now running');
  });

  it('shows the error of a failed job in the card itself', () => {
    const job = makeJob({
      status: 'failed',
      error: { code: 'invalid_training_file', message: 'Line 3 is not valid JSON', param: null },
    });
    const view = announcementCard({ job, from: 'running', to: 'failed', now: NOW });
    expect(visibleText(view)).toContain(
      '*Error* `invalid_training_file`: Line 3 is not valid JSON',
    );
  });

  it('shows the model, trained tokens and time taken of a succeeded job in the card itself', () => {
    const job = makeJob({
      status: 'succeeded',
      fine_tuned_model: 'ft:gpt-4o-mini:org:my-suffix:abc',
      trained_tokens: 1234567,
      finished_at: NOW / 1000 - 3 * 3600 + 2 * 3600 + 14 * 60 + 5,
    });
    const view = announcementCard({ job, from: 'running', to: 'succeeded', now: NOW });
    expect(visibleText(view)).toContain(
      'Fine-tuned model `ft:gpt-4o-mini:org:my-suffix:abc` · 1,234,567 trained tokens · took 2h 14m',
    );
    const running = announcementCard({ job, from: 'queued', to: 'running', now: NOW });
    expect(visibleText(running)).not.toContain('trained tokens');
  });

  it('says when the card was last updated as a live "… ago", not a date and time', () => {
    const view = announcementCard({ job: makeJob(), from: 'running', to: 'paused', now: NOW });
    const ts = Math.floor(NOW / 1000);
    expect(JSON.stringify(view.blocks)).toContain(`updated <!date^${ts}^{ago}|`);
    expect(JSON.stringify(view.blocks)).not.toContain('seen ');
  });
});

describe('announcementReply', () => {
  const job = makeJob();
  it('names who paused through ftops, or says it happened outside', () => {
    expect(
      announcementReply({ job, from: 'running', to: 'paused', actor: { userId: 'U0ME' } }).text,
    ).toBe('⏸️ paused by <@U0ME>');
    expect(announcementReply({ job, from: 'running', to: 'paused', actor: null }).text).toBe(
      '⏸️ paused outside ftops',
    );
    expect(
      announcementReply({ job, from: 'paused', to: 'running', actor: { userId: 'U0ME' } }).text,
    ).toBe('🏃 running by <@U0ME>');
    expect(announcementReply({ job, from: 'running', to: 'cancelled', actor: null }).text).toBe(
      '🚫 cancelled outside ftops',
    );
  });

  it('gives the error of a failed job and the model of a succeeded one', () => {
    const failed = makeJob({
      status: 'failed',
      error: { code: 'server_error', message: `boom ${EVIL}` },
    });
    const reply = announcementReply({ job: failed, from: 'running', to: 'failed', actor: null });
    expect(reply.text).toContain('❌ failed: `server_error` boom &lt;!channel&gt;');
    expectNoInjection(reply);
    const done = makeJob({
      status: 'succeeded',
      fine_tuned_model: 'ft:gpt-4o-mini:org:my-suffix:abc',
    });
    expect(
      announcementReply({ job: done, from: 'running', to: 'succeeded', actor: null }).text,
    ).toBe('✅ succeeded: fine-tuned model `ft:gpt-4o-mini:org:my-suffix:abc`');
  });

  it('says what it was for other changes', () => {
    expect(announcementReply({ job, from: 'queued', to: 'running', actor: null }).text).toBe(
      '🏃 running (was queued)',
    );
  });
});

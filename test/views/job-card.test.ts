import { describe, expect, it } from 'vitest';
import {
  CANCEL_JOB,
  PAUSE_JOB,
  REFRESH_JOB,
  RESUME_JOB,
  UNWATCH_JOB,
  WATCH_JOB,
} from '../../src/views/action-ids.ts';
import { announcementCard } from '../../src/views/announcement.ts';
import { jobCard } from '../../src/views/job-card.ts';
import { jobLinkFor } from '../../src/views/job-link.ts';
import { fixtureJob, makeEvent, makeJob, NOW } from './fixtures.ts';
import { buttonsOf, expectNoInjection, expectWithinLimits, visibleText } from './walk.ts';

const ids = (view: Parameters<typeof buttonsOf>[0]) => buttonsOf(view).map((b) => b.actionId);

describe('jobCard', () => {
  it('shows a running job with its model, suffix, times and a danger Pause button', () => {
    const job = makeJob({ estimated_finish: NOW / 1000 + 7200, trained_tokens: 1234567 });
    const view = jobCard(job, { now: NOW, events: [makeEvent()] });
    const seen = visibleText(view);
    expect(view.text).toBe('🏃 ftjob-abc123 · gpt-4o-mini-2024-07-18 · my-suffix is running');
    expect(seen).toContain('🏃 ftjob-abc123');
    expect(seen).toContain('`gpt-4o-mini-2024-07-18`');
    expect(seen).toContain('`my-suffix`');
    expect(seen).toContain(
      '*Created*\n<!date^1721790000^{date_short_pretty} {time}|2024-07-24 03:00 UTC> (3h ago)',
    );
    expect(seen).toContain('*Estimated finish*\n<!date^1721808000^');
    expect(seen).toContain('(in 2h)');
    expect(seen).toContain('1,234,567');
    expect(seen).toContain('step 10/100 · train loss 0.4213 · valid loss 0.5');
    expect(buttonsOf(view)).toEqual([
      { actionId: PAUSE_JOB, label: '⏸️ Pause', value: 'ftjob-abc123', style: 'danger' },
      { actionId: REFRESH_JOB, label: '🔄 Refresh', value: 'ftjob-abc123' },
      { actionId: WATCH_JOB, label: '👀 Watch', value: 'ftjob-abc123' },
    ]);
    expectWithinLimits(view);
  });

  it('offers Resume (primary) on a paused job, from the OpenAI docs example', () => {
    const view = jobCard(fixtureJob('pause-response-openai-docs'), { now: NOW });
    expect(view.text).toContain('⏸️ ftjob-abc123');
    expect(view.text).toContain('is paused');
    expect(buttonsOf(view)).toEqual([
      { actionId: RESUME_JOB, label: '▶️ Resume', value: 'ftjob-abc123', style: 'primary' },
      { actionId: REFRESH_JOB, label: '🔄 Refresh', value: 'ftjob-abc123' },
      { actionId: WATCH_JOB, label: '👀 Watch', value: 'ftjob-abc123' },
    ]);
  });

  it('shows the fine-tuned model of a succeeded job, and only Refresh', () => {
    const view = jobCard(fixtureJob('job-succeeded-perl-client-docs'), { now: NOW });
    const seen = visibleText(view);
    expect(seen).toContain('✅');
    expect(seen).toContain('*Fine-tuned model*\n`ft:davinci-002:my-org:custom_suffix:7q8mpxmy`');
    expect(seen).toContain('*Finished*');
    expect(seen).not.toContain('Estimated finish');
    expect(ids(view)).toEqual([REFRESH_JOB]);
  });

  it('shows the error of a failed job, escaped', () => {
    const job = makeJob({
      status: 'failed',
      error: { code: 'invalid_training_file', message: 'Line 3: <@U999> is not JSON & more' },
    });
    const view = jobCard(job, { now: NOW });
    const seen = visibleText(view);
    expect(seen).toContain(
      '❌ *Error* `invalid_training_file` Line 3: &lt;@U999&gt; is not JSON &amp; more',
    );
    expect(ids(view)).toEqual([REFRESH_JOB]);
    expectNoInjection(view);
    const bare = jobCard(makeJob({ status: 'failed' }), { now: NOW });
    expect(visibleText(bare)).toContain('The service gave no error message.');
  });

  it('offers no Pause or Resume while a job is pausing, resuming, queued or validating', () => {
    for (const status of ['pausing', 'resuming', 'queued', 'validating_files', 'pending']) {
      expect(ids(jobCard(makeJob({ status }), { now: NOW }))).toEqual([REFRESH_JOB, WATCH_JOB]);
    }
    expect(ids(jobCard(makeJob({ status: 'cancelled' }), { now: NOW }))).toEqual([REFRESH_JOB]);
  });

  it('shows an unknown status as it comes with a neutral emoji', () => {
    const view = jobCard(makeJob({ status: 'hibernating' }), { now: NOW });
    expect(view.text).toContain('⚪');
    expect(visibleText(view)).toContain('*Status*\n⚪ hibernating');
    expect(ids(view)).toEqual([REFRESH_JOB, WATCH_JOB]);
  });

  it('respects the allowed actions and the watching flag; Cancel only when asked, with a confirm', () => {
    const job = makeJob();
    expect(ids(jobCard(job, { now: NOW, actions: ['refresh'] }))).toEqual([REFRESH_JOB]);
    expect(ids(jobCard(job, { now: NOW, watching: true }))).toEqual([
      PAUSE_JOB,
      REFRESH_JOB,
      UNWATCH_JOB,
    ]);
    const withCancel = jobCard(job, { now: NOW, actions: ['pause', 'cancel'] });
    expect(ids(withCancel)).toEqual([PAUSE_JOB, CANCEL_JOB]);
    const actions = withCancel.blocks.find((b) => b.type === 'actions');
    expect(JSON.stringify(actions)).toContain('cannot be undone');
  });

  it('shows a note and at most the requested number of events', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      makeEvent({ id: `e${i}`, message: `event number ${i}`, type: 'message' }),
    );
    const view = jobCard(makeJob(), {
      now: NOW,
      events,
      maxEvents: 2,
      note: 'Pause requested <!here>',
    });
    const seen = visibleText(view);
    expect(seen).toContain('event number 0');
    expect(seen).toContain('event number 1');
    expect(seen).not.toContain('event number 2');
    expect(seen).toContain('Pause requested &lt;!here&gt;');
    expectNoInjection(view);
  });

  it('handles the Azure placeholder document without breaking', () => {
    const view = jobCard(fixtureJob('resume-response-azure-docs-placeholder'), { now: NOW });
    expectWithinLimits(view);
    expectNoInjection(view);
    expect(visibleText(view)).toContain('&lt;string&gt;');
  });

  it('puts nothing but the job ID in button values and sets no block IDs', () => {
    const view = jobCard(makeJob(), { now: NOW });
    for (const b of buttonsOf(view)) expect(b.value).toBe('ftjob-abc123');
    for (const block of view.blocks) expect(block.block_id).toBeUndefined();
  });
});

describe('the portal link', () => {
  it('is on the card and the announcement, named for where it leads, and cannot be bent by the job ID', () => {
    const job = makeJob({ id: 'ftjob-abc123', status: 'running' });
    const openai = jobLinkFor('https://platform.openai.com/finetune/{job}', job.id);
    expect(visibleText(jobCard(job, { now: NOW, link: openai! }))).toContain(
      '🔗 <https://platform.openai.com/finetune/ftjob-abc123|Open in the OpenAI dashboard>',
    );
    const azure = jobLinkFor('https://ai.azure.com/resource/finetune/{job}?wsid=w', job.id);
    const card = announcementCard({ job, from: 'queued', to: 'running', now: NOW, link: azure });
    expect(visibleText(card)).toContain(
      '<https://ai.azure.com/resource/finetune/ftjob-abc123?wsid=w|Open in Azure AI Foundry>',
    );
    // No template, no link; a hostile "ID" is encoded, never a second link or mention.
    expect(jobLinkFor(undefined, job.id)).toBeUndefined();
    const odd = jobLinkFor('https://portal.example/{job}', 'x|<!channel>');
    expect(odd?.url).toBe('https://portal.example/x%7C%3C!channel%3E');
    const shown = visibleText(jobCard(job, { now: NOW, link: odd! }));
    expect(shown).not.toContain('<!channel>');
    expect(shown.match(/<https:[^>]*>/g)).toEqual([
      '<https://portal.example/x%7C%3C!channel%3E|Open on portal.example>',
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPROVER,
  type App,
  REQUESTER,
  SIGNING_SECRET,
  startApp,
  TRAINING,
  visibleText,
} from './harness.ts';

/**
 * Every `/ft` verb through the running app: a signed slash command in, an empty ack out, and
 * the answer a person would read arriving at the response_url. The approver may pause their
 * own jobs here (self-service), so a refused API call can be seen from a command.
 */
describe('/ft commands end to end', () => {
  let app: App;
  /** Every answer any test read, checked at the end for leaks of internals. */
  const seen: string[] = [];

  beforeAll(async () => {
    app = await startApp({ FT_APPROVER_SELF_SERVICE: 'true' });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Sends `/ft text`, checks the ack is an empty 200, and returns the answer's visible text. */
  async function ask(text: string, opts: { user?: string; channel?: string } = {}) {
    const sent = await app.command(text, opts);
    expect(sent.status).toBe(200);
    expect(sent.body).toBe('');
    await app.answer(sent);
    const answers = app.answersTo(sent.responseUrl);
    expect(answers).toHaveLength(1);
    const body = answers[0]?.body ?? {};
    expect(body.response_type).toBe('ephemeral');
    const text_ = visibleText(body);
    seen.push(text_);
    return text_;
  }

  it('help, and empty text, list every verb', async () => {
    for (const text of ['help', '', '   ']) {
      const answer = await ask(text);
      for (const verb of ['list', 'status', 'pause', 'resume', 'cancel', 'watch', 'whoami']) {
        expect(answer).toContain(`/ft ${verb}`);
      }
      expect(answer).toContain('not an approver');
      expect(answer).toContain("needs an approver's OK");
    }
  });

  it('list [n] shows the newest jobs, and n limits them', async () => {
    const jobs = [1, 2, 3].map((i) => {
      app.ft.clock.advance(1000);
      return app.ft.addJob({ user_provided_suffix: `list-${i}` });
    });
    const all = await ask('list');
    for (const job of jobs) expect(all).toContain(job.id);
    const two = await ask('list 2');
    expect(two).toContain(jobs[2]?.id);
    expect(two).toContain(jobs[1]?.id);
    expect(two).not.toContain(jobs[0]?.id);
    expect(app.ft.requests.at(-1)?.query).toContain('limit=2');
    expect(await ask('list 0')).toContain('expected a number from 1 to 50');
  });

  it('status shows a job card with its status, suffix and buttons', async () => {
    const job = app.ft.addJob({ user_provided_suffix: 'support-bot' });
    const answer = await ask(`status ${job.id}`);
    expect(answer).toContain(job.id);
    expect(answer).toContain('support-bot');
    expect(answer).toContain('running');
    expect(answer).toContain('Pause');
    expect(answer).toContain('Refresh');
    // Wrapped the way people paste IDs, it still works.
    expect(await ask(`status \`${job.id}\``)).toContain('support-bot');
  });

  it('events lists the latest events with their metrics', async () => {
    const job = app.ft.addJob({ steps: 50 });
    app.ft.clock.advance(3000);
    const answer = await ask(`events ${job.id}`);
    expect(answer).toContain(`Events of ${job.id}`);
    expect(answer).toMatch(/step \d+\/50 · train loss \d/);
    expect(answer).not.toMatch(/training loss=/);
  });

  it('checkpoints lists each saved checkpoint with its step and model', async () => {
    const job = app.ft.addJob({ checkpointEvery: 2 });
    app.ft.clock.advance(4000);
    const answer = await ask(`checkpoints ${job.id}`);
    expect(answer).toContain(`checkpoints of \`${job.id}\``);
    expect(answer).toContain('*Step 4*');
    expect(answer).toContain('*Step 2*');
    expect(answer).toContain('ckpt-step-2');
    const fresh = app.ft.addJob({ status: 'queued' });
    expect(await ask(`checkpoints ${fresh.id}`)).toContain('No checkpoints yet');
  });

  it('pause by a member goes to approval instead of pausing', async () => {
    const job = app.ft.addJob();
    const answer = await ask(`pause ${job.id} eval loss diverged`);
    expect(answer).toContain(`Your request to pause \`${job.id}\` is waiting for approval`);
    expect(app.ft.getJob(job.id)?.status).toBe('running');
    expect(app.ft.requests.some((r) => r.method === 'POST' && r.path.includes(job.id))).toBe(false);
    const pending = await ask('approvals');
    expect(pending).toContain(job.id);
    expect(pending).toContain('eval loss diverged');
  });

  it('resume is not gated by default and runs at once', async () => {
    const job = app.ft.addJob({ status: 'paused' });
    const answer = await ask(`resume ${job.id}`);
    expect(answer).toContain(`Resume sent; ${job.id} is now resuming`);
    expect(app.ft.getJob(job.id)?.status).toBe('resuming');
    // Resuming a job that is not paused is refused before any POST.
    const running = app.ft.addJob();
    expect(await ask(`resume ${running.id}`)).toContain('is already running.');
    expect(app.ft.requests.some((r) => r.path === `/fine_tuning/jobs/${running.id}/resume`)).toBe(
      false,
    );
  });

  it('cancel asks for approval, and --dry-run only describes it', async () => {
    const job = app.ft.addJob();
    const dry = await ask(`cancel ${job.id} --dry-run`);
    expect(dry).toContain('Dry run');
    expect(dry).toContain('nothing was changed');
    expect(dry).toContain(`POST /fine_tuning/jobs/${job.id}/cancel`);
    const asked = await ask(`cancel ${job.id} wrong dataset`);
    expect(asked).toContain('waiting for approval');
    expect(app.ft.getJob(job.id)?.status).toBe('running');
  });

  it('watch, watching and unwatch manage the channel subscriptions', async () => {
    const channel = 'C0APPROVALS';
    const job = app.ft.addJob({ user_provided_suffix: 'watched' });
    expect(await ask('watching', { channel })).toMatch(/not watching|nothing|No /i);
    const watched = await ask(`watch ${job.id}`, { channel });
    expect(watched).toContain(job.id);
    expect(watched).toContain('will hear about every status change');
    const all = await ask('watch all --only failed,succeeded', { channel });
    expect(all).toContain('*every* fine-tuning job');
    expect(all).toContain('`failed`');
    const list = await ask('watching', { channel });
    expect(list).toContain(job.id);
    expect(list).toContain('all jobs');
    expect(list).toContain('only failed, succeeded');
    expect(await ask(`unwatch ${job.id}`, { channel })).toContain('no longer watches');
    expect(await ask(`unwatch ${job.id}`, { channel })).toContain('was not watching');
    expect(await ask('unwatch all', { channel })).toContain('no longer watches all jobs');
    expect(await ask('watch all --only bogus', { channel })).toContain('Allowed:');
    expect(await ask('watch ftjob-doesnotexist', { channel })).toContain('was not found');
    expect(await ask('watching', { channel })).not.toContain('ftjob-doesnotexist');
  });

  it('watch says when nothing changed, and does not watch a finished job', async () => {
    const channel = 'C0APPROVALS';
    const job = app.ft.addJob({ user_provided_suffix: 'twice' });
    expect(await ask(`watch ${job.id}`, { channel })).toContain('will hear about every status');
    expect(await ask(`watch ${job.id}`, { channel })).toContain(
      'This channel is already watching this job; nothing changed.',
    );
    expect(await ask(`watch ${job.id} --only failed`, { channel })).toContain(
      'This channel still watches this job, now filtered.',
    );
    expect(await ask('watch all', { channel })).toContain('now hears about status changes');
    expect(await ask('watch all', { channel })).toContain(
      'This channel is already watching *every* fine-tuning job; nothing changed.',
    );
    const done = app.ft.addJob({ status: 'succeeded', user_provided_suffix: 'done' });
    const answer = await ask(`watch ${done.id}`, { channel });
    expect(answer).toContain('This job has succeeded; nothing more will change');
    expect(answer).toContain('/ft watch all');
    const list = await ask('watching', { channel });
    expect(list).toContain(job.id);
    expect(list).not.toContain(done.id);
    await ask(`unwatch ${job.id}`, { channel });
    await ask('unwatch all', { channel });
  });

  it('audit is for approvers only', async () => {
    expect(await ask('audit')).toContain('approvers only');
    const job = app.ft.addJob({ status: 'paused' });
    await ask(`resume ${job.id}`);
    const log = await ask(`audit ${job.id}`, { user: APPROVER });
    expect(log).toContain(job.id);
    expect(log).toContain('resume');
  });

  it('whoami tells members and approvers their role', async () => {
    const member = await ask('whoami');
    expect(member).toContain(`<@${REQUESTER}>`);
    expect(member).toContain('not an approver');
    const approver = await ask('whoami', { user: APPROVER });
    expect(approver).toContain('Approver');
    expect(approver).toContain('listed by ID');
  });

  it('an unknown verb gets the usage and a "did you mean"', async () => {
    const answer = await ask('stauts ftjob-abc');
    expect(answer).toContain('I don\'t know the command "stauts"');
    expect(answer).toContain('Did you mean /ft status?');
    expect(answer).toContain('`whoami`');
    expect(await ask('frobnicate')).toContain('/ft help');
  });

  it('a job the API does not know is "not found"', async () => {
    const answer = await ask('status ftjob-doesnotexist');
    expect(answer).toContain('ftjob-doesnotexist` was not found at 127.0.0.1:');
    expect(answer).not.toContain('Reference');
  });

  it('an ID with a typo is looked up once, and the job it resembles suggested', async () => {
    const job = app.ft.addJob({ status: 'running' });
    // One character changed (a swap of two equal characters would be no typo at all).
    const last = job.id.slice(-1);
    const typo = `${job.id.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
    const before = app.ft.requests.length;
    const answer = await ask(`status ${typo}`);
    expect(answer).toContain(`Did you mean \`${job.id}\`?`);
    const reads = app.ft.requests.slice(before).map((r) => r.path);
    expect(reads.filter((p) => p.includes(typo))).toEqual([`/fine_tuning/jobs/${typo}`]);
    expect(await ask(`events ${typo}`)).toContain(`Did you mean \`${job.id}\`?`);
  });

  it('a 400 from the API is shown in words (a job with no steps cannot be paused)', async () => {
    const job = app.ft.addJob({ status: 'running', step: 0 });
    const answer = await ask(`pause ${job.id}`, { user: APPROVER });
    expect(answer).toContain(`${job.id} cannot be paused`);
    expect(answer).toContain('has not trained any steps yet');
    expect(app.ft.getJob(job.id)?.status).toBe('running');
  });

  it('429 and 500 are retried, and when retries run out the answer says so', async () => {
    app.ft.failNext(2, '500');
    expect(await ask('list 1')).toContain('Fine-tuning jobs');

    app.ft.failNext(5, '429');
    const limited = await ask('list 1');
    expect(limited).toContain('rate limiting');
    expect(limited).toMatch(/tried 5 times/);

    app.ft.failNext(5, '500');
    const down = await ask('list 1');
    expect(down).toContain('unavailable');
    expect(down).toMatch(/tried 5 times/);
  });

  it('a fine-tuning API slower than 3 s: the ack comes first, the answer later', async () => {
    const job = app.ft.addJob({ user_provided_suffix: 'slow-one' });
    app.ft.setFaults({ latencyMs: 4000, retryAfterMs: 0 });
    try {
      const sent = await app.command(`status ${job.id}`);
      expect(sent.status).toBe(200);
      expect(sent.body).toBe('');
      expect(app.answersTo(sent.responseUrl)).toHaveLength(0);
      const answer = await app.answer(sent, 15_000);
      expect(answer).toContain('slow-one');
    } finally {
      app.ft.setFaults({ retryAfterMs: 0 });
    }
  });

  it.each([
    'status ../../etc/passwd',
    'status ftjob-abc%2F..%2Fadmin',
    'status ftjob-abc/../x',
    'status ftjob-abc?limit=1000',
    'status ftjob-abc#frag',
    'events ftjob-a\u0000b',
    'pause ../ftjob-abc now',
    'status <!channel>',
    '<!channel> hello',
    'status <@U123>',
    '<@U123|bob> please',
    'status <https://evil.example/x|click me>',
    'watch <!here>',
    `status ${'a'.repeat(10_000)}`,
    'x'.repeat(10_000),
    'checkpoints \u0007\u001b[31mftjob-x',
    'status \u202eftjob-abc',
  ])('hostile text %# makes no API request and gets a clear answer', async (text) => {
    const before = app.ft.requests.length;
    const answer = await ask(text);
    expect(app.ft.requests.length).toBe(before);
    expect(answer).toMatch(/is not a fine-tuning job ID|I don't know the command/);
    expect(answer.length).toBeLessThan(4000);
    expect(answer).not.toContain('<!channel>');
    expect(answer).not.toContain('<!here>');
    expect(answer).not.toContain('<@U123');
    expect(answer).not.toContain('<https://evil.example');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(answer).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E]/);
  });

  it('no answer carried a stack trace or an unprinted object', () => {
    expect(seen.length).toBeGreaterThan(40);
    for (const text of seen) {
      expect(text).not.toContain('[object Object]');
      expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(text).not.toMatch(/\bundefined\b|\bNaN\b/);
      expect(text).not.toContain('test-key');
    }
    // Secrets never reach a log line, and nothing above was an unexpected error.
    const logs = app.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [SIGNING_SECRET, app.slack.botToken, 'test-key']) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain('unexpected error in a Slack handler');
    // And nothing was posted publicly in the channel by these commands but approval requests.
    const publicPosts = app.messagesIn(TRAINING).filter((m) => !m.ephemeral);
    for (const m of publicPosts) expect(m.text).toContain('asks to');
  });
});

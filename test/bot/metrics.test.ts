import fc from 'fast-check';
import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { API_ENDPOINTS, createMetrics, normaliseEndpoint } from '../../src/bot/metrics.ts';

/** The value of one series in the text exposition, or undefined when it is absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('exposes the recorded series in the text format, with Node process metrics', async () => {
    const metrics = createMetrics();
    metrics.commandHandled('pause', 'pending_approval');
    metrics.commandHandled('pause', 'pending_approval');
    metrics.commandHandled('frobnicate', 'invalid');
    metrics.observeAck(0.042);
    metrics.observeApiRequest({
      method: 'POST',
      path: '/fine_tuning/jobs/ftjob-abc123/pause',
      status: 500,
      durationMs: 120,
      attempt: 1,
    });
    metrics.observeApiRequest({
      method: 'POST',
      path: '/fine_tuning/jobs/ftjob-abc123/pause',
      status: 200,
      durationMs: 80,
      attempt: 2,
    });
    metrics.observeApiRequest({
      method: 'GET',
      path: '/fine_tuning/jobs?limit=1',
      status: 0,
      durationMs: 30_000,
      attempt: 1,
    });
    metrics.sweepCompleted({ seconds: 1.5, jobsRead: 42 });
    metrics.announcementSent();
    metrics.announcementFailed('channel_not_found');
    metrics.announcementFailed('Some <weird> text');
    metrics.approval('approved');
    metrics.slackRequestRefused('bad_signature');
    metrics.setQueueDepthSource(async () => ({ sweep: 1, notify: 7 }));

    const { contentType, body } = await metrics.render();

    expect(contentType).toMatch(/^text\/plain/);
    expect(sample(body, 'ftops_commands_total{verb="pause",outcome="pending_approval"}')).toBe(2);
    expect(sample(body, 'ftops_commands_total{verb="unknown",outcome="invalid"}')).toBe(1);
    expect(sample(body, 'ftops_slack_ack_seconds_count{kind="command"}')).toBe(1);
    expect(
      sample(
        body,
        'ftops_api_requests_total{resource="default",endpoint="/fine_tuning/jobs/{id}/pause",method="POST",status="500"}',
      ),
    ).toBe(1);
    expect(
      sample(
        body,
        'ftops_api_requests_total{resource="default",endpoint="/fine_tuning/jobs/{id}/pause",method="POST",status="200"}',
      ),
    ).toBe(1);
    expect(
      sample(
        body,
        'ftops_api_requests_total{resource="default",endpoint="/fine_tuning/jobs",method="GET",status="0"}',
      ),
    ).toBe(1);
    expect(
      sample(
        body,
        'ftops_api_retries_total{resource="default",endpoint="/fine_tuning/jobs/{id}/pause",method="POST"}',
      ),
    ).toBe(1);
    expect(
      sample(
        body,
        'ftops_api_request_duration_seconds_count{resource="default",endpoint="/fine_tuning/jobs/{id}/pause",method="POST"}',
      ),
    ).toBe(2);
    expect(
      sample(body, 'ftops_sweep_duration_seconds_count{resource="default",outcome="ok"}'),
    ).toBe(1);
    expect(sample(body, 'ftops_sweep_jobs_read{resource="default"}')).toBe(42);
    expect(sample(body, 'ftops_announcements_sent_total')).toBe(1);
    expect(sample(body, 'ftops_announcements_failed_total{reason="channel_not_found"}')).toBe(1);
    expect(sample(body, 'ftops_announcements_failed_total{reason="other"}')).toBe(1);
    expect(sample(body, 'ftops_approvals_total{outcome="approved"}')).toBe(1);
    expect(sample(body, 'ftops_slack_requests_refused_total{reason="bad_signature"}')).toBe(1);
    expect(sample(body, 'ftops_queue_depth{queue="sweep"}')).toBe(1);
    expect(sample(body, 'ftops_queue_depth{queue="notify"}')).toBe(7);
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');

    expect(body).not.toContain('ftjob-abc123');
    expect(body).not.toContain('weird');
  });

  it('reads queue depths afresh on every scrape and leaves them out when the source fails', async () => {
    const metrics = createMetrics();
    let notify = 3;
    let fail = false;
    metrics.setQueueDepthSource(async () => {
      if (fail) throw new Error('Connection is closed');
      return { sweep: 0, notify };
    });
    expect(sample((await metrics.render()).body, 'ftops_queue_depth{queue="notify"}')).toBe(3);
    notify = 11;
    expect(sample((await metrics.render()).body, 'ftops_queue_depth{queue="notify"}')).toBe(11);
    fail = true;
    const { body } = await metrics.render();
    expect(sample(body, 'ftops_queue_depth{queue="notify"}')).toBeUndefined();
    expect(body).toContain('ftops_commands_total');
  });

  it('works as an onRequest callback without its object', async () => {
    const metrics = createMetrics();
    const onRequest = metrics.observeApiRequest;
    onRequest({
      method: 'GET',
      path: '/fine_tuning/jobs/ftjob-x',
      status: 404,
      durationMs: 5,
      attempt: 1,
    });
    const { body } = await metrics.render();
    expect(
      sample(
        body,
        'ftops_api_requests_total{resource="default",endpoint="/fine_tuning/jobs/{id}",method="GET",status="404"}',
      ),
    ).toBe(1);
  });

  it('keeps two registries apart and leaves the global one alone', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.announcementSent();
    expect(sample((await a.render()).body, 'ftops_announcements_sent_total')).toBe(1);
    expect(sample((await b.render()).body, 'ftops_announcements_sent_total')).toBe(0);
    expect(await globalRegistry.metrics()).not.toContain('ftops_');
  });
});

describe('normaliseEndpoint', () => {
  it('turns job paths into route templates', () => {
    expect(normaliseEndpoint('/fine_tuning/jobs')).toBe('/fine_tuning/jobs');
    expect(normaliseEndpoint('/fine_tuning/jobs?limit=1&after=ftjob-a')).toBe('/fine_tuning/jobs');
    expect(normaliseEndpoint('/fine_tuning/jobs/ftjob-a')).toBe('/fine_tuning/jobs/{id}');
    expect(normaliseEndpoint('/fine_tuning/jobs/ftjob-a/resume')).toBe(
      '/fine_tuning/jobs/{id}/resume',
    );
    expect(normaliseEndpoint('/fine_tuning/jobs/ftjob-a/checkpoints?limit=10')).toBe(
      '/fine_tuning/jobs/{id}/checkpoints',
    );
    expect(normaliseEndpoint('/fine_tuning/jobs/ftjob-a/ftjob-b')).toBe(
      '/fine_tuning/jobs/{id}/other',
    );
    expect(normaliseEndpoint('/files/file-abc')).toBe('other');
  });

  it('only ever answers one of a fixed set of endpoints, whatever the path', () => {
    const segment = fc.string({ minLength: 1, maxLength: 20 });
    const path = fc.oneof(
      fc.string(),
      fc
        .tuple(segment, fc.constantFrom('', '/pause', '/events', '/x/y'))
        .map(([id, tail]) => `/fine_tuning/jobs/${id}${tail}`),
    );
    fc.assert(
      fc.property(path, (p) => {
        expect(API_ENDPOINTS).toContain(normaliseEndpoint(p));
      }),
    );
  });
});

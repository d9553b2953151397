import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp } from './harness.ts';

describe('ftops end to end', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers /ft status with a job card', async () => {
    const job = app.ft.addJob({ user_provided_suffix: 'support-bot' });
    const ack = await app.command(`status ${job.id}`);
    expect(ack.status).toBe(200);
    const text = await app.waitForResponse((t) => t.includes(job.id));
    expect(text).toContain('support-bot');
  });

  it('reports health, readiness and metrics, with no job ID as a label', async () => {
    const job = app.ft.addJob({});
    await app.command(`status ${job.id}`);
    await app.waitForResponse((t) => t.includes(job.id));
    const health = await fetch(`${app.ftops.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${app.ftops.url}/readyz`);
    expect(await ready.json()).toMatchObject({ ok: true, checks: { redis: { ok: true } } });
    const metrics = await (await fetch(`${app.ftops.url}/metrics`)).text();
    expect(metrics).toMatch(/ftops_commands_total\{verb="status",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/ftops_slack_ack_seconds_count\{kind="command"\} [1-9]/);
    expect(metrics).toContain('endpoint="/fine_tuning/jobs/{id}"');
    expect(metrics).toMatch(/ftops_queue_depth\{queue="notify"\}/);
    expect(metrics).not.toContain(job.id);
  });

  it('answers readiness with the failing check when the API refuses the credentials', async () => {
    const bad = await startApp({ AZURE_OPENAI_API_KEY: 'wrong-key' });
    try {
      const job = bad.ft.addJob({});
      await bad.command(`status ${job.id}`);
      const text = await bad.waitForResponse((t) => t.includes('⚠'));
      expect(text).not.toContain('wrong-key');
      const ready = await fetch(`${bad.ftops.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { fineTuningApi: { ok: false } } });
    } finally {
      await bad.close();
    }
  });
});

describe('the first change after a watch', () => {
  it('is announced, because watching records the status it showed as the baseline', async () => {
    const app = await startApp();
    try {
      const job = app.ft.addJob({ user_provided_suffix: 'baseline' });
      await app.command(`watch ${job.id}`);
      await app.waitForResponse((t) => t.includes('baseline'));
      app.ft.setStatus(job.id, 'failed', {
        error: { code: 'oom', message: 'out of memory', param: null },
      });
      const poller = app.ftops.poller;
      if (!poller) throw new Error('the app runs no poller');
      const report = await poller.sweeper.sweep();
      expect(report).toMatchObject({ transitions: 1, firstSights: 0 });
    } finally {
      await app.close();
    }
  });
});

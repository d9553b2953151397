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
});

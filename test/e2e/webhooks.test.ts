import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/bot/webhooks/standard-webhooks.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { freePort } from '../../src/sandbox/ports.ts';
import { type App, poll, startApp, visibleText } from './harness.ts';

const CHANNEL = 'C0PLATFORM';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The OpenAI platform's webhooks, end to end: the emulator finishes a job and sends its signed
 * event over HTTP to the running ftops, which verifies it, asks a worker to read that job, and
 * announces the change with no sweep at all (the sweep interval here is an hour).
 */
describe('webhooks announce a finished job without waiting for a sweep', () => {
  let app: App;
  let platform: FineTuningEmulator;
  let hookUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'ftops-webhooks-'));

  beforeAll(async () => {
    const port = await freePort();
    hookUrl = `http://127.0.0.1:${port}/webhooks/openai/platform`;
    platform = await startFineTuningEmulator({
      bearerTokens: ['platform-key'],
      webhooks: { url: hookUrl, secret: SECRET },
    });
    app = await startApp(
      { PLATFORM_KEY: 'platform-key', PLATFORM_WHSEC: SECRET },
      {
        port,
        configFile: (ft) => {
          const path = join(dir, 'ftops.yaml');
          writeFileSync(
            path,
            `defaults:
  poll_interval_seconds: 3600
resources:
  vision:
    kind: azure
    endpoint: ${ft.url}
    auth: { api_key_env: AZURE_OPENAI_API_KEY }
  platform:
    kind: openai
    base_url: ${platform.openaiBaseUrl}
    auth: { api_key_env: PLATFORM_KEY }
    webhook_secret_env: PLATFORM_WHSEC
    approval: { gated_actions: [] }
`,
          );
          return path;
        },
      },
    );
    app.slack.addChannel({ id: CHANNEL, name: 'team-platform', isMember: true });
    // The schedulers sweep each resource once at start; after that, not for an hour. Waiting
    // for those two makes every later read here the webhook's.
    await poll(
      () =>
        app.logs.filter((l) => l.includes('"msg":"sweep done"')).length >= 2 ? true : undefined,
      10_000,
    );
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const channelText = () =>
    app
      .messagesIn(CHANNEL)
      .map((m) => visibleText(m))
      .join('\n');

  /** Reads of one job from the platform's API. */
  const reads = (id: string) =>
    platform.requests.filter((r) => r.path === `/fine_tuning/jobs/${id}`).length;

  async function watch(key: string): Promise<void> {
    const sent = await app.command(`watch ${key}`, { channel: CHANNEL });
    expect(await app.answer(sent, 10_000)).toContain(key);
  }

  it('announces a job that trained to the end within seconds, once, and a copy of the event changes nothing', async () => {
    const job = platform.addJob({ status: 'running', steps: 3, step: 1 });
    await watch(`platform:${job.id}`);
    const sweepsBefore = app.logs.filter((l) => l.includes('"msg":"sweep done"')).length;

    platform.clock.advance(120_000);
    await platform.webhooksSettled();
    const [delivery] = platform.webhookDeliveries;
    expect(delivery).toMatchObject({ type: 'fine_tuning.job.succeeded', jobId: job.id });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([200]);

    const announcement = () =>
      app
        .messagesIn(CHANNEL)
        .map((m) => visibleText(m))
        .filter((t) => t.includes(`platform:${job.id}`) && /succeeded/i.test(t));
    await expect.poll(() => announcement().length, { timeout: 10_000 }).toBe(1);
    // No sweep read it: the webhook did.
    expect(app.logs.filter((l) => l.includes('"msg":"sweep done"')).length).toBe(sweepsBefore);

    // Announcements only: the job's final chart follows in the card's thread on its own time.
    const posts = () => app.messagesIn(CHANNEL).filter((m) => !m.files?.length).length;
    const messages = posts();
    const again = await platform.redeliverWebhook(delivery?.webhookId ?? '');
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(posts()).toBe(messages);
    expect(announcement()).toHaveLength(1);
    expect(app.logs.some((l) => l.includes('dropped a webhook delivered before'))).toBe(true);
  });

  it('refuses a forged event and one for a resource without a secret, and acts on neither', async () => {
    const job = platform.addJob({ status: 'running' });
    await watch(`platform:${job.id}`);
    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      created_at: Math.floor(Date.now() / 1000),
      type: 'fine_tuning.job.cancelled',
      data: { id: job.id },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const forged = signWebhook({
      id: 'msg_forged',
      timestamp,
      body,
      secret: `whsec_${randomBytes(32).toString('base64')}`,
    });
    const headers = {
      'content-type': 'application/json',
      'webhook-id': 'msg_forged',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': forged,
    };
    const before = reads(job.id);
    const refused = await fetch(hookUrl, { method: 'POST', body, headers });
    expect(refused.status).toBe(401);
    const noSecret = await fetch(hookUrl.replace(/platform$/, 'vision'), {
      method: 'POST',
      body,
      headers,
    });
    expect(noSecret.status).toBe(404);
    await new Promise((r) => setTimeout(r, 500));
    expect(reads(job.id)).toBe(before);
    expect((await app.redisKeys()).filter((k) => k.includes('msg_forged'))).toEqual([]);
  });

  it('leaves alone a job no channel watches: no read, no announcement', async () => {
    const job = platform.addJob({ status: 'running', steps: 2, step: 1 });
    const before = reads(job.id);
    platform.clock.advance(120_000);
    await platform.webhooksSettled();
    expect(platform.webhookDeliveries.at(-1)).toMatchObject({ jobId: job.id });
    expect(platform.webhookDeliveries.at(-1)?.attempts.at(-1)?.status).toBe(200);
    await expect
      .poll(() => app.logs.some((l) => l.includes('webhook accepted') && l.includes(job.id)))
      .toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(reads(job.id)).toBe(before);
    expect(channelText()).not.toContain(`platform:${job.id}`);
  });
});

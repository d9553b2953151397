/**
 * CI's check of the production start: runs the compiled bot (`node dist/bot/main.js`) from a
 * folder that holds only dist/, package.json, the manifests and production dependencies, as
 * the image does, against the emulators and the local Redis. It must answer /healthz and
 * /readyz, answer a signed `/ft help`, and stop cleanly on SIGTERM. Usage:
 *   tsx scripts/smoke-dist.ts <folder>
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startFineTuningEmulator } from '../src/emulators/fine-tuning/index.ts';
import { startSlackEmulator } from '../src/emulators/slack/index.ts';
import { signRequest, slashCommandBody } from '../src/emulators/slack-signing.ts';
import { freePort } from '../src/sandbox/ports.ts';
import { createKeys } from '../src/store/keys.ts';
import { deleteNamespace } from '../src/store/redis.ts';

const folder = process.argv[2];
if (!folder)
  throw new Error(
    'usage: tsx scripts/smoke-dist.ts <folder with dist/ and production node_modules>',
  );
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = `smoke-${randomUUID()}`;
const namespace = `ci-smoke-${randomUUID()}`;

const [ft, slack, port] = await Promise.all([
  startFineTuningEmulator({ apiKey: 'smoke-key' }),
  startSlackEmulator(),
  freePort(),
]);
const base = `http://127.0.0.1:${port}`;
const lines: string[] = [];
const bot: ChildProcess = spawn(process.execPath, ['dist/bot/main.js'], {
  cwd: folder,
  env: {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    AZURE_OPENAI_ENDPOINT: ft.url,
    AZURE_OPENAI_API_KEY: 'smoke-key',
    REDIS_URL,
    FT_REDIS_NAMESPACE: namespace,
    FT_APPROVER_IDS: 'U0APPROVER',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
for (const stream of [bot.stdout, bot.stderr]) stream?.on('data', (d) => lines.push(String(d)));
const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not happen within ${ms / 1000} s`);
}

let failure: unknown;
try {
  const started = Date.now();
  await until('GET /healthz answering 200', async () => (await fetch(`${base}/healthz`)).ok);
  const startMs = Date.now() - started;
  await until('GET /readyz answering 200', async () => (await fetch(`${base}/readyz`)).ok);
  const body = slashCommandBody({
    text: 'help',
    user_id: 'U0REQUEST',
    channel_id: 'C0TRAINING',
    response_url: slack.responseUrl('C0TRAINING', 'U0REQUEST'),
  });
  const res = await fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: { ...signRequest(SECRET, body) },
    body,
  });
  if (res.status !== 200) throw new Error(`/ft help was answered ${res.status}`);
  // The command is acked at once and answered through its response_url.
  await until('the answer to /ft help', async () =>
    (slack.messages.get('C0TRAINING') ?? []).some((m) => (m.text ?? '').includes('/ft')),
  );
  bot.kill('SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise((r) => setTimeout(() => r('timeout'), 25_000)),
  ]);
  if (code !== 0) throw new Error(`SIGTERM did not stop it cleanly (exit ${String(code)})`);
  console.log(
    `smoke: node dist/bot/main.js listened in ${startMs} ms, was ready, answered a signed /ft help, stopped on SIGTERM`,
  );
} catch (err) {
  failure = err;
} finally {
  bot.kill('SIGKILL');
  await Promise.allSettled([ft.close(), slack.close()]);
  const redis = new Redis(REDIS_URL);
  await deleteNamespace(redis, createKeys(namespace).bullPrefix);
  await redis.quit();
}
if (failure) {
  console.error(
    `smoke: the production start failed: ${failure instanceof Error ? failure.message : String(failure)}`,
  );
  console.error(lines.join('').split('\n').slice(-30).join('\n'));
  process.exit(1);
}

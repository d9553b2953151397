import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AccessToken } from '@azure/identity';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { noDelayRetryPolicy } from '../../src/api/index.ts';
import { runDoctor } from '../../src/doctor/run.ts';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../../src/emulators/slack/index.ts';
import { REDIS_URL } from '../support/redis.ts';

// Every secret is a canary: no line of any report may contain one.
const BOT_TOKEN = `xoxb-canary-bot-${randomUUID()}`;
const APP_TOKEN = `xapp-canary-app-${randomUUID()}`;
const SIGNING_SECRET = `canary-signing-${randomUUID()}`;
const AZURE_KEY = `canary-azure-${randomUUID()}`;
const OPENAI_KEY = `sk-canary-openai-${randomUUID()}`;
const CANARIES = [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, AZURE_KEY, OPENAI_KEY];

let slack: SlackEmulator;
let ft: FineTuningEmulator;

beforeAll(async () => {
  slack = await startSlackEmulator({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  ft = await startFineTuningEmulator({
    apiKey: AZURE_KEY,
    bearerTokens: (token) => token === OPENAI_KEY || token.startsWith('entra-canary-'),
  });
});
afterAll(async () => {
  await slack.close();
  await ft.close();
});
afterEach(() => {
  slack.reset();
  ft.reset();
});

/** A working HTTP-mode configuration against the emulators and the local Redis. */
function goodEnv(): NodeJS.ProcessEnv {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    AZURE_OPENAI_ENDPOINT: ft.url,
    AZURE_OPENAI_API_KEY: AZURE_KEY,
    REDIS_URL,
    FT_APPROVER_IDS: 'U0APPROVE,S0APPROVERS',
  };
}

/** Runs the doctor in-process and returns its exit code and the lines it printed. */
async function doctor(env: NodeJS.ProcessEnv, credential?: { token: string }) {
  const lines: string[] = [];
  const code = await runDoctor(env, {
    out: (line) => lines.push(line),
    timeoutMs: 2_000,
    retryPolicy: noDelayRetryPolicy,
    ...(credential && {
      credential: {
        getToken: async (): Promise<AccessToken> => ({
          token: credential.token,
          expiresOnTimestamp: Date.now() + 3_600_000,
        }),
      },
    }),
  });
  const text = lines.join('\n');
  for (const canary of CANARIES) expect(text).not.toContain(canary);
  return { code, lines, text };
}

/** The status line of check `name` and the fix line under it, if any. */
function lineOf(lines: string[], name: string): { status: string; fix?: string } {
  const index = lines.findIndex((l) => /^[✓⚠✗–] /.test(l) && l.slice(2).startsWith(`${name}:`));
  expect(index, `no line for ${name} in:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
  const next = lines[index + 1];
  return {
    status: lines[index]!,
    ...(next?.startsWith('    fix: ') && { fix: next.slice('    fix: '.length) }),
  };
}

const checkLines = (lines: string[]) => lines.filter((l) => /^[✓⚠✗–] /.test(l));

/** A TCP port on 127.0.0.1 with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm run doctor, all good', () => {
  it('passes every check in HTTP mode with an Azure key and exits 0', async () => {
    const { code, lines } = await doctor(goodEnv());

    expect(code).toBe(0);
    const checks = checkLines(lines);
    expect(checks.map((l) => l.split(':')[0])).toEqual([
      '✓ Configuration',
      '✓ Redis',
      '✓ Redis mode',
      '✓ Redis auth',
      '✓ Redis eviction policy',
      '✓ Slack bot token',
      '✓ Slack bot scopes',
      '✓ Approvers',
      '✓ Fine-tuning API',
    ]);
    expect(lineOf(lines, 'Slack bot token').status).toContain('@ftops (U0FTBOT)');
    expect(lineOf(lines, 'Approvers').status).toContain('S0APPROVERS (1 member)');
    expect(lines.at(-1)).toBe('All 9 checks passed.');
    // It really asked: Slack's auth.test and the fine-tuning list with limit=1.
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    expect(ft.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/fine_tuning/jobs',
        query: 'limit=1',
        status: 200,
      }),
    ]);
  });

  it('passes in Socket Mode with the OpenAI platform, checking the app token', async () => {
    const env = goodEnv();
    delete env.SLACK_SIGNING_SECRET;
    delete env.AZURE_OPENAI_ENDPOINT;
    delete env.AZURE_OPENAI_API_KEY;
    const { code, lines } = await doctor({
      ...env,
      SLACK_APP_TOKEN: APP_TOKEN,
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: ft.openaiBaseUrl,
    });

    expect(code).toBe(0);
    expect(checkLines(lines).every((l) => l.startsWith('✓'))).toBe(true);
    expect(lineOf(lines, 'Configuration').status).toContain('Socket Mode, OpenAI platform');
    expect(lineOf(lines, 'Slack Socket Mode').status).toContain('apps.connections.open');
    expect(slack.callsTo('apps.connections.open')).toEqual([expect.objectContaining({ ok: true })]);
  });

  it('passes with Microsoft Entra ID when the credential gives a token', async () => {
    const env = goodEnv();
    delete env.AZURE_OPENAI_API_KEY;
    const { code, lines } = await doctor(env, { token: `entra-canary-${randomUUID()}` });

    expect(code).toBe(0);
    expect(lineOf(lines, 'Fine-tuning API').status).toMatch(
      /^✓ .*with Microsoft Entra ID authentication/,
    );
  });

  it('warns, without failing, when no approver is configured but actions are gated', async () => {
    const { code, lines } = await doctor({ ...goodEnv(), FT_APPROVER_IDS: '' });

    expect(code).toBe(0);
    const approvers = lineOf(lines, 'Approvers');
    expect(approvers.status).toMatch(/^⚠ .*nobody can approve pause, cancel/);
    expect(approvers.fix).toContain('FT_GATED_ACTIONS=none');
    expect(lines.at(-1)).toBe('All 9 checks passed (1 with a warning).');
  });
});

describe('npm run doctor, one broken setting at a time', () => {
  it('reports a bot token Slack refuses, and skips the checks that need it', async () => {
    const wrong = `xoxb-canary-wrong-${randomUUID()}`;
    const { code, lines, text } = await doctor({ ...goodEnv(), SLACK_BOT_TOKEN: wrong });

    expect(code).toBe(1);
    const token = lineOf(lines, 'Slack bot token');
    expect(token.status).toBe('✗ Slack bot token: auth.test answered invalid_auth');
    expect(token.fix).toContain('OAuth & Permissions');
    expect(lineOf(lines, 'Slack bot scopes').status).toMatch(/^– /);
    expect(lineOf(lines, 'Approvers').status).toMatch(/^– /);
    expect(text).not.toContain(wrong);
    expect(lines.at(-1)).toBe('1 of 9 checks failed; 2 more could not run because of that.');
  });

  it('reports an app-level token Slack refuses', async () => {
    const env = goodEnv();
    delete env.SLACK_SIGNING_SECRET;
    const wrong = `xapp-canary-wrong-${randomUUID()}`;
    const { code, lines, text } = await doctor({ ...env, SLACK_APP_TOKEN: wrong });

    expect(code).toBe(1);
    const socket = lineOf(lines, 'Slack Socket Mode');
    expect(socket.status).toBe('✗ Slack Socket Mode: apps.connections.open answered invalid_auth');
    expect(socket.fix).toContain('connections:write');
    expect(text).not.toContain(wrong);
  });

  it('reports an Azure key the API refuses (401)', async () => {
    const wrong = `canary-wrong-key-${randomUUID()}`;
    const { code, lines, text } = await doctor({ ...goodEnv(), AZURE_OPENAI_API_KEY: wrong });

    expect(code).toBe(1);
    const api = lineOf(lines, 'Fine-tuning API');
    expect(api.status).toMatch(/^✗ Fine-tuning API: .*\(401\)/);
    expect(api.fix).toContain('KEY 1 or KEY 2');
    expect(text).not.toContain(wrong);
    expect(checkLines(lines).filter((l) => l.startsWith('✗'))).toHaveLength(1);
  });

  it('reports a fine-tuning endpoint nobody answers at', async () => {
    const port = await closedPort();
    const { code, lines } = await doctor({
      ...goodEnv(),
      AZURE_OPENAI_ENDPOINT: `http://127.0.0.1:${port}`,
    });

    expect(code).toBe(1);
    const api = lineOf(lines, 'Fine-tuning API');
    expect(api.status).toMatch(/^✗ Fine-tuning API: .*could not reach .*ECONNREFUSED/);
    expect(api.fix).toContain('AZURE_OPENAI_ENDPOINT');
  });

  it('reports a Redis URL with nothing listening, and skips the eviction check', async () => {
    const port = await closedPort();
    const { code, lines } = await doctor({ ...goodEnv(), REDIS_URL: `redis://127.0.0.1:${port}` });

    expect(code).toBe(1);
    const redis = lineOf(lines, 'Redis');
    expect(redis.status).toBe(
      `✗ Redis: redis://127.0.0.1:${port} did not answer PING: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(redis.fix).toContain('REDIS_URL');
    expect(lineOf(lines, 'Redis eviction policy').status).toMatch(/^– /);
  });

  it('reports an approver user group that does not exist', async () => {
    const { code, lines } = await doctor({ ...goodEnv(), FT_APPROVER_IDS: 'U0APPROVE,S0NOSUCH' });

    expect(code).toBe(1);
    const approvers = lineOf(lines, 'Approvers');
    expect(approvers.status).toBe(
      '✗ Approvers: user group S0NOSUCH: usergroups.users.list answered no_such_subteam',
    );
    expect(approvers.fix).toContain('S… ID');
  });

  it('tells a workspace without user groups to list user IDs instead', async () => {
    slack.setUsergroup('S0PAIDONLY', { error: 'plan_upgrade_required' });
    const { code, lines } = await doctor({ ...goodEnv(), FT_APPROVER_IDS: 'S0PAIDONLY' });

    expect(code).toBe(1);
    const approvers = lineOf(lines, 'Approvers');
    expect(approvers.status).toContain('plan_upgrade_required');
    expect(approvers.fix).toContain('list the approvers’ user IDs (U…) in FT_APPROVER_IDS instead');
  });

  it('reports an approver user ID that does not exist', async () => {
    const { code, lines } = await doctor({ ...goodEnv(), FT_APPROVER_IDS: 'U0NOBODY' });

    expect(code).toBe(1);
    expect(lineOf(lines, 'Approvers').status).toBe(
      '✗ Approvers: user U0NOBODY: users.info answered user_not_found',
    );
  });

  it('exits 2 on an environment that does not parse, listing the problems and checking nothing else', async () => {
    const env = goodEnv();
    delete env.SLACK_BOT_TOKEN;
    const { code, lines } = await doctor({ ...env, FT_POLL_INTERVAL_SECONDS: 'soon' });

    expect(code).toBe(2);
    expect(lines).toContain('✗ Configuration: 2 problems');
    expect(lines).toContain('    - SLACK_BOT_TOKEN: required, a bot token starting with xoxb-');
    expect(lines.some((l) => l.startsWith('    - FT_POLL_INTERVAL_SECONDS:'))).toBe(true);
    expect(checkLines(lines)).toHaveLength(1);
    expect(slack.calls).toHaveLength(0);
    expect(ft.requests).toHaveLength(0);
  });
});

describe('npm run doctor on a Redis that refuses CONFIG (as managed services do)', () => {
  const user = `ftops-doctor-${randomUUID()}`;
  const password = `canary-redis-${randomUUID()}`;
  let admin: Redis;

  beforeAll(async () => {
    admin = new Redis(REDIS_URL);
    await admin.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all', '-config');
  });
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', user);
    await admin.quit();
  });

  it('warns that the eviction policy could not be verified, passes, and hides the password', async () => {
    const { code, lines, text } = await doctor({
      ...goodEnv(),
      REDIS_URL: `redis://${user}:${password}@127.0.0.1:6379`,
    });

    expect(code).toBe(0);
    expect(lineOf(lines, 'Redis').status).toBe(`✓ Redis: ${REDIS_URL} answers PING (PONG)`);
    const policy = lineOf(lines, 'Redis eviction policy');
    expect(policy.status).toMatch(/^⚠ Redis eviction policy: could not be verified/);
    expect(policy.fix).toContain('noeviction');
    expect(text).not.toContain(password);
  });
});

describe('doctor with an FT_CONFIG file', () => {
  it('checks the file and every resource in it, each on its own line', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'ftops-doctor-'));
    const path = join(dir, 'ftops.yaml');
    writeFileSync(
      path,
      `defaults:
  approval: { approvers: [U0APPROVE] }
resources:
  azure-good:
    kind: azure
    endpoint: ${ft.url}
    auth: { api_key_env: AZURE_KEY_GOOD }
  platform-wrong-key:
    kind: openai
    base_url: ${ft.openaiBaseUrl}
    auth: { api_key_env: PLATFORM_KEY }
access:
  channels:
    C0TEAM: { allow: { resources: [azure-good], verbs: all } }
`,
    );
    try {
      const env = {
        ...goodEnv(),
        FT_CONFIG: path,
        AZURE_KEY_GOOD: AZURE_KEY,
        PLATFORM_KEY: OPENAI_KEY.replace('sk-', 'sk-wrong-'),
      };
      const { code, lines, text } = await doctor(env);
      expect(code).toBe(1);
      expect(lineOf(lines, 'Configuration').status).toMatch(
        /names 2 resources \(azure-good: Azure OpenAI \(api-key\), platform-wrong-key: OpenAI platform\) and rules for 1 channel/,
      );
      expect(lineOf(lines, 'Fine-tuning API (azure-good)').status).toMatch(/^✓/);
      const wrong = lineOf(lines, 'Fine-tuning API (platform-wrong-key)');
      expect(wrong.status).toMatch(/^✗/);
      expect(wrong.fix).toMatch(/refused/);
      expect(text).not.toContain(env.PLATFORM_KEY);

      // A file with a problem is reported like a bad environment: every problem, its line.
      writeFileSync(
        path,
        'resources:\n  x:\n    kind: azure\n    endpoint: nowhere\n    auth: { api_key_env: NOPE }\n',
      );
      const bad = await doctor({ ...goodEnv(), FT_CONFIG: path });
      expect(bad.code).toBe(2);
      expect(bad.text).toMatch(
        /ftops\.yaml line 4 \(resources\.x\.endpoint\): expected the resource endpoint/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, visibleText } from '../../src/emulators/slack/inspect.ts';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.ts';

const TRAINING = 'C0TRAINING';
const VISION = 'C0TEAMVISION';
const NLP = 'C0TEAMNLP';
const RILEY = 'U0REQUEST';

/**
 * The sandbox with its two resources, azure-eastus and openai-platform, each its own emulator,
 * and the team channels' rules of its FT_CONFIG file, tried through the page's own API as the
 * browser would use it: signed commands into the real bot, answers read from the Slack emulator.
 */
describe('the sandbox with two resources and channel rules', () => {
  let sandbox: Sandbox;
  let configFile = '';

  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      namespace: `test-${randomUUID()}`,
      logLevel: 'silent',
    });
    configFile = sandbox.configFile;
  });
  afterAll(async () => {
    await sandbox?.stop();
    // The file was for that run only.
    expect(existsSync(configFile)).toBe(false);
  });

  const api = (path: string) => `${sandbox.url}sandbox/api/${path}`;
  const post = (path: string, body: unknown) =>
    fetch(api(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** What `send` (a command or a click, as the page sends them) makes the bot answer. */
  async function answerTo(send: () => Promise<Response>, what: string) {
    const answered = new Promise<{ body: { text?: unknown; blocks?: unknown } }>(
      (resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${what}`)), 10_000);
        sandbox.slack.events.once('response', (entry) => {
          clearTimeout(timer);
          resolve(entry);
        });
      },
    );
    const sent = await send();
    expect(sent.status).toBe(200);
    const { body } = await answered;
    return { text: visibleText(body), body };
  }

  /** `/ft <text>` from riley in `channel`; the bot's answer. */
  const ask = (channel: string, text: string) =>
    answerTo(() => post('command', { user: RILEY, channel, text: `/ft ${text}` }), text);

  it('starts the bot on an FT_CONFIG file naming both emulators, both ready', async () => {
    const file = readFileSync(configFile, 'utf8');
    expect(file).toContain(`endpoint: ${sandbox.ft.url}`);
    expect(file).toContain(`base_url: ${sandbox.platform.openaiBaseUrl}`);
    // The keys are named, never written; the bot has them from the variables.
    expect(file).toContain('api_key_env: SANDBOX_AZURE_EASTUS_KEY');
    const ready = (await (await fetch(`${sandbox.ftops.url}/readyz`)).json()) as {
      ok: boolean;
      checks: Record<string, { ok: boolean }>;
    };
    expect(ready.ok).toBe(true);
    expect(ready.checks['resource:azure-eastus']).toEqual({ ok: true });
    expect(ready.checks['resource:openai-platform']).toEqual({ ok: true });
    // Each resource's jobs are its own; one ID is on both.
    expect(sandbox.platformJobIds).toContain(sandbox.sharedJobId);
    expect(sandbox.jobIds).toContain(sandbox.sharedJobId);
    const onBoth = sandbox.platformJobIds.filter((id) => sandbox.jobIds.includes(id));
    expect(onBoth).toEqual([sandbox.sharedJobId]);
  });

  it('/ft list in #team-nlp shows only openai-platform’s jobs; #ml-training shows both', async () => {
    const nlp = await ask(NLP, 'list');
    for (const id of sandbox.platformJobIds) expect(nlp.text).toContain(`openai-platform:${id}`);
    expect(nlp.text).not.toContain('azure-eastus');
    const azureOnly = sandbox.jobIds.filter((id) => id !== sandbox.sharedJobId);
    for (const id of azureOnly) expect(nlp.text).not.toContain(id);

    const training = await ask(TRAINING, 'list 20');
    expect(training.text).toContain(`azure-eastus:${sandbox.jobIds[2]}`);
    expect(training.text).toContain(`openai-platform:${sandbox.platformJobIds[1]}`);
  });

  it('refuses a pause in #team-nlp on an azure-eastus job, naming the rule, and changes nothing', async () => {
    const contractReview = sandbox.jobIds[2] as string;
    for (const ref of [`azure-eastus:${contractReview}`, contractReview]) {
      const { text } = await ask(NLP, `pause ${ref} need the GPUs`);
      expect(text).toContain('`pause` is not allowed here except on `openai-platform`');
      expect(text).toContain('ftops.yaml → access.channels.C0TEAMNLP');
    }
    expect(sandbox.ft.getJob(contractReview)?.status).toBe('running');
    expect(sandbox.ft.requests.some((r) => r.path.endsWith(`${contractReview}/pause`))).toBe(false);
  });

  it('#team-vision may pause on azure-eastus (through the gate) but only read openai-platform', async () => {
    const nerTagger = sandbox.platformJobIds[1] as string;
    const refused = await ask(VISION, `pause openai-platform:${nerTagger}`);
    expect(refused.text).toContain('`pause` is not allowed here except on `azure-eastus`');
    expect(refused.text).toContain('access.channels.C0TEAMVISION');
    expect(sandbox.platform.getJob(nerTagger)?.status).toBe('running');
    const status = await ask(VISION, `status ${nerTagger}`);
    expect(status.text).toContain(`openai-platform:${nerTagger}`);

    const supportBot = sandbox.jobIds[0] as string;
    const gated = await ask(VISION, `pause ${supportBot} budget`);
    expect(gated.text).toMatch(/waiting for approval/i);
    expect(gated.text).toContain(`azure-eastus:${supportBot}`);
  });

  it('asks which resource for the ID both have, and answers for the one picked', async () => {
    const { text, body } = await ask(TRAINING, `status ${sandbox.sharedJobId}`);
    expect(text).toContain('exists on 2 resources');
    const picks = buttonsOf(body.blocks);
    const resourceOf = (b: { value: string }) => (JSON.parse(b.value) as { r: string }).r;
    expect(picks.map(resourceOf)).toEqual(['azure-eastus', 'openai-platform']);
    // Click openai-platform on the message as the page shows it to riley.
    const shown = (sandbox.slack.messages.get(TRAINING) ?? []).findLast((m) =>
      m.text.includes('exists on 2 resources'),
    );
    const pick = picks.find((b) => resourceOf(b) === 'openai-platform');
    const picked = await answerTo(
      () =>
        post('click', {
          user: RILEY,
          channel: TRAINING,
          ts: shown?.ts ?? '',
          actionId: pick?.actionId ?? '',
          blockId: pick?.blockId ?? '',
          value: pick?.value ?? '',
        }),
      'the pick',
    );
    expect(picked.text).toContain(`openai-platform:${sandbox.sharedJobId}`);
    // doc-search is paused on azure-eastus, its namesake runs on the platform.
    expect(picked.text).toMatch(/running/i);
    expect(picked.text).not.toContain('azure-eastus');
  });

  it('gives the page both resources and every channel’s rule, as /ft policy says them', async () => {
    const state = (await (await fetch(api('state'))).json()) as {
      access: Sandbox['access'];
      directory: { channels: { id: string; name: string; topic: string }[] };
    };
    expect(state.access).toEqual(sandbox.access);
    expect(state.access.resources).toEqual([
      { name: 'azure-eastus', kind: 'azure', endpoint: sandbox.ft.azureBaseUrl },
      { name: 'openai-platform', kind: 'openai', endpoint: sandbox.platform.openaiBaseUrl },
    ]);
    const byLabel = Object.fromEntries(state.access.channels.map((c) => [c.label, c]));
    expect(byLabel['#ml-training']?.lines).toEqual([
      'azure-eastus: every command',
      'openai-platform: every command',
    ]);
    expect(byLabel['#team-nlp']).toEqual({
      channel: NLP,
      label: '#team-nlp',
      source: 'ftops.yaml → access.channels.C0TEAMNLP',
      lines: ['azure-eastus: status', 'openai-platform: every command'],
    });
    expect(byLabel['#team-vision']?.lines).toEqual([
      'azure-eastus: every command',
      'openai-platform: list, status, events, checkpoints, watch, unwatch, watching',
    ]);
    // The team channels are in the workspace the page shows.
    expect(state.directory.channels.map((c) => c.name)).toEqual(
      expect.arrayContaining(['team-vision', 'team-nlp']),
    );
    expect(state.directory.channels.find((c) => c.id === NLP)?.topic).toBe(
      'Everything on openai-platform; only status on azure-eastus',
    );

    // /ft policy in #team-nlp tells the same story.
    const policy = await ask(NLP, 'policy');
    expect(policy.text).toMatch(/`openai-platform`.*every command/s);
    expect(policy.text).toMatch(/`azure-eastus`.*`status`/s);
  });

  it('lists both resources’ jobs and API requests in the side panel, and changes either by hand', async () => {
    const panel = (await (await fetch(api('fine-tuning?since=0,0'))).json()) as {
      cursor: string;
      requests: { resource: string }[];
      jobs: { resource: string; key: string; id: string; status: string }[];
    };
    const shared = panel.jobs.filter((j) => j.id === sandbox.sharedJobId).map((j) => j.key);
    expect(shared).toEqual([
      `azure-eastus:${sandbox.sharedJobId}`,
      `openai-platform:${sandbox.sharedJobId}`,
    ]);
    expect(new Set(panel.requests.map((r) => r.resource))).toEqual(
      new Set(['azure-eastus', 'openai-platform']),
    );
    // The cursor counts each emulator's requests, in the order of FT_CONFIG.
    const [azureSeen, openaiSeen] = panel.cursor.split(',').map(Number);
    expect(panel.requests.filter((r) => r.resource === 'azure-eastus')).toHaveLength(
      azureSeen as number,
    );
    expect(panel.requests.filter((r) => r.resource === 'openai-platform')).toHaveLength(
      openaiSeen as number,
    );
    const later = (await (await fetch(api(`fine-tuning?since=${panel.cursor}`))).json()) as {
      requests: { n: number; resource: string }[];
    };
    for (const r of later.requests)
      expect(r.n).toBeGreaterThanOrEqual(
        (r.resource === 'azure-eastus' ? azureSeen : openaiSeen) as number,
      );

    const sentiment = sandbox.platformJobIds[2] as string;
    const res = await post('job-status', {
      resource: 'openai-platform',
      id: sentiment,
      status: 'failed',
    });
    expect(res.status).toBe(200);
    expect(sandbox.platform.getJob(sentiment)?.status).toBe('failed');
    // The same ID on the other resource is left alone.
    await post('job-status', {
      resource: 'openai-platform',
      id: sandbox.sharedJobId,
      status: 'succeeded',
    });
    expect(sandbox.platform.getJob(sandbox.sharedJobId)?.status).toBe('succeeded');
    expect(sandbox.ft.getJob(sandbox.sharedJobId)?.status).toBe('paused');
  });
});

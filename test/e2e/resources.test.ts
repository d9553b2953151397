import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FineTuningEmulator,
  startFineTuningEmulator,
} from '../../src/emulators/fine-tuning/index.ts';
import { buttonsOf } from '../../src/emulators/slack/inspect.ts';
import {
  PAUSE_JOB,
  PICK_RESOURCE,
  REASON_BLOCK,
  REASON_INPUT,
  REASON_MODAL,
} from '../../src/views/action-ids.ts';
import { APPROVER, type App, OUTSIDER, poll, REQUESTER, startApp, visibleText } from './harness.ts';

const GENERAL = 'C0GENERAL';
const VISION = 'C0VISION';
const PLATFORM = 'C0PLATFORM';
const ADMIN = 'U0ADMIN';

/**
 * Three resources behind one ftops, each its own emulator over HTTP: `vision` (Azure, with a
 * key and a gate), `platform` (OpenAI-style, ungated) and `stuck` (Azure, never answers).
 * Channels see different resources and verbs; nothing about one resource leaks into a
 * channel that cannot see it, and the resource that hangs holds up nobody else.
 */
describe('several resources, channel rules and approval policy per resource', () => {
  let app: App;
  let platform: FineTuningEmulator;
  let stuck: FineTuningEmulator;
  const dir = mkdtempSync(join(tmpdir(), 'ftops-resources-'));

  beforeAll(async () => {
    [platform, stuck] = await Promise.all([
      startFineTuningEmulator({ bearerTokens: ['platform-key'] }),
      startFineTuningEmulator({ apiKey: 'stuck-key' }),
    ]);
    stuck.setFaults({ rate: 1, kinds: ['timeout'] });
    platform.setFaults({ retryAfterMs: 0 });
    app = await startApp(
      { VISION_KEY: 'test-key', PLATFORM_KEY: 'platform-key', STUCK_KEY: 'stuck-key' },
      {
        apiTimeoutMs: 300,
        configFile: (ft) => {
          const path = join(dir, 'ftops.yaml');
          writeFileSync(
            path,
            `defaults:
  approval: { approvers: [${APPROVER}], gated_actions: [pause, cancel] }
resources:
  vision:
    kind: azure
    endpoint: ${ft.url}
    auth: { api_key_env: VISION_KEY }
  platform:
    kind: openai
    base_url: ${platform.openaiBaseUrl}
    auth: { api_key_env: PLATFORM_KEY }
    approval: { gated_actions: [] }
  stuck:
    kind: azure
    endpoint: ${stuck.url}
    auth: { api_key_env: STUCK_KEY }
access:
  admins: [${ADMIN}]
  default:
    allow: { resources: [vision], verbs: [list, status] }
  channels:
    ${GENERAL}:
      name: ml-general
      allow: { resources: all, verbs: [list, status, watch, unwatch, watching] }
    ${VISION}:
      name: team-vision
      allow:
        - { resources: [vision], verbs: all }
        - { resources: [platform], verbs: [status] }
    ${PLATFORM}:
      name: team-platform
      users: [${REQUESTER}, ${APPROVER}]
      allow: { resources: [platform], verbs: all }
`,
          );
          return path;
        },
      },
    );
    for (const [id, name] of [
      [GENERAL, 'ml-general'],
      [VISION, 'team-vision'],
      [PLATFORM, 'team-platform'],
    ] as const)
      app.slack.addChannel({ id, name, isMember: true });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([platform?.close(), stuck?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function ask(text: string, opts: { user?: string; channel: string }) {
    const sent = await app.command(text, opts);
    expect(sent.status).toBe(200);
    await app.answer(sent, 10_000);
    const body = app.answersTo(sent.responseUrl)[0]?.body ?? {};
    return { text: visibleText(body), body };
  }

  it('lists every resource the channel sees, newest first, and names the one that did not answer', async () => {
    app.ft.addJob({ id: 'ftjob-visionlist', status: 'running' });
    platform.addJob({ id: 'ftjob-platformlist', status: 'running' });
    const general = await ask('list', { channel: GENERAL });
    expect(general.text).toContain('vision:ftjob-visionlist');
    expect(general.text).toContain('platform:ftjob-platformlist');
    expect(general.text).toMatch(/`stuck` did not answer/);
    // #team-vision may list only on vision: the other resources' jobs and names stay out.
    const vision = await ask('list', { channel: VISION });
    expect(vision.text).toContain('vision:ftjob-visionlist');
    expect(vision.text).not.toContain('platform');
    expect(vision.text).not.toContain('stuck');
  });

  it('finds a bare ID on the one resource that has it, and asks which when two have it', async () => {
    platform.addJob({ id: 'ftjob-onlyplatform', status: 'running' });
    const one = await ask('status ftjob-onlyplatform', { channel: GENERAL });
    expect(one.text).toContain('platform:ftjob-onlyplatform');

    app.ft.addJob({ id: 'ftjob-twice', status: 'running' });
    platform.addJob({ id: 'ftjob-twice', status: 'paused' });
    const both = await ask('status ftjob-twice', { channel: GENERAL });
    expect(both.text).toContain('exists on 2 resources');
    const picks = buttonsOf(both.body.blocks);
    const resourceOf = (b: { value: string }) => (JSON.parse(b.value) as { r: string }).r;
    expect(picks.map(resourceOf)).toEqual(['vision', 'platform']);
    const pick = picks.find((b) => resourceOf(b) === 'platform');
    const sent = await app.click({
      actionId: pick?.actionId ?? '',
      value: pick?.value ?? '',
      channel: GENERAL,
    });
    expect(sent.status).toBe(200);
    const picked = await app.answer(sent);
    expect(picked).toContain('platform:ftjob-twice');
    expect(picked).toMatch(/paused/i);
    expect(pick?.actionId.startsWith(PICK_RESOURCE)).toBe(true);
  });

  it('refuses a resource the channel cannot see as not found here, without saying it exists', async () => {
    platform.addJob({ id: 'ftjob-hidden', status: 'running' });
    const exact = await ask('status platform:ftjob-hidden', { channel: 'C0ELSEWHERE' });
    const unknown = await ask('status nowhere:ftjob-hidden', { channel: 'C0ELSEWHERE' });
    expect(exact.text).toContain('was not found at');
    // Exactly the same answer as for a resource that does not exist at all.
    expect(exact.text.replaceAll('platform', 'X')).toBe(unknown.text.replaceAll('nowhere', 'X'));
    expect(exact.text).not.toContain(platform.url);
  });

  it('refuses a verb the rule does not allow, naming the rule and who can change it', async () => {
    app.ft.addJob({ id: 'ftjob-generalpause', status: 'running' });
    const before = app.ft.getJob('ftjob-generalpause')?.status;
    const { text } = await ask('pause vision:ftjob-generalpause', { channel: GENERAL });
    expect(text).toContain('`pause` is not allowed here');
    expect(text).toContain('ftops.yaml → access.channels.C0GENERAL');
    expect(text).toContain(`<@${ADMIN}>`);
    expect(app.ft.getJob('ftjob-generalpause')?.status).toBe(before);

    // #team-vision may read platform's jobs but not change them.
    platform.addJob({ id: 'ftjob-readonly', status: 'running' });
    const readOnly = await ask('pause platform:ftjob-readonly', { channel: VISION });
    expect(readOnly.text).toContain('`pause` is not allowed here except on `vision`');
    expect(platform.getJob('ftjob-readonly')?.status).toBe('running');
  });

  it('applies each resource’s approval policy: vision asks approvers, platform pauses at once', async () => {
    app.ft.addJob({ id: 'ftjob-gated', status: 'running' });
    const gated = await ask('pause vision:ftjob-gated because', { channel: VISION });
    expect(gated.text).toMatch(/approv/i);
    expect(app.ft.getJob('ftjob-gated')?.status).toBe('running');
    const request = app.messagesIn(VISION).find((m) => visibleText(m).includes('ftjob-gated'));
    expect(visibleText(request ?? {})).toContain('vision:ftjob-gated');

    platform.addJob({ id: 'ftjob-ungated', status: 'running' });
    const now = await ask('pause ftjob-ungated', { channel: PLATFORM, user: REQUESTER });
    expect(now.text).not.toMatch(/needs approval/i);
    expect(['pausing', 'paused']).toContain(platform.getJob('ftjob-ungated')?.status);
  });

  it('lets only the listed people use ftops in a channel that names them', async () => {
    platform.addJob({ id: 'ftjob-members', status: 'running' });
    const { text } = await ask('status ftjob-members', { channel: PLATFORM, user: OUTSIDER });
    expect(text).toContain('you are not among them');
    const policy = await ask('policy', { channel: PLATFORM, user: OUTSIDER });
    expect(policy.text).toContain('`platform`');
    expect(policy.text).not.toContain('`vision`');
  });

  it('/ft policy shows the channel’s rules and each resource’s approvals', async () => {
    const { text } = await ask('policy', { channel: VISION });
    expect(text).toContain('team-vision');
    expect(text).toMatch(/`vision`.*every command.*Approval: `pause`, `cancel` need 1 approval/s);
    expect(text).toMatch(/`platform`.*`status`.*no action needs approval/s);
    expect(text).not.toContain('`stuck`');
  });

  it('/ft whoami and /ft audit go by the approvers of each resource the channel sees', async () => {
    const approver = await ask('whoami', { channel: VISION, user: APPROVER });
    expect(approver.text).toContain('Approver on:* `vision`, `platform`');
    expect(approver.text).not.toContain('`stuck`');
    const member = await ask('whoami', { channel: VISION, user: REQUESTER });
    expect(member.text).toContain('none of this channel’s resources');
    expect((await ask('audit', { channel: VISION, user: REQUESTER })).text).toContain(
      'shown to approvers only',
    );
    expect((await ask('audit', { channel: VISION, user: APPROVER })).text).not.toContain(
      'approvers only',
    );
  });

  it('reloads the channel rules and approval policies; a bad or resource-changing file is refused', async () => {
    const path = join(dir, 'ftops.yaml');
    const original = readFileSync(path, 'utf8');
    try {
      platform.addJob({ id: 'ftjob-reloaded', status: 'running' });
      expect((await ask('status ftjob-reloaded', { channel: VISION })).text).toContain(
        'platform:ftjob-reloaded',
      );
      // #team-vision loses platform; platform's pauses become gated.
      writeFileSync(
        path,
        original
          .replace('        - { resources: [platform], verbs: [status] }\n', '')
          .replace('approval: { gated_actions: [] }', 'approval: { gated_actions: [pause] }'),
      );
      const applied = await app.reload();
      expect(applied).toEqual({
        ok: true,
        changed: ['channel rules', 'approval policy of platform'],
      });
      expect((await ask('status platform:ftjob-reloaded', { channel: VISION })).text).toContain(
        'was not found at',
      );
      const gated = await ask('pause ftjob-reloaded', { channel: PLATFORM, user: REQUESTER });
      expect(gated.text).toMatch(/approv/i);
      expect(platform.getJob('ftjob-reloaded')?.status).toBe('running');

      // A broken file: every problem listed, and the rules in force stay.
      writeFileSync(path, original.replace('verbs: [status]', 'verbs: [stauts]'));
      const broken = await app.reload();
      expect(broken.ok).toBe(false);
      expect(broken.ok ? [] : broken.problems).toEqual([
        expect.stringMatching(
          /ftops\.yaml line \d+ \(access\.channels\.C0VISION\.allow\.1\.verbs\.0\): expected a verb/,
        ),
      ]);
      // A new resource needs new clients and a sweep: refused, with why.
      writeFileSync(
        path,
        original.replace(
          'access:',
          `  extra:\n    kind: openai\n    base_url: ${platform.openaiBaseUrl}/x\n    auth: { api_key_env: PLATFORM_KEY }\naccess:`,
        ),
      );
      expect(await app.reload()).toEqual({
        ok: false,
        problems: ['resource extra was added: restart ftops to apply that'],
      });
      expect((await ask('status platform:ftjob-reloaded', { channel: VISION })).text).toContain(
        'was not found at',
      );
    } finally {
      writeFileSync(path, original);
      await app.reload();
    }
  });

  it('asks the rules again when a Pause modal is submitted: a reload while it was open refuses it', async () => {
    const path = join(dir, 'ftops.yaml');
    const original = readFileSync(path, 'utf8');
    try {
      app.ft.addJob({ id: 'ftjob-modal', status: 'running' });
      const card = await ask('status vision:ftjob-modal', { channel: VISION });
      const pause = buttonsOf(card.body.blocks).find((b) => b.actionId === PAUSE_JOB);
      expect(pause?.value).toBe('vision:ftjob-modal');
      const opened = app.slack.callsTo('views.open').length;
      await app.click({ actionId: PAUSE_JOB, value: pause?.value ?? '', channel: VISION });
      await expect.poll(() => app.slack.callsTo('views.open').length).toBe(opened + 1);
      const view = app.slack.callsTo('views.open').at(-1)?.args.view as {
        callback_id: string;
        private_metadata: string;
      };
      expect(view.callback_id).toBe(REASON_MODAL);

      // While the modal is open, #team-vision loses pause on vision.
      writeFileSync(
        path,
        original.replace(
          '        - { resources: [vision], verbs: all }\n',
          '        - { resources: [vision], verbs: [list, status] }\n',
        ),
      );
      expect((await app.reload()).ok).toBe(true);
      const requests = () =>
        app.messagesIn(VISION).filter((m) => !m.ephemeral && visibleText(m).includes('ftjob-modal'))
          .length;
      const before = requests();
      await app.submitView({
        callbackId: REASON_MODAL,
        privateMetadata: view.private_metadata,
        values: { [REASON_BLOCK]: { [REASON_INPUT]: { type: 'plain_text_input', value: 'why' } } },
      });
      const refusal = await poll(() =>
        app
          .messagesIn(VISION)
          .find((m) => m.ephemeral && /pause/.test(m.text) && /team-vision/.test(visibleText(m))),
      );
      expect(visibleText(refusal)).toContain(`<@${ADMIN}>`);
      expect(requests()).toBe(before);
      expect(app.ft.getJob('ftjob-modal')?.status).toBe('running');
    } finally {
      writeFileSync(path, original);
      await app.reload();
    }
  });

  it('sweeps each resource on its own: a hanging one delays no other resource’s announcement', async () => {
    const job = app.ft.addJob({ id: 'ftjob-announce', status: 'running' });
    // A job on stuck is watched while stuck still answers; then stuck stops answering.
    stuck.setFaults(null);
    stuck.addJob({ id: 'ftjob-onstuck', status: 'running' });
    expect((await ask('watch stuck:ftjob-onstuck', { channel: GENERAL })).text).toContain(
      'stuck:ftjob-onstuck',
    );
    stuck.setFaults({ rate: 1, kinds: ['timeout'] });
    await ask('watch all', { channel: GENERAL });
    await ask(`watch vision:${job.id}`, { channel: GENERAL });
    const poller = app.ftops.poller;
    if (!poller) throw new Error('no poller');
    expect([...poller.sweepers.keys()]).toEqual(['vision', 'platform', 'stuck']);
    const stuckSweep = poller.sweepers.get('stuck')?.sweep();
    app.ft.setStatus(job.id, 'succeeded');
    const report = await poller.sweepers.get('vision')?.sweep();
    expect(report?.transitions).toBe(1);
    // vision's sweep did not wait for stuck's, which is still waiting on its timeouts.
    let stuckDone = false;
    void stuckSweep?.then(() => {
      stuckDone = true;
    });
    expect(stuckDone).toBe(false);
    await expect
      .poll(
        () =>
          app
            .messagesIn(GENERAL)
            .map((m) => visibleText(m))
            .join('\n'),
        { timeout: 10_000 },
      )
      .toContain('vision:ftjob-announce');
    await stuckSweep;
    // #ml-general is told once that stuck is not answering, however many sweeps find it so.
    const notices = () =>
      app
        .messagesIn(GENERAL)
        .map((m) => visibleText(m))
        .filter((t) => t.includes('fine-tuning resource `stuck`'));
    expect(notices()).toEqual([expect.stringContaining('`stuck` is not answering')]);
    await poller.sweepers.get('stuck')?.sweep();
    expect(notices()).toHaveLength(1);
    // The resource that hangs shows in readiness detail, and the process stays ready for the rest.
    const ready = (await (await fetch(`${app.ftops.url}/readyz`)).json()) as {
      ok: boolean;
      checks: Record<string, { ok: boolean; detail?: string }>;
    };
    expect(ready.ok).toBe(true);
    expect(ready.checks['resource:vision']).toEqual({ ok: true });
    expect(ready.checks['resource:stuck']?.ok).toBe(false);
    expect(ready.checks['resource:stuck']?.detail).toMatch(/did not answer/);
    stuck.setFaults(null);
    await poller.sweepers.get('stuck')?.sweep();
    expect(notices()).toEqual([
      expect.stringContaining('`stuck` is not answering'),
      expect.stringContaining('`stuck` answers again; changes to 1 watched job'),
    ]);
    // #team-vision watches nothing; and a watch-all channel that cannot see a resource hears nothing of it.
    expect(
      app
        .messagesIn(VISION)
        .map((m) => visibleText(m))
        .join('\n'),
    ).not.toContain('ftjob-announce');
  });
});

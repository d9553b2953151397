import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/bot/config/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ftops-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BOT = 'xoxb-1-2-abc';
const SIGNING = 'signing-secret-value';
const base = { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGNING };

let n = 0;
function file(text: string, ext = 'yaml'): string {
  const path = join(dir, `ftops-${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const example = readFileSync(new URL('../../docs/ftops.example.yaml', import.meta.url), 'utf8');
const exampleEnv = {
  ...base,
  AZURE_VISION_EASTUS_KEY: 'vision-key-1234',
  OPENAI_API_KEY: 'sk-platform-key',
  OPENAI_WEBHOOK_SECRET: 'whsec_c2VjcmV0',
};

describe('FT_CONFIG', () => {
  it('loads the documented example: every resource, its auth, its approval rules, the channels', () => {
    const secretFile = join(dir, 'sandbox-key');
    writeFileSync(secretFile, 'sandbox-key-from-file\n');
    const text = example.replace('/run/secrets/sandbox-key', secretFile);
    const config = loadConfig({ ...exampleEnv, FT_CONFIG: file(text) });

    expect(config.resources.map((r) => r.name)).toEqual([
      'vision-eastus',
      'prod-swedencentral',
      'sandbox-eastus',
      'platform',
    ]);
    const [vision, prod, sandbox, platform] = config.resources;
    expect(vision).toMatchObject({
      kind: 'azure',
      baseUrl: 'https://vision-eastus.openai.azure.com/openai/v1',
      auth: { type: 'api-key', key: 'vision-key-1234' },
      pollIntervalSeconds: 30,
      jobUrl: 'https://ai.azure.com/resource/jobs/{job}',
      pricePerMillionTokens: { 'gpt-4o-mini': 3, 'gpt-4.1': 25 },
      approval: { approvers: { users: [], groups: ['S0MLPLATFORM'] }, approvalsRequired: 1 },
    });
    expect(prod?.pricePerMillionTokens).toBeUndefined();
    // A Foundry project endpoint gets the ai.azure.com scope without being told.
    expect(prod).toMatchObject({
      baseUrl: 'https://ml-prod.services.ai.azure.com/api/projects/finetune/openai/v1',
      auth: { type: 'entra', scope: 'https://ai.azure.com/.default' },
      pollIntervalSeconds: 60,
      approval: {
        approvers: { users: [], groups: ['S0MLLEADS'] },
        approvalsRequired: 2,
        channel: 'C0APPROVALS',
        gatedActions: ['pause', 'cancel'],
      },
    });
    expect(sandbox).toMatchObject({
      auth: { type: 'api-key', key: 'sandbox-key-from-file' },
      approval: { gatedActions: [] },
    });
    expect(platform).toMatchObject({
      kind: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      auth: { type: 'bearer', token: 'sk-platform-key' },
      headers: { 'openai-organization': 'org-ML', 'openai-project': 'proj_finetune' },
      webhookSecret: 'whsec_c2VjcmV0',
      jobUrl: 'https://platform.openai.com/finetune/{job}',
    });
    expect(config.access.users).toEqual({ users: [], groups: ['S0MLTEAM'] });
    expect(config.access.admins).toEqual({ users: ['U0PLATFORMLEAD'], groups: [] });
    expect(config.access.channels.C0TEAMVISION).toMatchObject({
      name: '#team-vision',
      allow: [
        { resources: ['vision-eastus', 'sandbox-eastus'], verbs: 'all' },
        {
          resources: ['prod-swedencentral'],
          verbs: ['list', 'status', 'watch', 'unwatch', 'watching'],
        },
      ],
    });
    expect(config.access.channels.C0TEAMVISION?.source).toMatch(
      /→ access\.channels\.C0TEAMVISION$/,
    );
    expect(config.fileSecrets).toContain('sandbox-key-from-file');
    // The single-resource tools see the first resource.
    expect(config.fineTuning.baseUrl).toBe(vision?.baseUrl);
  });

  it('reads JSON as well', () => {
    const path = file(
      JSON.stringify({
        resources: {
          lab: {
            kind: 'openai',
            base_url: 'http://127.0.0.1:4010/v1',
            auth: { api_key_env: 'LAB_KEY' },
          },
        },
        defaults: { approval: { gated_actions: [] } },
      }),
      'json',
    );
    const config = loadConfig({ ...base, LAB_KEY: 'lab', FT_CONFIG: path });
    expect(config.resources).toHaveLength(1);
    expect(config.resources[0]).toMatchObject({ name: 'lab', baseUrl: 'http://127.0.0.1:4010/v1' });
    // No access section: every channel may do everything, as without a file.
    expect(config.access.default.allow).toEqual([{ resources: 'all', verbs: 'all' }]);
  });

  it('lists every problem at once, each with its line and path in the file', () => {
    const path = file(`resources:
  vision:
    kind: azure
    endpoint: https://vision.openai.azure.com
    auth: { api_key_env: UNSET_VISION_KEY }
  vision-copy:
    kind: azure
    endpoint: https://vision.openai.azure.com/openai/v1
    auth: { entra: {} }
    approval: { approvers: [], gated_actions: [pause] }
  two-of-one:
    kind: openai
    auth: { api_key_env: PLATFORM_KEY }
    approval: { approvers: [U0ONLY], approvals_required: 2 }
access:
  channels:
    C0VISION:
      allow:
        resources: [vision, nowhere]
        verbs: [list, delete]
    general:
      allow: { resources: all, verbs: all }
  colour: blue
`);
    const problems = problemsOf({ ...base, PLATFORM_KEY: 'sk-1', FT_CONFIG: path });
    const name = path.split('/').pop();
    expect(problems).toEqual(
      expect.arrayContaining([
        `${name} line 20 (access.channels.C0VISION.allow.verbs.1): expected a verb (help, list, status, events, checkpoints, chart, pause, resume, cancel, watch, unwatch, watching, approvals, audit, whoami, policy), got "delete"`,
        expect.stringMatching(
          /line 21 \(access\.channels\.general\): expected a channel ID such as C0123ABCD \(not a #name\), got "general"/,
        ),
        expect.stringMatching(/\(access\): unknown key "colour"/),
      ]),
    );
    // Shape problems first; once the shape is right, the rules are checked against each other.
    const fixed = readFileSync(path, 'utf8')
      .replace('verbs: [list, delete]', 'verbs: [list]')
      .replace(/ {4}general:\n.*\n/, '')
      .replace('  colour: blue\n', '');
    const rules = problemsOf({ ...base, PLATFORM_KEY: 'sk-1', FT_CONFIG: file(fixed) });
    expect(rules).toEqual([
      // No approval section, and the defaults name no approver: the gate could never open.
      expect.stringMatching(
        /line 3 \(resources\.vision\.approval\): pause and cancel are gated but no approver is listed/,
      ),
      expect.stringMatching(
        /line 5 \(resources\.vision\.auth\.api_key_env\): the variable UNSET_VISION_KEY is not set$/,
      ),
      expect.stringMatching(
        /line 8 \(resources\.vision-copy\.endpoint\): the same endpoint as resource vision/,
      ),
      expect.stringMatching(
        /line 10 \(resources\.vision-copy\.approval\): pause is gated but no approver is listed/,
      ),
      expect.stringMatching(
        /line 14 \(resources\.two-of-one\.approval\): approvals_required is 2 but only 1 approver is listed, so pause and cancel could never be approved/,
      ),
      expect.stringMatching(
        /line 19 \(access\.channels\.C0VISION\.allow\.resources\.1\): no resource is named "nowhere" \(known: vision, vision-copy, two-of-one\)/,
      ),
    ]);
  });

  it('refuses a webhook secret that is not whsec_ and base64, at its line, without showing it', () => {
    const path = file(`resources:
  platform:
    kind: openai
    auth: { api_key_env: PLATFORM_KEY }
    webhook_secret_env: PLATFORM_WHSEC
    approval: { gated_actions: [] }
`);
    const env = { ...base, PLATFORM_KEY: 'sk-1', FT_CONFIG: path };
    const problems = problemsOf({ ...env, PLATFORM_WHSEC: 'sk-pasted-the-api-key' });
    expect(problems).toEqual([
      expect.stringMatching(
        /line 5 \(resources\.platform\.webhook_secret_env\): expected whsec_ followed by base64/,
      ),
    ]);
    expect(problems.join('\n')).not.toContain('sk-pasted');
    const config = loadConfig({ ...env, PLATFORM_WHSEC: 'whsec_c2VjcmV0' });
    expect(config.resources[0]?.webhookSecret).toBe('whsec_c2VjcmV0');
  });

  it('takes a price per million training tokens, one or by model, and refuses one that is not a price', () => {
    const resource = (price: string) =>
      file(`resources:
  platform:
    kind: openai
    auth: { api_key_env: PLATFORM_KEY }
    price_per_million_tokens: ${price}
    approval: { gated_actions: [] }
`);
    const env = { ...base, PLATFORM_KEY: 'sk-1' };
    const one = loadConfig({ ...env, FT_CONFIG: resource('3.5') });
    expect(one.resources[0]?.pricePerMillionTokens).toBe(3.5);
    // FT_PRICE_PER_MILLION_TOKENS is the price of a resource that names none.
    const unpriced = file(`resources:
  platform:
    kind: openai
    auth: { api_key_env: PLATFORM_KEY }
    approval: { gated_actions: [] }
`);
    const fallback = { ...env, FT_PRICE_PER_MILLION_TOKENS: '2', FT_CONFIG: unpriced };
    expect(loadConfig(fallback).resources[0]?.pricePerMillionTokens).toBe(2);
    expect(
      loadConfig({ ...fallback, FT_CONFIG: resource('3.5') }).resources[0]?.pricePerMillionTokens,
    ).toBe(3.5);
    const byModel = loadConfig({ ...env, FT_CONFIG: resource('{ gpt-4o-mini: 3, "*": 10 }') });
    expect(byModel.resources[0]?.pricePerMillionTokens).toEqual({ 'gpt-4o-mini': 3, '*': 10 });
    for (const bad of ['-1', '0', 'cheap', '{ gpt-4o: free }']) {
      expect(problemsOf({ ...env, FT_CONFIG: resource(bad) })).toEqual([
        expect.stringMatching(
          /line 5 \(resources\.platform\.price_per_million_tokens.*\): expected/,
        ),
      ]);
    }
  });

  it('points at the line and column of a YAML syntax error', () => {
    const problems = problemsOf({ ...base, FT_CONFIG: file('resources:\n  a: [unclosed\n') });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ftops-\d+\.yaml line \d+, column \d+: /);
  });

  it('says when the file is missing, without a stack trace', () => {
    expect(problemsOf({ ...base, FT_CONFIG: join(dir, 'absent.yaml') })).toEqual([
      `FT_CONFIG: cannot read ${JSON.stringify(join(dir, 'absent.yaml'))} (no such file)`,
    ]);
  });

  it('never echoes a secret, even one pasted where a variable name belongs', () => {
    const path = file(`resources:
  lab:
    kind: openai
    auth: { api_key_env: "sk-live-abcdef123456" }
`);
    const text = problemsOf({ ...base, FT_CONFIG: path }).join('\n');
    expect(text).toMatch(/resources\.lab\.auth/);
    expect(text).not.toContain('sk-live-abcdef123456');
  });

  it('refuses a name JavaScript objects treat as special, where it is written', () => {
    const path = file(
      '{"resources": {"__proto__": {"kind": "openai", "auth": {"api_key_env": "K"}}}}',
      'json',
    );
    expect(problemsOf({ ...base, K: 'sk-x', FT_CONFIG: path })).toEqual([
      expect.stringMatching(/line 1: "__proto__" cannot be used as a name or key/),
    ]);
  });

  it('accepts exactly the resource names that are safe in keys and messages', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 45 }), (name) => {
        const path = file(
          JSON.stringify({
            resources: { [name]: { kind: 'openai', auth: { api_key_env: 'K' } } },
            defaults: { approval: { gated_actions: [] } },
          }),
          'json',
        );
        // `constructor` and `prototype` match the pattern but are refused (939dbac).
        const valid =
          /^[a-z0-9][a-z0-9-]{0,39}$/.test(name) && !['constructor', 'prototype'].includes(name);
        try {
          const config = loadConfig({ ...base, K: 'sk-x', FT_CONFIG: path });
          return valid && config.resources[0]?.name === name;
        } catch (err) {
          return (
            !valid &&
            err instanceof ConfigError &&
            err.problems.some(
              (p) => p.includes('resource name') || p.includes('cannot be used as a name'),
            )
          );
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("the README's account of FT_CONFIG", () => {
  it('shows the example file as it is in docs/, so the documented file is the tested one', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('```yaml\n', readme.indexOf('## Several resources and teams'));
    const shown = readme.slice(start + '```yaml\n'.length, readme.indexOf('```\n', start + 8));
    expect(shown).toBe(example);
  });
});

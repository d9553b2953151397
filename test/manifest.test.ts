import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MUTATING_VERBS, VERBS } from '../src/vocabulary/index.ts';

const root = new URL('../', import.meta.url);
const fixtures = new URL('fixtures/slack-manifest/', import.meta.url);
const readJson = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));

// The entry schema $refs these remote URLs; local copies are registered under them, so
// validation never touches the network.
const REMOTE = 'https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/';

function manifestValidator() {
  // Slack's schemas are loose about `type` next to `properties`; that is not what we test.
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  // ajv-formats is CommonJS; under NodeNext its function sits on `.default`.
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: '_note' });
  // Slack writes `regex` where JSON Schema says `pattern` (display_information.background_color);
  // enforce it, so a bad colour fails here rather than in Slack's UI.
  ajv.addKeyword({
    keyword: 'regex',
    type: 'string',
    schemaType: 'string',
    validate: (pattern: string, data: string) => new RegExp(pattern).test(data),
  });
  ajv.addSchema(readJson('manifest.schema.1.0.0.json'), `${REMOTE}manifest.schema.1.0.0.json`);
  ajv.addSchema(readJson('manifest.schema.2.0.0.json'), `${REMOTE}manifest.schema.2.0.0.json`);
  return ajv.compile(readJson('manifest.schema.json'));
}

interface Manifest {
  _metadata: { major_version: number };
  display_information: { name: string; description: string; background_color: string };
  features: {
    bot_user: { display_name: string; always_online: boolean };
    slash_commands: Array<{
      command: string;
      url: string;
      description: string;
      usage_hint: string;
    }>;
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
    org_deploy_enabled: boolean;
    token_rotation_enabled: boolean;
    event_subscriptions?: unknown;
  };
}

const text = readFileSync(new URL('manifest.yml', root), 'utf8');
const manifest = parse(text) as Manifest;
const validate = manifestValidator();

describe('manifest.yml', () => {
  it("validates against Slack's manifest schema", () => {
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check has teeth: a broken manifest is refused', () => {
    const broken = structuredClone(manifest);
    broken.display_information.background_color = 'navy';
    (broken.features.slash_commands[0] as Record<string, unknown>).command = 'ft';
    (broken.settings as Record<string, unknown>).socket_mode = true;
    expect(validate(broken)).toBe(false);
    const where = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n');
    expect(where).toContain('/display_information/background_color');
    expect(where).toContain('/features/slash_commands/0/command');
    expect(where).toContain('additional properties');
  });

  it('names the app and its bot ftops', () => {
    expect(manifest.display_information.name).toBe('ftops');
    expect(manifest.display_information.description.length).toBeGreaterThan(20);
    expect(manifest.features.bot_user).toEqual({ display_name: 'ftops', always_online: true });
  });

  it('declares exactly one slash command, /ft, whose usage hint lists every verb', () => {
    const commands = manifest.features.slash_commands;
    expect(commands.map((c) => c.command)).toEqual(['/ft']);
    const hint = commands[0]?.usage_hint ?? '';
    const words = new Set(hint.split(/[^a-z-]+/));
    const missing = VERBS.filter((verb) => !words.has(verb));
    expect(missing).toEqual([]);
    expect(hint).toContain('--dry-run');
    expect(MUTATING_VERBS.every((verb) => words.has(verb))).toBe(true);
  });

  it('asks for exactly the six bot scopes ftops uses, and no user scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        'chat:write',
        'chat:write.public',
        'commands',
        'files:write',
        'usergroups:read',
        'users:read',
      ].sort(),
    );
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('sends slash commands and interactivity to the same /slack/events placeholder (HTTP mode)', () => {
    const placeholder = 'https://YOUR-HOST/slack/events';
    expect(manifest.features.slash_commands[0]?.url).toBe(placeholder);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: placeholder });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.org_deploy_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
    expect(manifest.settings.event_subscriptions).toBeUndefined();
  });

  it('explains in comments how to fill the URLs and where the Socket Mode manifest is', () => {
    expect(text).toMatch(/#.*YOUR-HOST/);
    expect(text).toMatch(/#.*manifest\.socket-mode\.yml/);
  });
});

const socketText = readFileSync(new URL('manifest.socket-mode.yml', root), 'utf8');
const socketManifest = parse(socketText) as Manifest;

describe('manifest.socket-mode.yml', () => {
  it("validates against Slack's manifest schema", () => {
    const ok = validate(socketManifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is manifest.yml with Socket Mode on and no request URLs, nothing else', () => {
    const expected = structuredClone(manifest) as unknown as {
      features: { slash_commands: Array<Record<string, unknown>> };
      settings: { interactivity: Record<string, unknown>; socket_mode_enabled: boolean };
    };
    delete expected.features.slash_commands[0]?.url;
    delete expected.settings.interactivity.request_url;
    expected.settings.socket_mode_enabled = true;
    expect(socketManifest).toEqual(expected);
  });

  it('explains in comments the app-level token it needs', () => {
    expect(socketText).toMatch(/#.*connections:write/);
    expect(socketText).toMatch(/#.*SLACK_APP_TOKEN/);
    expect(socketText).not.toMatch(/YOUR-HOST/);
  });
});

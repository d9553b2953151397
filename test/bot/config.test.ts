import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_VARIABLES,
  type Config,
  ConfigError,
  describeConfig,
  type ExitIO,
  exitOnConfigError,
  loadConfig,
  OPEN_ACCESS,
  SECRET_VARIABLES,
} from '../../src/bot/config/index.ts';

const BOT = 'xoxb-1111-2222-botcanary';
const SIGNING = 'signing-secret-canary-8f2c';
const OPENAI_KEY = 'sk-openai-canary-77aa';
const AZURE_KEY = 'azure-key-canary-41bd';
const APP = 'xapp-1-A111-appcanary';

/** The smallest environment that starts: HTTP mode on the OpenAI platform. */
const minimal = { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGNING, OPENAI_API_KEY: OPENAI_KEY };

function problemsOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('fills every default from the README table', () => {
    expect(loadConfig(minimal)).toEqual<Config>({
      slack: {
        botToken: BOT,
        signingSecret: SIGNING,
        apiUrl: 'https://slack.com/api/',
        socketMode: false,
      },
      port: 3000,
      fineTuning: {
        provider: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        auth: { type: 'bearer', token: OPENAI_KEY },
      },
      redis: {
        url: 'redis://127.0.0.1:6379',
        urls: ['redis://127.0.0.1:6379'],
        cluster: false,
        auth: { type: 'none' },
        namespace: 'ftops',
      },
      approval: {
        approvers: { users: [], groups: [] },
        gatedActions: ['pause', 'cancel'],
        approvalsRequired: 1,
        selfService: false,
        ttlMinutes: 60,
      },
      poller: { intervalSeconds: 60 },
      jobUrl: 'https://platform.openai.com/finetune/{job}',
      role: 'all',
      answerIn: 'web',
      logLevel: 'info',
      // The environment alone makes one resource named `default`, open to every channel.
      resources: [
        {
          name: 'default',
          kind: 'openai',
          baseUrl: 'https://api.openai.com/v1',
          auth: { type: 'bearer', token: OPENAI_KEY },
          pollIntervalSeconds: 60,
          jobUrl: 'https://platform.openai.com/finetune/{job}',
          approval: {
            approvers: { users: [], groups: [] },
            gatedActions: ['pause', 'cancel'],
            approvalsRequired: 1,
            selfService: false,
            ttlMinutes: 60,
          },
        },
      ],
      access: OPEN_ACCESS,
    });
  });

  it('links jobs where FT_JOB_URL says, and refuses a template that is not https with {job}', () => {
    const azure = {
      SLACK_BOT_TOKEN: BOT,
      SLACK_SIGNING_SECRET: SIGNING,
      AZURE_OPENAI_ENDPOINT: 'https://myres.openai.azure.com',
    };
    expect(loadConfig(azure).jobUrl).toBeUndefined();
    const tpl = 'https://ai.azure.com/resource/finetune/{job}?wsid=x';
    expect(loadConfig({ ...azure, FT_JOB_URL: tpl }).jobUrl).toBe(tpl);
    expect(problemsOf({ ...azure, FT_JOB_URL: 'http://portal/{job}' }).problems).toEqual([
      'FT_JOB_URL: expected an https URL with {job} in it, got "http://portal/{job}"',
    ]);
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!s.includes('{job}') && s.trim() !== '');
        expect(problemsOf({ ...azure, FT_JOB_URL: s }).problems[0]).toMatch(/^FT_JOB_URL: /);
      }),
    );
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({ ...minimal, PORT: '', LOG_LEVEL: '   ', FT_GATED_ACTIONS: '' });
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe('info');
    expect(config.approval.gatedActions).toEqual(['pause', 'cancel']);
    expect(problemsOf({ ...minimal, SLACK_BOT_TOKEN: '' }).problems).toEqual([
      'SLACK_BOT_TOKEN: required, a bot token starting with xoxb-',
    ]);
  });

  it('uses Azure with an api-key, normalising the endpoint to the v1 API root', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: BOT,
      SLACK_SIGNING_SECRET: SIGNING,
      AZURE_OPENAI_ENDPOINT: 'https://myres.openai.azure.com/openai/v1/',
      AZURE_OPENAI_API_KEY: AZURE_KEY,
      AZURE_OPENAI_API_VERSION: 'preview',
    });
    expect(config.fineTuning).toEqual({
      provider: 'azure',
      baseUrl: 'https://myres.openai.azure.com/openai/v1',
      auth: { type: 'api-key', key: AZURE_KEY },
      apiVersion: 'preview',
    });
  });

  it('uses Microsoft Entra ID when Azure has no key, with the default or a given scope', () => {
    const azure = {
      ...minimal,
      OPENAI_API_KEY: undefined,
      AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com/',
    };
    expect(loadConfig(azure).fineTuning).toEqual({
      provider: 'azure',
      baseUrl: 'https://r.openai.azure.com/openai/v1',
      auth: { type: 'entra', scope: 'https://cognitiveservices.azure.com/.default' },
    });
    const scoped = loadConfig({
      ...azure,
      AZURE_OPENAI_TOKEN_SCOPE: 'https://ai.azure.com/.default',
    });
    expect(scoped.fineTuning.auth).toEqual({
      type: 'entra',
      scope: 'https://ai.azure.com/.default',
    });
  });

  it('prefers Azure when both backends are configured', () => {
    const config = loadConfig({ ...minimal, AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com' });
    expect(config.fineTuning.provider).toBe('azure');
    expect(config.fineTuning.auth.type).toBe('entra');
  });

  it('accepts plain http only for a local emulator', () => {
    const local = loadConfig({ ...minimal, AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:4010' });
    expect(local.fineTuning.baseUrl).toBe('http://127.0.0.1:4010/openai/v1');
    const named = loadConfig({ ...minimal, AZURE_OPENAI_ENDPOINT: 'http://localhost:4010/openai' });
    expect(named.fineTuning.baseUrl).toBe('http://localhost:4010/openai/v1');
    expect(
      problemsOf({ ...minimal, AZURE_OPENAI_ENDPOINT: 'http://myres.openai.azure.com' }).problems,
    ).toEqual([
      'AZURE_OPENAI_ENDPOINT: expected the resource endpoint as an https URL, e.g. https://myres.openai.azure.com (http only for localhost), got "http://myres.openai.azure.com"',
    ]);
  });

  it('uses the OpenAI platform at a given base URL, and Slack at a given API URL', () => {
    const config = loadConfig({
      ...minimal,
      OPENAI_BASE_URL: 'http://127.0.0.1:4010/v1/',
      SLACK_API_URL: 'http://127.0.0.1:4020/api',
    });
    expect(config.fineTuning.baseUrl).toBe('http://127.0.0.1:4010/v1');
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:4020/api/');
  });

  it('switches to Socket Mode with an app token, where no signing secret is needed', () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: BOT,
      SLACK_APP_TOKEN: APP,
      OPENAI_API_KEY: OPENAI_KEY,
    });
    expect(config.slack).toEqual({
      botToken: BOT,
      appToken: APP,
      apiUrl: 'https://slack.com/api/',
      socketMode: true,
    });
  });

  it('parses the approval settings', () => {
    const { approval } = loadConfig({
      ...minimal,
      FT_APPROVER_IDS: ' U012AB3CD, W0ABCDEF ,S0GROUP1,,U012AB3CD ',
      FT_GATED_ACTIONS: 'resume, PAUSE',
      FT_APPROVALS_REQUIRED: '2',
      FT_APPROVER_SELF_SERVICE: 'Yes',
      FT_APPROVAL_CHANNEL: 'C0APPROVE',
      FT_APPROVAL_TTL_MINUTES: '10080',
    });
    expect(approval).toEqual({
      approvers: { users: ['U012AB3CD', 'W0ABCDEF'], groups: ['S0GROUP1'] },
      gatedActions: ['pause', 'resume'],
      approvalsRequired: 2,
      selfService: true,
      channel: 'C0APPROVE',
      ttlMinutes: 10080,
    });
    expect(loadConfig({ ...minimal, FT_GATED_ACTIONS: 'none' }).approval.gatedActions).toEqual([]);
    expect(loadConfig({ ...minimal, FT_APPROVER_SELF_SERVICE: '0' }).approval.selfService).toBe(
      false,
    );
  });

  it('names the bad entries of the approver list', () => {
    expect(problemsOf({ ...minimal, FT_APPROVER_IDS: 'U012AB3CD, bob, u0lower' }).problems).toEqual(
      [
        'FT_APPROVER_IDS: "bob", "u0lower": expected Slack user IDs (U…, W…) or user-group IDs (S…), uppercase, e.g. U0123ABCD',
      ],
    );
  });

  it('reports every problem of a thoroughly bad environment at once, one per line', () => {
    const error = problemsOf({
      SLACK_BOT_TOKEN: 'xoxp-user-token-not-a-bot',
      SLACK_APP_TOKEN: 'not-an-app-token',
      SLACK_API_URL: 'ftp://slack.com',
      PORT: '70000',
      AZURE_OPENAI_ENDPOINT: 'myres',
      AZURE_OPENAI_TOKEN_SCOPE: 'two words',
      AZURE_OPENAI_API_VERSION: '2024-10-21',
      OPENAI_BASE_URL: 'api.openai.com',
      REDIS_URL: 'http://127.0.0.1:6379',
      REDIS_CLUSTER: 'maybe',
      REDIS_CA_FILE: '/nonexistent/ca.pem',
      REDIS_USERNAME: 'two words',
      REDIS_ENTRA: 'perhaps',
      REDIS_ENTRA_SCOPE: 'two words',
      FT_REDIS_NAMESPACE: 'ft ops',
      FT_APPROVER_IDS: 'alice',
      FT_GATED_ACTIONS: 'pause,delete',
      FT_APPROVALS_REQUIRED: '11',
      FT_APPROVER_SELF_SERVICE: 'maybe',
      FT_APPROVAL_CHANNEL: '#ml-ops',
      FT_APPROVAL_TTL_MINUTES: '0',
      FT_POLL_INTERVAL_SECONDS: 'abc',
      FT_JOB_URL: 'https://portal/without-the-id',
      FT_PRICE_PER_MILLION_TOKENS: 'cheap',
      FT_ROLE: 'both',
      FT_ANSWER_IN: 'elsewhere',
      LOG_LEVEL: 'verbose',
      FT_CONFIG: 'ftops.txt',
    });
    const named = [
      ...CONFIG_VARIABLES.filter(
        (name) =>
          ![
            'SLACK_SIGNING_SECRET',
            'AZURE_OPENAI_API_KEY',
            'OPENAI_API_KEY',
            'REDIS_PASSWORD',
          ].includes(name),
      ),
    ];
    expect(error.problems).toHaveLength(named.length);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`invalid configuration (${named.length} problems):`);
    named.forEach((name, i) => {
      expect(lines[i + 1]).toMatch(new RegExp(`^ {2}- ${name}: `));
    });
    expect(error.message).toContain(
      'FT_POLL_INTERVAL_SECONDS: expected a whole number of seconds from 1 to 86400, got "abc"',
    );
    expect(error.message).toContain(
      'SLACK_BOT_TOKEN: is set but does not look like a bot token (xoxb-…)',
    );
    expect(error.message).toContain(
      'FT_GATED_ACTIONS: expected a comma list of pause, resume, cancel (or none), got "pause,delete"',
    );
  });

  it('gives every resource of the environment FT_PRICE_PER_MILLION_TOKENS, and refuses a non-price', () => {
    expect(
      loadConfig({ ...minimal, FT_PRICE_PER_MILLION_TOKENS: '0.8' }).resources[0],
    ).toMatchObject({ name: 'default', pricePerMillionTokens: 0.8 });
    for (const bad of ['0', '-3', '1e3', '$3', '1000000']) {
      expect(problemsOf({ ...minimal, FT_PRICE_PER_MILLION_TOKENS: bad }).problems).toEqual([
        expect.stringMatching(/^FT_PRICE_PER_MILLION_TOKENS: expected dollars per million/),
      ]);
    }
  });

  it('names both backends when neither is configured, and the signing secret in HTTP mode', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: BOT }).problems).toEqual([
      'SLACK_SIGNING_SECRET: required in HTTP mode (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode',
      'AZURE_OPENAI_ENDPOINT or OPENAI_API_KEY: one is required: AZURE_OPENAI_ENDPOINT (e.g. https://myres.openai.azure.com) for Azure, or OPENAI_API_KEY for the OpenAI platform (or FT_CONFIG, a file naming several resources)',
    ]);
    expect(
      problemsOf({ ...minimal, OPENAI_API_KEY: undefined, AZURE_OPENAI_API_KEY: AZURE_KEY })
        .problems,
    ).toEqual([
      'AZURE_OPENAI_ENDPOINT or OPENAI_API_KEY: AZURE_OPENAI_API_KEY is set but AZURE_OPENAI_ENDPOINT is not (e.g. https://myres.openai.azure.com)',
    ]);
  });

  it('never echoes a secret, even one pasted into the wrong variable', () => {
    const env = {
      SLACK_BOT_TOKEN: 'wrong-bot-canary-1234',
      SLACK_APP_TOKEN: 'wrong-app-canary-5678',
      SLACK_SIGNING_SECRET: SIGNING,
      AZURE_OPENAI_API_KEY: AZURE_KEY,
      OPENAI_API_KEY: OPENAI_KEY,
      FT_ROLE: BOT,
      LOG_LEVEL: SIGNING,
      REDIS_URL: 'https://:hunter2-canary@cache:6380',
    };
    const { message } = problemsOf(env);
    expect(message).toContain('FT_ROLE:');
    expect(message).toContain('LOG_LEVEL:');
    expect(message).toContain('REDIS_URL:');
    for (const value of [...Object.values(env), 'hunter2']) expect(message).not.toContain(value);
    expect(message).not.toContain('canary');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ ...minimal, FT_APPROVER_IDS: 'U012AB3CD' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
    expect(Object.isFrozen(config.fineTuning.auth)).toBe(true);
    expect(Object.isFrozen(config.approval.approvers.users)).toBe(true);
    expect(() => {
      (config.approval.approvers.users as string[]).push('U0INTRUDER');
    }).toThrow(TypeError);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ ...minimal, HOME: '/root', FT_UNKNOWN: 'x' })).toEqual(loadConfig(minimal));
  });
});

describe('describeConfig', () => {
  it('shows secrets only as set/unset and hides the Redis password', () => {
    const config = loadConfig({
      ...minimal,
      OPENAI_API_KEY: undefined,
      AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com',
      AZURE_OPENAI_API_KEY: AZURE_KEY,
      REDIS_URL: 'rediss://default:hunter2-canary@cache.example.com:6380',
    });
    const summary = describeConfig(config);
    expect(summary.slack).toEqual({
      mode: 'http',
      botToken: 'set',
      signingSecret: 'set',
      appToken: 'unset',
      apiUrl: 'https://slack.com/api/',
    });
    expect(summary.fineTuning.auth).toBe('api-key (set)');
    expect(summary.redis.url).toBe('rediss://default:***@cache.example.com:6380');
    const text = JSON.stringify(summary);
    for (const secret of [BOT, SIGNING, AZURE_KEY, 'hunter2']) expect(text).not.toContain(secret);
  });
});

describe('loadConfig on arbitrary environments', () => {
  // Secrets carry a canary; other values never do, so any "canary" in a message is a leak.
  const secretValue = (goodPrefix: string) =>
    fc
      .tuple(
        fc.oneof(
          { arbitrary: fc.constant(goodPrefix), weight: 4 },
          { arbitrary: fc.constantFrom('', ' ', 'xoxb-', 'xapp-', 'sk-', 'xoxp-'), weight: 1 },
        ),
        fc.uuid(),
      )
      .map(([prefix, id]) => `${prefix}canary-${id}`);
  const secretPrefix: Record<string, string> = {
    SLACK_BOT_TOKEN: 'xoxb-',
    SLACK_APP_TOKEN: 'xapp-',
  };
  const anyString = fc
    .oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', ' ', '__proto__'))
    .filter((value) => !value.toLowerCase().includes('canary'));
  // Mostly valid values, so that both outcomes are explored, with arbitrary strings mixed in.
  const valid: Partial<Record<(typeof CONFIG_VARIABLES)[number], string[]>> = {
    SLACK_API_URL: ['https://slack.com/api', 'http://127.0.0.1:4020/api/'],
    PORT: ['1', '3000', '65535'],
    AZURE_OPENAI_ENDPOINT: ['https://r.openai.azure.com/', 'http://127.0.0.1:4010/openai/v1'],
    AZURE_OPENAI_TOKEN_SCOPE: ['https://ai.azure.com/.default'],
    AZURE_OPENAI_API_VERSION: ['v1', 'preview'],
    OPENAI_BASE_URL: ['https://api.openai.com/v1/', 'http://127.0.0.1:4010/v1'],
    REDIS_URL: ['redis://127.0.0.1:6379/1', 'rediss://:pw@cache:6380', 'rediss://cache:6380'],
    REDIS_CLUSTER: ['false', 'true'],
    REDIS_CA_FILE: [fileURLToPath(new URL('../fixtures/redis-ca.pem', import.meta.url))],
    REDIS_USERNAME: ['default', 'ftops'],
    REDIS_ENTRA: ['false', 'no', 'true'],
    REDIS_ENTRA_SCOPE: ['https://redis.azure.com/.default'],
    FT_REDIS_NAMESPACE: ['ftops', 'test-1_a'],
    FT_APPROVER_IDS: ['U012AB3CD, S0GROUP', 'W0ABC,'],
    FT_GATED_ACTIONS: ['pause,resume', 'none', 'CANCEL'],
    FT_APPROVALS_REQUIRED: ['1', '10'],
    FT_APPROVER_SELF_SERVICE: ['yes', 'false', '0'],
    FT_APPROVAL_CHANNEL: ['C0APPROVE', 'G0PRIVATE'],
    FT_APPROVAL_TTL_MINUTES: ['1', '60'],
    FT_POLL_INTERVAL_SECONDS: ['1', '60'],
    FT_JOB_URL: ['https://ai.azure.com/x/{job}'],
    FT_PRICE_PER_MILLION_TOKENS: ['3', '0.8'],
    FT_ROLE: ['web', 'WORKER'],
    LOG_LEVEL: ['debug', 'silent'],
  };
  const secrets = new Set<string>(SECRET_VARIABLES);
  const model = Object.fromEntries(
    CONFIG_VARIABLES.map((name) => {
      if (secrets.has(name)) return [name, secretValue(secretPrefix[name] ?? '')];
      const good = valid[name] ?? [];
      return [
        name,
        good.length > 0
          ? fc.oneof(
              { arbitrary: fc.constantFrom(...good), weight: 15 },
              { arbitrary: anyString, weight: 1 },
            )
          : anyString,
      ];
    }),
  );
  const envArb = fc
    .tuple(
      fc.dictionary(fc.string(), anyString),
      fc.record(model, { requiredKeys: ['SLACK_BOT_TOKEN'] }),
    )
    .map(([noise, known]) => ({ ...noise, ...known }) as NodeJS.ProcessEnv);

  it('either returns a frozen config or throws a ConfigError that holds no secret', () => {
    const outcomes = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(envArb, (env) => {
        let config: Config;
        try {
          config = loadConfig(env);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          const { message, problems } = error as ConfigError;
          expect(problems.length).toBeGreaterThan(0);
          expect(message.toLowerCase()).not.toContain('canary');
          outcomes.refused++;
          return;
        }
        expect(Object.isFrozen(config)).toBe(true);
        expect(JSON.stringify(describeConfig(config)).toLowerCase()).not.toContain('canary');
        outcomes.loaded++;
      }),
      { numRuns: 500 },
    );
    // Both branches must have been exercised for the property to mean anything.
    expect(outcomes.loaded).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});

describe('exitOnConfigError', () => {
  class Exited extends Error {
    constructor(readonly code: number) {
      super(`exit ${code}`);
    }
  }
  function captureIO(): ExitIO & { written: string[] } {
    const written: string[] = [];
    return {
      written,
      writeError: (text) => written.push(text),
      exit: (code) => {
        throw new Exited(code);
      },
    };
  }

  it('returns the config when it is valid', () => {
    const io = captureIO();
    expect(exitOnConfigError(() => loadConfig(minimal), io).port).toBe(3000);
    expect(io.written).toEqual([]);
  });

  it('prints every problem and exits with code 2', () => {
    const io = captureIO();
    expect(() => exitOnConfigError(() => loadConfig({ PORT: 'x' }), io)).toThrow(
      expect.objectContaining({ code: 2 }),
    );
    const [text] = io.written;
    expect(text).toContain('SLACK_BOT_TOKEN: required');
    expect(text).toContain('PORT: expected a port number from 1 to 65535, got "x"');
  });

  it('lets other errors through untouched', () => {
    const io = captureIO();
    const boom = new Error('boom');
    expect(() =>
      exitOnConfigError(() => {
        throw boom;
      }, io),
    ).toThrow(boom);
    expect(io.written).toEqual([]);
  });

  it('ends a real process with code 2 and a message without a stack trace', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const script = [
      "import { exitOnConfigError, loadConfig } from './src/bot/config/index.ts';",
      'exitOnConfigError(() => loadConfig());',
      "console.log('started');",
    ].join('\n');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: root,
        env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxp-canary-user-token', PORT: '0' },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'SLACK_BOT_TOKEN: is set but does not look like a bot token (xoxb-…)',
    );
    expect(run.stderr).toContain('PORT: expected a port number from 1 to 65535, got "0"');
    expect(run.stderr).not.toContain('canary');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidJobId } from '../../src/api/job-id.ts';
import { KNOWN_STATUSES } from '../../src/api/schemas.ts';
import { parseErrorMessage } from '../../src/views/parse-error.ts';
import {
  editDistance,
  LIST_DEFAULT,
  type ParsedCommand,
  parseCommand,
  REASON_MAX,
  VERBS,
} from '../../src/vocabulary/index.ts';

const ID = 'ftjob-abc123';

function command(text: string) {
  const r = parseCommand(text);
  if (!r.ok)
    throw new Error(`expected ok for ${JSON.stringify(text)}: ${parseErrorMessage(r.error)}`);
  return r.command;
}

function error(text: string) {
  const r = parseCommand(text);
  if (r.ok) throw new Error(`expected an error for ${JSON.stringify(text)}`);
  return r.error;
}

describe('parseCommand: verbs', () => {
  it('treats empty or blank text as help, and verbs case-insensitively', () => {
    expect(command('')).toEqual({ verb: 'help' });
    expect(command('   \n ')).toEqual({ verb: 'help' });
    expect(command('HELP')).toEqual({ verb: 'help' });
    expect(command('Status ftjob-abc123')).toEqual({ verb: 'status', jobId: ID });
  });

  it('parses list with a default and a bounded count', () => {
    expect(command('list')).toEqual({ verb: 'list', limit: LIST_DEFAULT });
    expect(command('list 5')).toEqual({ verb: 'list', limit: 5 });
    expect(command('list 50')).toEqual({ verb: 'list', limit: 50 });
    for (const bad of ['0', '51', 'abc', '-3', '2.5', '1e1', '00000000001']) {
      expect(error(`list ${bad}`)).toMatchObject({
        kind: 'bad_argument',
        verb: 'list',
        argument: 'n',
      });
    }
    expect(parseErrorMessage(error('list 99'))).toContain('a number from 1 to 50');
  });

  it('parses the job verbs', () => {
    for (const verb of ['status', 'events', 'checkpoints'] as const) {
      expect(command(`${verb} ${ID}`)).toEqual({ verb, jobId: ID });
      expect(error(verb)).toEqual({ kind: 'missing_job', verb });
    }
    expect(error(`status ${ID} please`)).toMatchObject({ kind: 'bad_argument', argument: 'extra' });
    expect(error(`status ${ID} --dry-run`)).toMatchObject({ kind: 'bad_argument', verb: 'status' });
  });

  it('keeps the reason of pause and cancel as raw text, and finds --dry-run anywhere', () => {
    expect(command(`pause ${ID} GPU budget <!channel> & co`)).toEqual({
      verb: 'pause',
      jobId: ID,
      reason: 'GPU budget <!channel> & co',
      dryRun: false,
    });
    expect(command(`pause --dry-run ${ID} night   shift`)).toEqual({
      verb: 'pause',
      jobId: ID,
      reason: 'night   shift',
      dryRun: true,
    });
    expect(command(`cancel ${ID} wrong data --dry-run`)).toEqual({
      verb: 'cancel',
      jobId: ID,
      reason: 'wrong data',
      dryRun: true,
    });
    // Slack's desktop app turns `--` into an em dash.
    expect(command(`resume ${ID} —dry-run`)).toEqual({
      verb: 'resume',
      jobId: ID,
      reason: null,
      dryRun: true,
    });
    expect(error('pause --dry-run')).toEqual({ kind: 'missing_job', verb: 'pause' });
    expect(error(`pause --force ${ID}`)).toMatchObject({
      kind: 'bad_argument',
      argument: '--force',
    });
  });

  it('decodes the entities Slack sends for typed <, > and &', () => {
    expect(command(`pause &lt;${ID}&gt; a &lt; b &amp;&amp; c`)).toMatchObject({
      jobId: ID,
      reason: 'a < b && c',
    });
  });

  it('caps long reasons', () => {
    const c = command(`pause ${ID} ${'x'.repeat(5000)}`);
    expect(c.verb === 'pause' && c.reason?.length).toBe(REASON_MAX);
    expect(c.verb === 'pause' && c.reason?.endsWith('…')).toBe(true);
  });

  it('parses watch and unwatch with all, a job and --only', () => {
    expect(command(`watch ${ID}`)).toEqual({ verb: 'watch', jobId: ID, only: null });
    expect(command('watch all')).toEqual({ verb: 'watch', jobId: null, only: null });
    expect(command('watch ALL --only failed,succeeded')).toEqual({
      verb: 'watch',
      jobId: null,
      only: ['failed', 'succeeded'],
    });
    expect(command(`watch --only=Failed ${ID}`)).toEqual({
      verb: 'watch',
      jobId: ID,
      only: ['failed'],
    });
    expect(command(`watch ${ID} --only failed, paused`)).toEqual({
      verb: 'watch',
      jobId: ID,
      only: ['failed', 'paused'],
    });
    expect(command('unwatch all')).toEqual({ verb: 'unwatch', jobId: null });
    expect(command(`unwatch \`${ID}\``)).toEqual({ verb: 'unwatch', jobId: ID });
    expect(error('watch')).toEqual({ kind: 'missing_job', verb: 'watch' });
    expect(error('unwatch all --only failed')).toMatchObject({ kind: 'bad_argument' });
  });

  it('refuses unknown --only statuses and lists the allowed ones', () => {
    const e = error('watch all --only failed,exploded');
    expect(e).toMatchObject({ kind: 'bad_argument', argument: '--only', input: 'exploded' });
    const message = parseErrorMessage(e);
    for (const s of KNOWN_STATUSES) expect(message).toContain(s);
    expect(error('watch all --only')).toMatchObject({ kind: 'bad_argument', argument: '--only' });
  });

  it('parses the verbs without arguments, and audit with an optional job', () => {
    expect(command('watching')).toEqual({ verb: 'watching' });
    expect(command('approvals')).toEqual({ verb: 'approvals' });
    expect(command('whoami')).toEqual({ verb: 'whoami' });
    expect(command('audit')).toEqual({ verb: 'audit', jobId: null });
    expect(command(`audit ${ID}`)).toEqual({ verb: 'audit', jobId: ID });
    expect(error('whoami now')).toMatchObject({ kind: 'bad_argument', argument: 'extra' });
    expect(error('audit nope')).toMatchObject({ kind: 'invalid_job', input: 'nope' });
  });

  it('suggests the nearest verb for a typo', () => {
    expect(error('staus x')).toEqual({ kind: 'unknown_verb', verb: 'staus', suggestion: 'status' });
    expect(error('pasue')).toMatchObject({ suggestion: 'pause' });
    expect(error('lsit')).toMatchObject({ suggestion: 'list' });
    expect(error('xyzzy')).toEqual({ kind: 'unknown_verb', verb: 'xyzzy' });
    expect(parseErrorMessage(error('chekpoints'))).toContain('Did you mean /ft checkpoints?');
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('parseCommand: job IDs', () => {
  it('unwraps the forms a job ID arrives in', () => {
    const forms = [
      `\`${ID}\``,
      `\`\`\`${ID}\`\`\``,
      `"${ID}"`,
      `'${ID}'`,
      `“${ID}”`,
      `‘${ID}’`,
      `<${ID}>`,
      `&lt;${ID}&gt;`,
      `<https://platform.openai.com/finetune/${ID}|${ID}>`,
      `<https://platform.openai.com/finetune/${ID}|open the job in the portal>`,
      `<https://platform.openai.com/finetune/${ID}?tab=metrics>`,
      `https://platform.openai.com/finetune/${ID}`,
      `https://ai.azure.com/resource/fine-tuning/${ID}/details?wsid=/subscriptions/x`,
      `https://portal.example.com/#view/FineTune/${ID}`,
      `<mailto:x|${ID}>`,
    ];
    for (const form of forms)
      expect(command(`status ${form}`)).toEqual({ verb: 'status', jobId: ID });
  });

  it('refuses anything that is not a job ID after unwrapping', () => {
    const bad = [
      'ftjob-abc/../x',
      '../ftjob-abc',
      'ftjob-abc%2Fx',
      `https://x.test/${'ftjob-abc%2F..'}`,
      'ftjob-abc?x=1',
      'ftjob-abc#frag',
      'ftjob-аbc', // Cyrillic а
      'ftjob-abc\u0000',
      'ftjob-',
      'FTJOB-abc',
      `ftjob-${'a'.repeat(10_000)}`,
      'javascript:alert(1)',
      '"ftjob-abc',
      '<https://evil.test/x|click>',
      'file:///etc/ftjob-abc',
    ];
    for (const input of bad) {
      const e = error(`status ${input}`);
      expect(e.kind).toBe('invalid_job');
    }
    const e = error('status ftjob-a/b');
    expect(parseErrorMessage(e)).toContain('is not a fine-tuning job ID');
  });
});

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc
    .tuple(
      fc.constantFrom(...VERBS, 'STATUS', 'watch all --only', 'pause ftjob-a'),
      fc.string({ unit: 'binary' }),
    )
    .map(([v, rest]) => `${v} ${rest}`),
  fc
    .array(
      fc.constantFrom(
        '<',
        '>',
        '|',
        '`',
        '"',
        '“',
        '--only',
        '—dry-run',
        'ftjob-x',
        'all',
        ' ',
        '\n',
        '&lt;',
        'https://a/',
      ),
      {
        maxLength: 30,
      },
    )
    .map((parts) => parts.join('')),
);

const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,122}$/).map((tail) => `ftjob-${tail}`);

const wrappers: Array<(id: string) => string> = [
  (id) => id,
  (id) => `\`${id}\``,
  (id) => `\`\`\`${id}\`\`\``,
  (id) => `"${id}"`,
  (id) => `'${id}'`,
  (id) => `“${id}”`,
  (id) => `<${id}>`,
  (id) => `<https://platform.openai.com/finetune/${id}|${id}>`,
  (id) => `<https://ai.azure.com/fine-tuning/${id}|see the job>`,
  (id) => `https://platform.openai.com/finetune/${id}`,
  (id) => `https://ai.azure.com/jobs/${id}?wsid=x#metrics`,
];

function jobIdOf(r: ParsedCommand): string | null | undefined {
  return r.ok && 'jobId' in r.command ? r.command.jobId : undefined;
}

describe('parseCommand: properties', () => {
  it('never throws, and every job ID it returns passes the gate', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = parseCommand(text);
        const id = jobIdOf(r);
        if (typeof id === 'string') expect(isValidJobId(id)).toBe(true);
        if (!r.ok) expect(parseErrorMessage(r.error).length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('copes with huge input', () => {
    const huge = `pause ${'ftjob-'.repeat(200_000)} ${'<'.repeat(100_000)}`;
    expect(parseCommand(huge).ok).toBe(false);
    expect(parseCommand('x'.repeat(1_000_000)).ok).toBe(false);
  });

  it('parses any valid ID back through any accepted wrapper', () => {
    fc.assert(
      fc.property(
        validId,
        fc.constantFrom(...wrappers),
        fc.constantFrom('status', 'events', 'pause', 'watch', 'audit'),
        (id, wrap, verb) => {
          expect(jobIdOf(parseCommand(`${verb} ${wrap(id)}`))).toBe(id);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses any string that is not a job ID and holds none', () => {
    fc.assert(
      fc.property(
        fc
          .string({ unit: 'binary', minLength: 1 })
          .filter((s) => !isValidJobId(s) && !/ftjob-/i.test(s)),
        (s) => {
          expect(parseCommand(`status ${s}`).ok).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a job ID with any character outside the gate appended or inserted', () => {
    const outside = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 1 })
      .filter(
        (c) => !/^[A-Za-z0-9_-]$/.test(c) && !/\s/u.test(c) && !'`"\'“”‘’„‚«»<>|&'.includes(c),
      );
    fc.assert(
      fc.property(validId, outside, fc.nat(), (id, c, at) => {
        const pos = 6 + (at % (id.length - 5));
        const broken = id.slice(0, pos) + c + id.slice(pos);
        fc.pre(!isValidJobId(broken));
        expect(parseCommand(`status ${broken}`).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

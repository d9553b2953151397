// The hostile material cases are made of: job IDs the emulator knows, mentions, control
// characters, path tricks, flags, numbers and 40 KB monsters; and who may be mentioned.
import {
  APPROVE_REQUEST,
  CANCEL_JOB,
  DENY_REQUEST,
  PAUSE_JOB,
  REFRESH_JOB,
  RESUME_JOB,
  UNWATCH_JOB,
  WATCH_JOB,
} from '../../../src/views/action-ids.ts';
import { APPROVER, OUTSIDER, REQUESTER } from '../../lib/world.ts';

/** Job IDs the emulator knows, in the states the verbs care about. */
export const JOBS = [
  { id: 'ftjob-hostile0', status: 'running' },
  { id: 'ftjob-hostile1', status: 'running' },
  { id: 'ftjob-hostile2', status: 'paused' },
  { id: 'ftjob-hostile3', status: 'paused' },
  { id: 'ftjob-hostile4', status: 'succeeded' },
  { id: 'ftjob-hostile5', status: 'failed' },
  { id: 'ftjob-hostile6', status: 'queued' },
  { id: 'ftjob-hostile7', status: 'validating_files' },
] as const;
export const JOB_IDS = JOBS.map((j) => j.id);

/** Every marker id used in a generated mention contains this, so a hit is unambiguous. */
export const MARK = 'HOSTILE';
/** Well-formed user ids the campaign itself puts in `user_id` (legitimately mentioned as actors). */
export const FORGED_ACTORS = ['U0ACTOR1', 'W0ACTOR2'];
/** Users the bot may mention: the fixtures, the forged actors, and nobody else. */
export const KNOWN_USERS = new Set([REQUESTER, APPROVER, OUTSIDER, 'U0FTBOT', ...FORGED_ACTORS]);
/** The approver group (FT_APPROVER_IDS), which approval requests mention on purpose. */
export const KNOWN_GROUPS = new Set(['S0APPROVERS']);

export const KNOWN_ACTIONS = [
  PAUSE_JOB,
  RESUME_JOB,
  CANCEL_JOB,
  REFRESH_JOB,
  WATCH_JOB,
  UNWATCH_JOB,
  APPROVE_REQUEST,
  DENY_REQUEST,
];

export const MENTIONS = [
  `<@U0${MARK}1>`,
  `<@W0${MARK}2|mallory>`,
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!channel|channel>',
  '<!here|here>',
  `<!subteam^S0${MARK}3>`,
  `<!subteam^S0${MARK}3|@admins>`,
  `<#C0${MARK}4>`,
  `<#C0${MARK}4|general>`,
  `<http://evil.${MARK.toLowerCase()}.example|click me>`,
  `<https://evil.${MARK.toLowerCase()}.example/ftjob-hostile0>`,
  `<mailto:x@${MARK.toLowerCase()}.example|mail>`,
  '&lt;!channel&gt;',
  '&amp;lt;!here&amp;gt;',
  '&#60;!everyone&#62;',
  '<<!channel>>',
  '<!channel',
  '!channel>',
  '*bold* _it_ ~s~ `code` ```block```',
  '> quoted',
];
export const CONTROL = [
  '\u0000',
  '\u0007',
  '\u001b[31mred\u001b[0m',
  '\u007f',
  '\u0085',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\u2028',
  '\r\n',
  '\ud800',
  '\udfff',
  '👩‍👩‍👧‍👦',
  'ｆｔｊｏｂ－ｈｏｓｔｉｌｅ０',
];
export const JOB_TRICKS = [
  ...JOB_IDS,
  'ftjob-hostile0/../../files',
  '../fine_tuning/jobs',
  'ftjob-hostile0%2Fcancel',
  'ftjob-hostile0%2F..%2F..%2Ffiles',
  'ftjob-hostile0?limit=1000',
  'ftjob-hostile0#frag',
  'ftjob-hostile0/cancel',
  'ftjob-',
  'ftjob-.',
  'ftjob-..',
  'ftjob-hostile0\u200b',
  'ftjob-hostile0\u0000',
  'ftjob-hοstile0', // Greek omicron
  '`ftjob-hostile1`',
  '"ftjob-hostile2"',
  '<ftjob-hostile3>',
  '<https://ai.azure.com/x/ftjob-hostile0|ftjob-hostile0>',
  `ftjob-${'a'.repeat(123)}`,
  `ftjob-${'a'.repeat(122)}`,
  'FTJOB-hostile0',
  'ftjob-unknown404',
  'file-abc123',
  '%2e%2e%2f',
  'all',
];
export const FLAGS = [
  '--dry-run',
  '--DRY-RUN',
  '--only',
  '--only failed,succeeded',
  '--only <!channel>',
  '--only=failed',
  '--',
  '-x',
  '—dry-run',
];
export const NUMBERS = [
  '0',
  '-1',
  '1',
  '50',
  '51',
  '1e3',
  'NaN',
  '99999999999999999999',
  '0x10',
  '٣',
];

/** About 40 KB of something nasty. */
export const HUGE = [
  'A'.repeat(40_000),
  '<!channel> '.repeat(3_700),
  `<@U0${MARK}9> `.repeat(2_800),
  '\u202e\u0000'.repeat(20_000),
  'ftjob-hostile0 '.repeat(2_700),
  '&lt;'.repeat(10_000),
];

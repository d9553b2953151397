import { KNOWN_STATUSES, type KnownStatus } from '../api/schemas.ts';
import { truncate as clip } from '../util/truncate.ts';
import {
  COMMAND_USAGE,
  type Command,
  LIST_DEFAULT,
  LIST_MAX,
  type ParsedCommand,
  type ParseError,
} from './command.ts';
import { parseJobRef } from './job-key.ts';
import { cleanReason, decodeEntities, unwrapJobId } from './job-ref.ts';
import { suggestVerb } from './suggest.ts';
import { isVerb, type MutatingVerb, type Verb } from './verbs.ts';

/**
 * The `/ft` text parser: a pure function from what the user typed to a typed command or a
 * typed error. It never throws, and every job ID it returns has passed `parseJobRef` (a bare ID or `<resource>:ftjob-…`), so the
 * handlers can put it in a URL. Reasons are kept as raw text; views escape them.
 */

/** A token of the command text, with where it sits so the raw remainder can be kept. */
interface Token {
  text: string;
  start: number;
}

const ok = (command: Command): ParsedCommand => ({ ok: true, command });
const fail = (error: ParseError): ParsedCommand => ({ ok: false, error });

/** Parses the text after `/ft`. Never throws; empty text means `help`. */
export function parseCommand(text: string): ParsedCommand {
  try {
    return parse(typeof text === 'string' ? text : '');
  } catch {
    // Defensive only: every path above returns; a bug must still not crash a handler.
    return fail({ kind: 'unknown_verb', verb: '' });
  }
}

function parse(text: string): ParsedCommand {
  const tokens = tokenize(text);
  const first = tokens[0];
  if (!first) return ok({ verb: 'help' });
  const word = first.text.toLowerCase();
  if (!isVerb(word)) {
    const verb = clip(decodeEntities(first.text), 64);
    const suggestion = suggestVerb(word);
    return fail({ kind: 'unknown_verb', verb, ...(suggestion ? { suggestion } : {}) });
  }
  const verb = word;
  const rest = tokens.slice(1);
  switch (verb) {
    case 'help':
      return ok({ verb });
    case 'watching':
    case 'approvals':
    case 'whoami':
    case 'policy':
      return noExtra(verb, rest) ?? ok({ verb });
    case 'list':
      return parseList(rest);
    case 'status':
    case 'events':
    case 'checkpoints':
    case 'chart': {
      const bad = firstFlag(verb, rest);
      if (bad) return bad;
      const [job, ...extra] = rest;
      if (!job) return fail({ kind: 'missing_job', verb });
      const id = toJobId(verb, job);
      if (!id.ok) return id.result;
      return noExtra(verb, extra) ?? ok({ verb, jobId: id.jobId });
    }
    case 'audit': {
      const bad = firstFlag(verb, rest);
      if (bad) return bad;
      const [job, ...extra] = rest;
      if (!job) return ok({ verb, jobId: null });
      const id = toJobId(verb, job);
      if (!id.ok) return id.result;
      return noExtra(verb, extra) ?? ok({ verb, jobId: id.jobId });
    }
    case 'pause':
    case 'resume':
    case 'cancel':
      return parseMutating(verb, text, rest);
    case 'watch':
    case 'unwatch':
      return parseWatch(verb, rest);
  }
}

function parseList(rest: Token[]): ParsedCommand {
  const bad = firstFlag('list', rest);
  if (bad) return bad;
  const [n, ...extra] = rest;
  if (!n) return ok({ verb: 'list', limit: LIST_DEFAULT });
  const limit = /^\d{1,3}$/.test(n.text) ? Number(n.text) : Number.NaN;
  if (!(limit >= 1 && limit <= LIST_MAX)) {
    return fail({
      kind: 'bad_argument',
      verb: 'list',
      argument: 'n',
      input: clip(n.text, 64),
      expected: `a number from 1 to ${LIST_MAX}`,
    });
  }
  return noExtra('list', extra) ?? ok({ verb: 'list', limit });
}

function parseMutating(verb: MutatingVerb, text: string, rest: Token[]): ParsedCommand {
  const dryRun = rest.some((t) => isDryRunFlag(t.text));
  const args = rest.filter((t) => !isDryRunFlag(t.text));
  const job = args[0];
  if (!job) return fail({ kind: 'missing_job', verb });
  // A flag where the job ID should be is a mistyped option, not a strange job ID.
  const flag = flagName(job.text);
  if (flag !== null) return unknownFlag(verb, job.text);
  const id = toJobId(verb, job);
  if (!id.ok) return id.result;
  // The reason is the raw text after the job ID, with any --dry-run taken out.
  // Each kept token brings the whitespace after it, so the user's spacing survives.
  const from = rest.indexOf(job) + 1;
  let reason = '';
  for (let i = from; i < rest.length; i++) {
    const t = rest[i] as Token;
    if (isDryRunFlag(t.text)) continue;
    const next = rest[i + 1];
    reason += text.slice(t.start, next ? next.start : t.start + t.text.length);
  }
  return ok({ verb, jobId: id.jobId, reason: cleanReason(reason), dryRun });
}

function parseWatch(verb: 'watch' | 'unwatch', rest: Token[]): ParsedCommand {
  let only: KnownStatus[] | null = null;
  const args: Token[] = [];
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i] as Token;
    const flag = flagName(t.text);
    if (flag === null) {
      args.push(t);
      continue;
    }
    const [name, inline] = splitOnce(flag, '=');
    if (verb !== 'watch' || name !== 'only') return unknownFlag(verb, t.text);
    let value = inline;
    if (value === undefined) {
      const next = rest[i + 1];
      if (next && flagName(next.text) === null) {
        value = next.text;
        i++;
        // `--only failed, succeeded`: a trailing comma continues the list.
        while (value.endsWith(',') && rest[i + 1] && flagName(rest[i + 1]!.text) === null) {
          value += rest[i + 1]!.text;
          i++;
        }
      }
    }
    const parsed = parseOnly(value ?? '');
    if (!parsed.ok) return parsed.result;
    only = parsed.statuses;
  }
  const [target, ...extra] = args;
  if (!target) return fail({ kind: 'missing_job', verb });
  const scope = unwrapJobId(target.text).toLowerCase() === 'all' ? null : undefined;
  const noMore = noExtra(verb, extra);
  if (scope === null) {
    if (noMore) return noMore;
    return verb === 'watch' ? ok({ verb, jobId: null, only }) : ok({ verb, jobId: null });
  }
  const id = toJobId(verb, target);
  if (!id.ok) return id.result;
  if (noMore) return noMore;
  return verb === 'watch' ? ok({ verb, jobId: id.jobId, only }) : ok({ verb, jobId: id.jobId });
}

function parseOnly(
  value: string,
): { ok: true; statuses: KnownStatus[] } | { ok: false; result: ParsedCommand } {
  const parts = value
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p.length > 0);
  const known = KNOWN_STATUSES as readonly string[];
  const unknown = parts.find((p) => !known.includes(p));
  if (parts.length === 0 || unknown !== undefined) {
    return {
      ok: false,
      result: fail({
        kind: 'bad_argument',
        verb: 'watch',
        argument: '--only',
        input: clip(unknown ?? value, 64),
        expected: 'a comma-separated list of job statuses',
        allowed: KNOWN_STATUSES,
      }),
    };
  }
  return { ok: true, statuses: [...new Set(parts)] as KnownStatus[] };
}

function toJobId(
  verb: Verb,
  token: Token,
): { ok: true; jobId: string } | { ok: false; result: ParsedCommand } {
  const id = unwrapJobId(token.text);
  if (parseJobRef(id) !== null) return { ok: true, jobId: id };
  return {
    ok: false,
    result: fail({ kind: 'invalid_job', verb, input: clip(decodeEntities(token.text), 200) }),
  };
}

function noExtra(verb: Verb, extra: Token[]): ParsedCommand | undefined {
  const first = extra[0];
  if (!first) return undefined;
  if (flagName(first.text) !== null) return unknownFlag(verb, first.text);
  return fail({
    kind: 'bad_argument',
    verb,
    argument: 'extra',
    input: clip(extra.map((t) => t.text).join(' '), 64),
    expected: `nothing more: the usage is /ft ${COMMAND_USAGE[verb].usage}`,
  });
}

function firstFlag(verb: Verb, rest: Token[]): ParsedCommand | undefined {
  const flag = rest.find((t) => flagName(t.text) !== null);
  return flag ? unknownFlag(verb, flag.text) : undefined;
}

function unknownFlag(verb: Verb, input: string): ParsedCommand {
  const dry = isDryRunFlag(input);
  return fail({
    kind: 'bad_argument',
    verb,
    argument: clip(input, 64),
    input: clip(input, 64),
    expected: dry
      ? '--dry-run only with pause, resume or cancel'
      : verb === 'watch'
        ? 'only --only after watch'
        : `no options: the usage is /ft ${COMMAND_USAGE[verb].usage}`,
  });
}

/**
 * The name of an option token, or null when the token is not an option. Slack's desktop
 * clients turn a typed `--` into an em or en dash, so those count as the prefix too.
 */
function flagName(token: string): string | null {
  const m = /^(?:--|—|–)(.*)$/s.exec(token);
  return m ? (m[1] as string).toLowerCase() : null;
}

function isDryRunFlag(token: string): boolean {
  const name = flagName(token);
  return name === 'dry-run' || name === 'dryrun' || name === 'dry_run';
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i === -1 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * Splits on whitespace, keeping a Slack link `<url|label with spaces>` in one token so its
 * label's spaces do not split it.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const ws = /\s/u;
  // Next `>` and `|` at or after i, cached so that hostile input stays linear.
  let close = -2;
  let bar = -2;
  let i = 0;
  while (i < text.length) {
    if (ws.test(text[i] as string)) {
      i++;
      continue;
    }
    const start = i;
    if (text[i] === '<') {
      if (close !== -1 && close < i) close = text.indexOf('>', i);
      if (bar !== -1 && bar < i) bar = text.indexOf('|', i);
      // Only a `<…>` holding `|` may contain spaces (a link label); jump to its end.
      if (close !== -1 && bar !== -1 && bar < close) i = close + 1;
    }
    while (i < text.length && !ws.test(text[i] as string)) i++;
    tokens.push({ text: text.slice(start, i), start });
  }
  return tokens;
}
